/**
 * The scenario's fault script as the inspector shows and edits it: readable descriptions,
 * stable time order, and which live faults are already in it. Pure.
 */
import type { Fault } from '../../../shared/scenario/schema';
import { formatSignedDuration } from '../run/format';
import { DEFAULT_LINK_NET, meanLatencyUs } from './scenario';

/** A scripted fault: when and what (Scenario.faults). */
export interface ScriptEntry {
  /** Virtual time, microseconds. */
  atUs: number;
  /** The fault. */
  fault: Fault;
}

/** Names to show for ids: node names, and links as "a – b". */
export interface Names {
  /** A node's display name (its id when unknown). */
  node(id: string): string;
  /** A link's ends as "n1 – switch" (its id when unknown), and its a and b names. */
  link(id: string): { text: string; a: string; b: string };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const group = (ids: readonly string[], names: Names) => `{${ids.map((id) => names.node(id)).join(', ')}}`;

/** One line a person can read: "Crash n2", "Partition {n1} | {n2, n3}", "Cut n1 – switch one way n1 → switch". */
export function describeFault(f: Fault, names: Names): string {
  switch (f.kind) {
    case 'crash':
      return `Crash ${names.node(f.node)}`;
    case 'restart':
      return `Restart ${names.node(f.node)}`;
    case 'pause':
      return `Pause ${names.node(f.node)}`;
    case 'resume':
      return `Resume ${names.node(f.node)}`;
    case 'partition':
      return `Partition ${f.groups.map((g) => group(g, names)).join(' | ')}${f.id ? ` (${f.id})` : ''}`;
    case 'partition-oneway':
      return `Partition one way ${group(f.from, names)} → ${group(f.to, names)}${f.id ? ` (${f.id})` : ''}`;
    case 'cut-link': {
      const l = names.link(f.link);
      if (f.direction === 'both') return `Cut link ${l.text}`;
      return f.direction === 'a-to-b'
        ? `Cut link one way ${l.a} → ${l.b}`
        : `Cut link one way ${l.b} → ${l.a}`;
    }
    case 'heal':
      return f.id === undefined ? 'Heal all partitions and links' : `Heal ${names.link(f.id).text}`;
    case 'degrade-link': {
      const parts: string[] = [];
      if (f.lossRate !== undefined) parts.push(`loss ${pct(f.lossRate)}`);
      if (f.dupRate !== undefined) parts.push(`duplication ${pct(f.dupRate)}`);
      if (f.reorderRate !== undefined) parts.push(`reordering ${pct(f.reorderRate)}`);
      if (f.latency !== undefined)
        parts.push(
          `mean latency ${Number((meanLatencyUs({ ...DEFAULT_LINK_NET, latency: f.latency }) / 1000).toPrecision(3))} ms`,
        );
      return `Degrade link ${names.link(f.link).text}${parts.length ? `: ${parts.join(', ')}` : ''}`;
    }
    case 'clock-step':
      return `Step ${names.node(f.node)}'s clock ${formatSignedDuration(f.deltaUs)}`;
    case 'clock-slew':
      return `Slew ${names.node(f.node)}'s clock ${formatSignedDuration(f.deltaUs)} at ${f.ratePpm} ppm`;
    case 'clock-drift':
      return `Set ${names.node(f.node)}'s clock drift to ${f.driftPpm} ppm`;
    case 'add-node':
      return `Add node ${f.node.name || f.node.id}`;
    case 'remove-node':
      return `Remove node ${names.node(f.node)}`;
    case 'add-link':
      return `Add link ${names.node(f.link.a)} – ${names.node(f.link.b)}`;
    case 'remove-link':
      return `Remove link ${names.link(f.link).text}`;
  }
}

/** The script's entries with their index in the document, in time order (ties keep script order, as the kernel runs them). */
export function byTime(script: readonly ScriptEntry[]): { entry: ScriptEntry; index: number }[] {
  return script
    .map((entry, index) => ({ entry, index }))
    .sort((x, y) => x.entry.atUs - y.entry.atUs || x.index - y.index);
}

const key = (e: ScriptEntry) => `${e.atUs} ${JSON.stringify(e.fault)}`;

/** Whether the script already holds this fault at this time. */
export function inScript(script: readonly ScriptEntry[], e: ScriptEntry): boolean {
  const k = key(e);
  return script.some((s) => key(s) === k);
}

/**
 * The script with entries added: each after the entries at or before its time, so the
 * document stays in time order and a fault added later runs after the ones already at that
 * time; entries already in the script are skipped.
 */
export function withEntries(script: readonly ScriptEntry[], add: readonly ScriptEntry[]): ScriptEntry[] {
  const out = [...script];
  for (const e of add) {
    if (inScript(out, e)) continue;
    let at = out.length;
    while (at > 0 && out[at - 1]!.atUs > e.atUs) at--;
    out.splice(at, 0, { atUs: e.atUs, fault: e.fault });
  }
  return out;
}
