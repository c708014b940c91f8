/**
 * Every built-in exercise is a real exercise (issue 15 item 8): run untouched it fails, for the
 * exercise as handed out and for learners' variants; its intended solution, done as the
 * instructions and hints say (scripted below), passes without touching a locked part; its goal
 * labels are never blank; and the thresholds its goals check are the ones its text states.
 * A new built-in exercise needs its solution here (the first test says so).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeGoal, type Grade, grade } from '../src/shared/exercise/goals';
import type { Exercise, Goal } from '../src/shared/exercise/schema';
import { variantFor } from '../src/shared/exercise/variant';
import { fileItems } from '../src/shared/files/format';
import { parseFile } from '../src/shared/files/parse';
import { type Scenario, ScenarioSchema } from '../src/shared/scenario/schema';
import { createSimulation } from '../src/sim';
import { paxosCommitTopology } from '../src/sim/protocols/transactions/paxos-commit';
import { summarizeRun } from '../src/sim/run-summary';

/** One run a learner makes: a scenario, and optionally a live params change at a time. */
interface Attempt {
  scenario: Scenario;
  live?: { atUs: number; params: Record<string, unknown> };
}

/** The intended solution: the runs a learner makes, in order; the first that passes counts. */
type Solution = (start: Scenario) => Attempt[];

const edit = (s: Scenario, change: Partial<Scenario>): Scenario => ScenarioSchema.parse({ ...s, ...change });
const withParams = (s: Scenario, params: Record<string, unknown>): Attempt[] => [
  { scenario: edit(s, { params: { ...s.params, ...params } }) },
];
/** "Try a few seeds": the same change with seeds 1..n. */
const seeds = (s: Scenario, n: number): Attempt[] =>
  Array.from({ length: n }, (_, k) => ({ scenario: edit(s, { seed: k + 1 }) }));

