import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { grade } from '../../shared/exercise/goals';
import { RunSummarySchema } from '../../shared/exercise/run-summary';
import { fileItems } from '../../shared/files/format';
import { parseFile } from '../../shared/files/parse';
import { getProtocol } from '../../sim/catalog';
import { KV_HISTORY_CHECKERS } from '../../sim/simulation';
import { builtinLibraryDir, loadBuiltinFiles } from './builtins';
import { migrate } from './database';
import { Library } from './library';

describe('the built-in library (resources/library)', () => {
  const files = loadBuiltinFiles();

  it('is found and holds valid files with keys', () => {
    expect(builtinLibraryDir()).toMatch(/resources[/\\]library$/);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const r = parseFile(f.text);
      expect(r.ok ? 'ok' : `${f.name}: ${r.message}`).toBe('ok');
    }
  });

  it('uses protocols, params and invariants that exist in the catalog', () => {
    // Collected, so one run lists every problem. (Metric goals are not checked here: a run's
    // metrics include kernel counters and gauges besides the protocol's own series.)
    const problems: string[] = [];
    for (const f of files) {
      const r = parseFile(f.text);
      if (!r.ok) continue;
      const items = fileItems(r.file);
      const scenarios = [
        ...items.scenarios.map((s) => s.scenario),
        ...items.exercises.map((e) => e.exercise.scenario),
      ];
      for (const s of scenarios) {
        const p = getProtocol(s.protocol);
        if (!p) {
          problems.push(`${f.name}: protocol ${s.protocol} is not in the catalog`);
          continue;
        }
        if (p.topic !== s.topic)
          problems.push(`${f.name}: ${s.protocol} is in topic ${p.topic}, not ${s.topic}`);
        const known = Object.keys(p.params.parse({}) as object);
        for (const k of Object.keys(s.params))
          if (!known.includes(k)) problems.push(`${f.name}: ${s.protocol} has no param ${k}`);
        const parsed = p.params.safeParse(s.params);
        if (!parsed.success) problems.push(`${f.name}: params: ${parsed.error.issues[0]!.message}`);
      }
      for (const e of items.exercises) {
        const p = getProtocol(e.exercise.scenario.protocol);
        if (!p) continue;
        const checks = [
          ...p.invariants.map((i) => i.id),
          ...((p as { liveness?: { id: string }[] }).liveness ?? []).map((l) => l.id),
          ...p.historyCheckers,
          ...(p.runChecks ?? []).map((c) => c.id),
          // Every run with a workload is checked for linearizability.
          ...(e.exercise.scenario.workload.kind === 'none' ? [] : KV_HISTORY_CHECKERS),
        ];
        for (const g of e.exercise.goals)
          if (g.kind === 'invariant' && !checks.includes(g.invariant))
            problems.push(
              `${f.name}: goal ${g.id} names invariant ${g.invariant}, which ${p.id} does not check`,
            );
        const known = Object.keys(p.params.parse({}) as object);
        for (const name of Object.keys(e.exercise.variant?.params ?? {}))
          if (!known.includes(name))
            problems.push(`${f.name}: the variant varies ${name}, not a param of ${p.id}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('seeds into an empty library, then stays unchanged', () => {
    const db = new Database(':memory:');
    migrate(db);
    const lib = new Library(db);
    const first = lib.seedBuiltins(files);
    expect(first.added.length).toBeGreaterThanOrEqual(3);
    expect(lib.list().items.every((i) => i.builtin)).toBe(true);
    expect(lib.list({ kind: 'exercise' }).total).toBeGreaterThanOrEqual(1);
    expect(lib.seedBuiltins(files).unchanged).toEqual(first.added);
  });

  it("the broadcast exercise's answer key passes a run that meets it", () => {
    const ex = files
      .map((f) => parseFile(f.text))
      .find((r) => r.ok && r.file.kind === 'exercise' && r.file.key === 'builtin:broadcast-break-dedupe');
    if (!ex?.ok || ex.file.kind !== 'exercise') throw new Error('no built-in exercise');
    const run = RunSummarySchema.parse({
      seed: 1,
      events: 500,
      simulatedUs: 1_000_000,
      outcome: 'violation',
      metrics: { deliveredTotal: 12 },
      invariants: [
        { id: 'no-duplication', ok: false, message: 'n2 delivered n1:1 twice', atEvent: 40 },
        { id: 'no-creation', ok: true },
      ],
      eventCounts: { send: 30 },
    });
    expect(grade(ex.file.exercise, run, { learner: 'Ada' }).passed).toBe(true);
  });
});
