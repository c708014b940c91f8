/**
 * The behaviour lock of the protocol-contract migration (issue "Protocol contract v2"): every
 * built-in scenario (the determinism set, each protocol's quick start and every library file)
 * runs for seeds 1..20 and its trace is reduced to the sequence of events a learner watches:
 * kind, time, node, peer and message type of every row. Note texts and state shapes are left
 * out on purpose: a migration may reword a note or reshape a state, but not change what
 * happens. `npx tsx tests/behaviour/record.ts` writes the fixture from the current build (`--help`:
 * `--add` for new scenarios, `--only NAME` to re-record one entry on purpose).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileItems } from '../../src/shared/files/format';
import { parseFile } from '../../src/shared/files/parse';
import { defaultScenario, listProtocols, type Scenario, Simulation } from '../../src/sim';
import { builtinScenarios } from '../../src/sim/scenarios';

/** Seeds every scenario runs with. */
export const SEEDS = Array.from({ length: 20 }, (_, k) => k + 1);
/** Events per run at most (faults late in a long scenario are covered by the golden tests). */
export const MAX_EVENTS = 6_000;

/** Every scenario the lock covers, by a stable name. */
export function lockedScenarios(): { name: string; scenario: Scenario }[] {
  const out: { name: string; scenario: Scenario }[] = [];
  for (const s of builtinScenarios()) out.push({ name: `builtin: ${s.name}`, scenario: s });
  for (const p of listProtocols())
    out.push({ name: `quick start: ${p.id}`, scenario: defaultScenario(p.id) });
  const dir = path.resolve('resources/library');
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.dslab.json'))
    .sort()) {
    const parsed = parseFile(readFileSync(path.join(dir, f), 'utf8'));
    if (!parsed.ok) throw new Error(`${f}: ${parsed.message}`);
    const items = fileItems(parsed.file);
    for (const [k, s] of items.scenarios.entries())
      out.push({ name: `${f} scenario ${k}`, scenario: s.scenario });
    for (const [k, e] of items.exercises.entries())
      out.push({ name: `${f} exercise ${k}`, scenario: e.exercise.scenario });
  }
  return out;
}

/** The event sequence of one run as a short digest, with the number of rows and where it stopped. */
export function eventDigest(scenario: Scenario, seed: number): string {
  const sim = new Simulation(scenario, { seed });
  sim.runFor(MAX_EVENTS);
  const h = createHash('sha256');
  const rows = sim.traceWindow({ from: 0, to: sim.eventIndex + 1 }, Number.MAX_SAFE_INTEGER);
  for (const r of rows)
    h.update(`${r.index}|${r.kind}|${r.timeUs}|${r.node}|${r.peer ?? ''}|${r.msgType ?? ''}\n`);
  return `${sim.eventIndex}:${rows.length}:${h.digest('hex').slice(0, 16)}`;
}