const SOLUTIONS: Record<string, Solution> = {
  // Several writes under way at once deliver 8 messages before the first relayed copy lands.
  'broadcast-break-dedupe': (s) => [
    { scenario: edit(s, { workload: { ...s.workload, ratePerS: 2000 } as Scenario['workload'] }) },
  ],
  // Step s1's 15 ms at the first round instead of slewing them for 30 s.
  'berkeley-meet-sooner': (s) => withParams(s, { stepThresholdMs: 5 }),
  'cristian-tighter-readings': (s) => withParams(s, { maxRoundTripMs: 16 }),
  'consistent-hashing-node-leaves': (s) => withParams(s, { replicationFactor: 2 }),
  'consistent-hashing-smooth-the-ring': (s) => withParams(s, { vnodes: 256 }),
  'dynamo-consistent-partition': (s) => withParams(s, { mode: 'cp' }),
  'dynamo-quorum-overlap': (s) => withParams(s, { r: 2, w: 2 }),
  'heartbeat-detector-tune': (s) => withParams(s, { deltaUs: 30_000 }),
  // The store checks the lock znode's sequence number: c1's late write is refused.
  'zookeeper-fence-the-lock': (s) => withParams(s, { fencing: true }),
  // A sync before each read brings c1's server up to the leader's latest proposal.
  'zookeeper-read-the-latest': (s) => withParams(s, { readMode: 'sync' }),
  // Each waiter watches only its predecessor (§2.4), not /lock.
  'zookeeper-quiet-the-herd': (s) => withParams(s, { bugHerdLock: false }),
  'kafka-acks-for-reads': (s) => withParams(s, { acks: 'all' }),
  'kafka-keep-acknowledged-records': (s) => withParams(s, { uncleanLeaderElection: false }),
  'kafka-group-fewer-moves': (s) => withParams(s, { assignor: 'sticky' }),
  // Longer than g3's 0.8 s down, short enough for the progress check to run before the end.
  'kafka-group-ride-out-a-cut': (s) => withParams(s, { groupSessionTimeoutMs: 1000 }),
  // Deploy job v2 (the fix) at 3 s: it replays the log and the serving layer switches to it.
  'kappa-deploy-the-fix': (s) => withParams(s, { redeployAtMs: 3000 }),
  'lambda-fresh-answers': (s) => withParams(s, { speedLayer: true }),
  // The message must carry the send event's stamp: turn the switch that breaks IR2(a) off.
  'logical-clocks-fix-the-clock': (s) => withParams(s, { bugIncrementAfterSend: false }),
  // Vector stamps prove every concurrent receipt; Lamport stamps only the ties.
  'logical-clocks-prove-concurrency': (s) => withParams(s, { clock: 'vector' }),
  'mapreduce-backup-tasks': (s) => withParams(s, { backupTasks: true }),
  'spark-cache-the-links': (s) => withParams(s, { cache: true }),
  'storm-count-once': (s) => withParams(s, { idempotentCounts: true }),
  'mapreduce-locality': (s) => withParams(s, { locality: true }),
  // Short crashes of a2 every 5 ms, seeds until one falls between the promise and the accept.
  // Step c2's 100 ms at its first update instead of slewing it for 200 s.
  'ntp-slew-or-step': (s) => withParams(s, { stepThresholdMs: 50 }),
  'paxos-break-forget-promise': (s) => {
    const faults = s.faults.filter((f) => f.fault.kind.startsWith('partition'));
    for (let t = 2000; t < 200_000; t += 5000)
      faults.push(
        { atUs: t, fault: { kind: 'crash', node: 'a2' } },
        { atUs: t + 500, fault: { kind: 'restart', node: 'a2' } },
      );
    return seeds(edit(s, { faults }), 10);
  },
  // Lower the TM's patience below the ~76 ms rm3 takes to send its Phase2a.
  'paxos-commit-impatient-leader': (s) => withParams(s, { leaderTimeoutMs: 50 }),
  // Five acceptors (F = 2): a3, a4 and a5 stay up, and a3 takes over T2.
  'paxos-commit-two-acceptors-down': (s) => [{ scenario: edit(s, { topology: paxosCommitTopology(0, 5) }) }],
  'paxos-make-them-duel': (s) =>
    seeds(
      edit(s, {
        params: { ...s.params, backoffMsMin: 0, backoffMsMax: 0 },
        workload: { ...s.workload, concurrency: 2 } as Scenario['workload'],
      }),
      10,
    ),
  // Degrade the leader's link 10 ms before it crashes at 300 ms; restart it later; try seeds.
  'paxos-multi-leader-takeover': (s) =>
    seeds(
      edit(s, {
        faults: [
          { atUs: 290_000, fault: { kind: 'degrade-link', link: 'r1-sw', lossRate: 0.5 } },
          { atUs: 300_000, fault: { kind: 'crash', node: 'r1' } },
          { atUs: 300_000, fault: { kind: 'degrade-link', link: 'r1-sw', lossRate: 0 } },
          { atUs: 700_000, fault: { kind: 'restart', node: 'r1' } },
        ],
      }),
      20,
    ),
  // Turn the configured nemesis on and try seeds.
  'raft-break-election-restriction': (s) =>
    seeds(edit(s, { nemesis: { ...s.nemesis, enabled: true } as Scenario['nemesis'] }), 20),
  // Move s2's crash between the two vote requests (they reach it about 155 ms in).
  'raft-double-vote': (s) =>
    seeds(
      edit(s, {
        faults: s.faults.map((f) =>
          f.fault.kind === 'crash' && f.atUs > 0
            ? { ...f, atUs: 156_000 }
            : f.fault.kind === 'restart' && f.atUs > 20_000
              ? { ...f, atUs: 156_500 }
              : f,
        ),
      }),
      20,
    ),
  // Crash s1 for 100 ms one second in, while it holds acked messages it has not processed.
  'pubsub-ack-too-early': (s) =>
    seeds(
      edit(s, {
        faults: [
          { atUs: 1_000_000, fault: { kind: 'crash', node: 's1' } },
          { atUs: 1_100_000, fault: { kind: 'restart', node: 's1' } },
        ],
      }),
      10,
    ),
  // A queue deep enough for what piles up while s2 is away (about 40 a queue in two seconds).
  'pubsub-backpressure': (s) => withParams(s, { queueCapacity: 100 }),
  'pubsub-effectively-once': (s) => withParams(s, { semantics: 'effectively-once' }),
  'raft-split-votes': (s) => withParams(s, { electionTimeoutMsMax: 300 }),
  'replication-failover-no-lost-writes': (s) => withParams(s, { mode: 'sync' }),
  'replication-no-stale-reads': (s) => withParams(s, { mode: 'sync', waitFor: 'applied' }),
  // Bring s3 in live (the inspector's shardCount while the run goes).
  'sharding-add-a-shard': (s) => [{ scenario: s, live: { atUs: 2_000_000, params: { shardCount: 3 } } }],
  'sharding-cheap-range-scans': (s) => withParams(s, { strategy: 'range' }),
  // The PRE-COMMIT round is what lets uncertain participants abort safely: turn the switch off.
  'three-phase-commit-unblock': (s) => withParams(s, { bugSkipPreCommit: false }),
  // Partition after every YES left (about 315 ms) and before PRE-COMMIT leaves (about 320 ms).
  'three-phase-commit-split-it': (s) => [
    { scenario: edit(s, { faults: s.faults.map((f) => ({ ...f, atUs: 317_500 })) }) },
  ],
  'two-phase-commit-ask-the-others': (s) => withParams(s, { termination: 'cooperative' }),
  // Crash p1 at 318 ms, after its YES for T2 is on disk and before the Commit arrives.
  'two-phase-commit-break-forget-log': (s) => [
    {
      scenario: edit(s, {
        faults: s.faults.map((f) => ({ ...f, atUs: f.atUs + 118_000 })),
      }),
    },
  ],
};

