import { type Scenario, ScenarioSchema } from '../../shared/scenario/schema';
import { Rng } from '../kernel/rng';
import type { Random } from '../protocol';

/**
 * Test helpers shared by the Paxos and Multi-Paxos tests (and the golden transcripts): a
 * random stream for feeding one node its inputs with toolkit/recorder's `handle`, what a node
 * keeps across a crash, a scenario builder, and a compact event summary of a run.
 */

/** A node's random stream for unit tests (seeded, as the kernel forks one per node). */
export function testRng(self: string): Random {
  return new Rng(1, `node:${self}`);
}

/**
 * A node's state after a crash and restart, as the kernel makes it: the declared durable
 * fields of `state` (those it has) over a fresh initial state. The 'restart' input is left to
 * the caller.
 */
export function restarted<S extends object>(durable: readonly string[], state: S, fresh: S): S {
  const kept: Record<string, unknown> = {};
  for (const key of durable) if (key in state) kept[key] = (state as Record<string, unknown>)[key];
  return { ...fresh, ...structuredClone(kept) } as S;
}

/** A scenario for a consensus protocol from partial input (schema defaults fill the rest). */
export function consensusScenario(protocol: string, partial: Record<string, unknown>): Scenario {
  return ScenarioSchema.parse({
    schemaVersion: 1,
    name: `${protocol} test`,
    topic: 'consensus',
    protocol,
    seed: 1,
    ...partial,
  });
}

/** One trace row as the summary needs it. */
export interface SummaryRow {
  /** Virtual time, microseconds. */
  timeUs: number;
  /** Row kind. */
  kind: string;
  /** Node. */
  node: string;
  /** Free text. */
  detail?: string;
}

/**
 * A compact, human-readable event summary: protocol notes, client operations and replies,
 * faults and violations, one per line with the time in milliseconds. Sends, deliveries and
 * timers are left out (they are in the full trace), so a transcript reads like a story.
 */
export function eventSummary(rows: readonly SummaryRow[]): string {
  const keep = new Set(['note', 'client', 'reply', 'fault', 'restart', 'violation']);
  const lines: string[] = [];
  for (const r of rows) {
    if (!keep.has(r.kind)) continue;
    const t = (r.timeUs / 1000).toFixed(3).padStart(9);
    lines.push(`${t}ms ${(r.node || '-').padEnd(3)} ${r.kind.padEnd(9)} ${r.detail ?? ''}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}
