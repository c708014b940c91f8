/**
 * Every built-in exercise can be graded in the app: its scenario runs, and each goal names a
 * metric, invariant or event the app's run summary (src/sim/run-summary.ts, the same function
 * the host records runs with) can contain. A goal naming a metric nobody reports could never
 * pass, and a learner would be stuck.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { grade } from '../src/shared/exercise/goals';
import { fileItems } from '../src/shared/files/format';
import { parseFile } from '../src/shared/files/parse';
import { createSimulation, KV_HISTORY_CHECKERS, listProtocols } from '../src/sim';
import { summarizeRun } from '../src/sim/run-summary';

const dir = path.resolve('resources/library');
const exercises = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.dslab.json'))
  .sort()
  .flatMap((f) => {
    const parsed = parseFile(fs.readFileSync(path.join(dir, f), 'utf8'));
    if (!parsed.ok) throw new Error(`${f}: ${parsed.message}`);
    return fileItems(parsed.file).exercises.map((e) => ({ file: f, exercise: e.exercise }));
  });

describe('built-in exercises are gradable', () => {
  it('there are exercises for every topic that has protocols', () => {
    const topics = new Set(listProtocols().map((p) => p.topic));
    const covered = new Set(exercises.map((e) => e.exercise.scenario.topic));
    for (const t of topics) expect(covered, `no exercise for topic ${t}`).toContain(t);
  });

  for (const { file, exercise } of exercises) {
    it(`${file}: every goal refers to something the run summary reports`, () => {
      const protocol = listProtocols().find((p) => p.id === exercise.scenario.protocol);
      expect(protocol, `${file}: unknown protocol`).toBeDefined();
      const sim = createSimulation(exercise.scenario);
      sim.runUntil(exercise.scenario.limits.maxTimeUs, 3_000_000);
      const summary = summarizeRun(sim);
      const checkers = new Set([
        ...protocol!.invariants.map((i) => i.id),
        ...protocol!.liveness.map((l) => l.id),
        ...protocol!.historyCheckers,
        ...protocol!.runChecks.map((c) => c.id),
        // Every run with a workload is checked for linearizability.
        ...(exercise.scenario.workload.kind === 'none' ? [] : KV_HISTORY_CHECKERS),
      ]);
      for (const goal of exercise.goals) {
        if (goal.kind === 'metric')
          expect(Object.keys(summary.metrics), `${file}: goal ${goal.id}`).toContain(goal.metric);
        if (goal.kind === 'invariant')
          expect([...checkers], `${file}: goal ${goal.id}`).toContain(goal.invariant);
        if (goal.kind === 'outcome')
          expect(['completed', 'violation', 'stopped', 'limit']).toContain(goal.outcome);
      }
      const g = grade(exercise, summary, { scenario: exercise.scenario });
      expect(g.goals).toHaveLength(exercise.goals.length);
      for (const r of g.goals)
        expect(r.why.length, `${file}: goal ${r.id} has no explanation`).toBeGreaterThan(0);
    });
  }
});