const dir = path.resolve('resources/library');
const EXERCISES = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.dslab.json'))
  .sort()
  .flatMap((f) => {
    const parsed = parseFile(fs.readFileSync(path.join(dir, f), 'utf8'));
    if (!parsed.ok) throw new Error(`${f}: ${parsed.message}`);
    return fileItems(parsed.file).exercises.map((e) => ({
      name: f.replace(/\.dslab\.json$/, ''),
      ex: e.exercise,
    }));
  });

/** Learners whose variants are checked besides the exercise as handed out (no name). */
const LEARNERS = [undefined, 'Ada Lovelace', 'Grace Hopper'];

/** Runs an attempt to its end (or to the checker that stops it) and grades it as the host does. */
function runAndGrade(ex: Exercise, learner: string | undefined, a: Attempt): Grade {
  const sim = createSimulation(a.scenario);
  if (a.live) {
    sim.runUntil(a.live.atUs);
    sim.applyLive({ kind: 'params', params: a.live.params });
  }
  sim.runUntil(a.scenario.limits.maxTimeUs, 5_000_000);
  return grade(ex, summarizeRun(sim), { scenario: a.scenario, ...(learner ? { learner } : {}) });
}

const startOf = (ex: Exercise, learner: string | undefined) =>
  learner ? variantFor(ex, learner).scenario : ex.scenario;

/** The numbers a goal checks that its text must state (0 and 1 read as words: "no", "one"). */
function thresholds(g: Goal): number[] {
  if (g.kind === 'metric') return typeof g.value === 'number' && g.value >= 2 ? [g.value] : [];
  if (g.kind === 'event') return [g.atLeast, g.atMost].filter((v): v is number => v !== undefined && v >= 2);
  return [];
}

/** Small numbers as a text may write them. */
const WORDS: Record<number, string[]> = {
  2: ['two', 'twice', 'second'],
  3: ['three', 'third'],
  4: ['four', 'fourth'],
  5: ['five'],
  10: ['ten'],
};

/** Whether a text states a number (1,000 or 1000; 0.1 as itself; small ones in words too). */
function states(text: string, n: number): boolean {
  const forms = [String(n), n.toLocaleString('en-US')];
  if (forms.some((f) => new RegExp(`(^|[^0-9A-Za-z_.,])${f.replace(/[.,]/g, '\\$&')}(?![0-9])`).test(text)))
    return true;
  return (WORDS[n] ?? []).some((w) => new RegExp(`\\b${w}\\b`, 'i').test(text));
}

describe('built-in exercises', () => {
  it('every built-in exercise has its intended solution here, and every solution an exercise', () => {
    expect(EXERCISES.map((e) => e.name).sort()).toEqual(Object.keys(SOLUTIONS).sort());
  });

  for (const { name, ex } of EXERCISES) {
    describe(name, () => {
      it('goal labels are never blank, and the text states every threshold a goal checks', () => {
        for (const g of ex.goals) {
          expect(describeGoal(g).trim(), `${name}: goal ${g.id}`).not.toBe('');
          for (const n of thresholds(g)) {
            expect(
              states(ex.instructions, n),
              `${name}: the instructions do not state ${n} (goal ${g.id})`,
            ).toBe(true);
            if (g.title)
              expect(states(g.title, n), `${name}: goal ${g.id}'s title does not state ${n}`).toBe(true);
          }
        }
      });

      it('fails untouched, as handed out and for learners', () => {
        for (const who of LEARNERS) {
          const g = runAndGrade(ex, who, { scenario: startOf(ex, who) });
          expect(g.passed, `${name} (${who ?? 'no name'}) passes with nothing done`).toBe(false);
        }
      });

      it('passes with its intended solution, locks respected', () => {
        for (const who of LEARNERS) {
          const attempts = SOLUTIONS[name]!(startOf(ex, who));
          const grades = attempts.map((a) => runAndGrade(ex, who, a));
          const best = grades.find((g) => g.passed) ?? grades[0]!;
          expect(
            best.passed,
            `${name} (${who ?? 'no name'}): ${JSON.stringify(best.goals.filter((g) => !g.passed))}`,
          ).toBe(true);
        }
      });
    });
  }
});
