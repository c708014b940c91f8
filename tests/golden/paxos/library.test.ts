import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { grade } from '../../../src/shared/exercise/goals';
import type { RunSummary } from '../../../src/shared/exercise/run-summary';
import type { ExerciseInput } from '../../../src/shared/exercise/schema';
import { type DslabFileInput, DslabFileSchema, serializeFile } from '../../../src/shared/files/format';
import { parseFile } from '../../../src/shared/files/parse';
import { type Scenario, type ScenarioInput, ScenarioSchema } from '../../../src/shared/scenario/schema';
import { registerProtocol } from '../../../src/sim/catalog';
import { summarizeRun } from '../../../src/sim/run-summary';
import '../../../src/sim/checkers/builtin';
import { multiPaxos } from '../../../src/sim/protocols/consensus/multi-paxos';
import { paxos } from '../../../src/sim/protocols/consensus/paxos';
import { Simulation } from '../../../src/sim/simulation';

/**
 * The built-in Paxos library files (resources/library/paxos-*.dslab.json). The files are
 * generated from the definitions below (`UPDATE_GOLDEN=1` rewrites them; then run
 * `npx biome format --write resources/library/paxos-*.dslab.json`) and must parse with
 * the library's own parser. Every exercise is graded twice: its starting scenario must not
 * already pass, and a known solution must pass, so each exercise is solvable.
 */

beforeAll(() => {
  registerProtocol(paxos);
  registerProtocol(multiPaxos);
});

const LIB = join(__dirname, '..', '..', '..', 'resources', 'library');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const paxosTopo = paxos.defaultTopology(paxos.params.parse({}));
const mpTopo = multiPaxos.defaultTopology(multiPaxos.params.parse({}));

function sc(input: Omit<ScenarioInput, 'schemaVersion'>): Scenario {
  return ScenarioSchema.parse({ schemaVersion: 1, ...input });
}

/** The host's run summary: exactly what the app grades exercises against. */
const summarize = (sim: Simulation): RunSummary => summarizeRun(sim);

function run(s: Scenario): RunSummary {
  const sim = new Simulation(s);
  sim.runFor(2_000_000);
  return summarize(sim);
}

// ------------------------------------------------------------------ scenarios

const paxosQuickStart = sc({
  name: 'Paxos quick start',
  topic: 'consensus',
  protocol: 'paxos',
  params: {},
  topology: paxosTopo,
  workload: {
    kind: 'closed',
    concurrency: 2,
    thinkTimeUs: 20_000,
    readFraction: 0.2,
    keys: { list: ['x'] },
    timeoutUs: 2_000_000,
  },
  faults: [
    { atUs: 0, fault: { kind: 'crash', node: 'a3' } },
    { atUs: 1_000_000, fault: { kind: 'restart', node: 'a3' } },
  ],
  seed: 1,
  limits: { maxTimeUs: 2_000_000 },
});

const duelStart = sc({
  name: 'Make two proposers duel',
  topic: 'consensus',
  protocol: 'paxos',
  params: {},
  topology: paxosTopo,
  workload: { kind: 'closed', concurrency: 1, readFraction: 0, keys: { list: ['x'] }, timeoutUs: 2_000_000 },
  seed: 1,
  limits: { maxTimeUs: 1_000_000 },
});

/** p2 cannot reach a1 and p1 cannot reach a3, so a2 is in both proposers' majorities. */
const forgetStart = sc({
  name: 'Break Paxos: forget a promise',
  topic: 'consensus',
  protocol: 'paxos',
  params: { bugForgetPromiseOnRestart: true },
  topology: paxosTopo,
  workload: { kind: 'closed', concurrency: 2, readFraction: 0, keys: { list: ['x'] }, timeoutUs: 2_000_000 },
  faults: [
    { atUs: 0, fault: { kind: 'partition-oneway', id: 'p2-a1', from: ['p2'], to: ['a1'] } },
    { atUs: 0, fault: { kind: 'partition-oneway', id: 'p1-a3', from: ['p1'], to: ['a3'] } },
    { atUs: 2_000, fault: { kind: 'crash', node: 'a2' } },
    { atUs: 2_500, fault: { kind: 'restart', node: 'a2' } },
  ],
  seed: 1,
  limits: { maxTimeUs: 200_000 },
});

const mpQuickStart = sc({
  name: 'Multi-Paxos quick start',
  topic: 'consensus',
  protocol: 'multi-paxos',
  params: {},
  topology: mpTopo,
  workload: {
    kind: 'closed',
    concurrency: 2,
    thinkTimeUs: 10_000,
    readFraction: 0.5,
    keys: { pattern: 'key-{i}', count: 5 },
    timeoutUs: 1_000_000,
  },
  faults: [
    { atUs: 1_000_000, fault: { kind: 'crash', node: 'r1' } },
    { atUs: 2_000_000, fault: { kind: 'restart', node: 'r1' } },
  ],
  seed: 1,
  limits: { maxTimeUs: 3_000_000 },
});

const takeoverStart = sc({
  name: 'Multi-Paxos: take over the log',
  topic: 'consensus',
  protocol: 'multi-paxos',
  params: {},
  topology: mpTopo,
  workload: {
    kind: 'closed',
    concurrency: 2,
    thinkTimeUs: 10_000,
    readFraction: 0.5,
    keys: { list: ['x', 'y'] },
    timeoutUs: 1_000_000,
    stopUs: 900_000,
  },
  seed: 1,
  limits: { maxTimeUs: 1_000_000 },
});

// ------------------------------------------------------------------ files

interface Entry {
  /** File name without the suffix. */
  name: string;
  /** The file. */
  file: DslabFileInput;
  /** For exercises: a scenario that solves it. */
  solution?: Scenario;
}

const exercise = (e: ExerciseInput) => e;

const ENTRIES: Entry[] = [
  {
    name: 'paxos-quick-start',
    file: {
      format: 'dslab',
      kind: 'scenario',
      schemaVersion: 1,
      key: 'builtin:paxos-quick-start',
      description:
        'Single-decree Paxos: two proposers, three acceptors, one learner, one client. a3 is down for the first second, so every ballot needs both a1 and a2. Watch the ballots on the badges, the phase notes in the trace and the learner learning the one chosen value.',
      tags: ['consensus', 'paxos', 'faults'],
      scenario: paxosQuickStart,
    },
  },
  {
    name: 'paxos-make-them-duel',
    file: {
      format: 'dslab',
      kind: 'exercise',
      schemaVersion: 1,
      key: 'builtin:paxos-make-them-duel',
      description:
        'An exercise with graded goals: make two Paxos proposers pre-empt each other again and again.',
      tags: ['consensus', 'paxos', 'exercise'],
      exercise: exercise({
        title: 'Make two proposers duel',
        scenario: duelStart,
        instructions:
          '# Make two proposers duel\n\nPaxos is always safe, but it is not always live: two proposers can keep pre-empting each other. A proposer that is told about a higher ballot gives up and retries with a still higher ballot, which in turn pre-empts the other one (Paxos Made Simple §2.4).\n\nThis cluster has one client with one request at a time, so only one proposer is ever busy.\n\n1. Give the client more than one request at a time so both proposers get a value to propose.\n2. Look for `duel:` notes in the trace and the **duels** metric.\n3. Make the proposers retry without waiting (the `backoffMsMin`/`backoffMsMax` params) and try a few seeds until the proposers duel at least twice before a value is chosen.\n4. Put the random backoff back and compare: how does randomness end the duel?\n\nYou may change the workload, the params and the seed; the topology is locked.',
        goals: [
          {
            id: 'duels',
            kind: 'metric',
            metric: 'duels',
            op: '>=',
            value: 2,
            title: 'Proposers are pre-empted at least twice',
          },
          {
            id: 'chosen',
            kind: 'metric',
            metric: 'chosenValues',
            op: '==',
            value: 1,
            title: 'A value is still chosen in the end',
          },
          { id: 'safe', kind: 'invariant', invariant: 'at-most-one-chosen', expect: 'holds' },
        ],
        hints: [
          {
            text: 'The workload’s `concurrency` is the number of requests the client keeps open.',
            afterFailedRuns: 0,
          },
          {
            text: 'With both backoff params at 0, a pre-empted proposer retries at once. Seeds 1 to 10 are worth a try.',
            afterFailedRuns: 2,
          },
        ],
        locks: ['topology', 'params.bugForgetPromiseOnRestart'],
      }),
    },
    solution: sc({
      ...duelStart,
      params: { backoffMsMin: 0, backoffMsMax: 0 },
      workload: {
        kind: 'closed',
        concurrency: 2,
        readFraction: 0,
        keys: { list: ['x'] },
        timeoutUs: 2_000_000,
      },
      seed: 2,
    }),
  },
  {
    name: 'paxos-break-forget-promise',
    file: {
      format: 'dslab',
      kind: 'exercise',
      schemaVersion: 1,
      key: 'builtin:paxos-break-forget-promise',
      description:
        'An exercise with graded goals: acceptors that forget their promise on restart let Paxos choose two values; find the schedule.',
      tags: ['consensus', 'paxos', 'exercise'],
      exercise: exercise({
        title: 'Break Paxos: forget a promise',
        scenario: forgetStart,
        instructions:
          '# Break Paxos: forget a promise\n\nAn acceptor must keep its promise in stable storage (Paxos Made Simple §2.3: "an acceptor must remember this information even if it fails and then restarts"). This cluster has `bugForgetPromiseOnRestart` on: after a restart an acceptor only remembers the ballot of the value it accepted.\n\np2 cannot reach a1 and p1 cannot reach a3, so a2 is in the majority of both proposers. The client gives each proposer a value at once.\n\n1. Run it and read the trace: when does a2 promise p2’s ballot, and when does p1’s accept request reach it?\n2. Make a2 crash and restart *between* those two moments (change the crash times, add more crash/restart pairs, or try other seeds) until the **at-most-one-chosen** checker stops the run with two chosen values.\n3. Turn the bug switch off in a copy and run the same schedule: what does a2 answer p1 now?\n\nThe topology, the partitions and the bug switch are locked.',
        goals: [
          {
            id: 'two-values',
            kind: 'invariant',
            invariant: 'at-most-one-chosen',
            expect: 'broken',
            title: 'Two different values are chosen',
          },
        ],
        hints: [
          {
            text: 'A crash only helps in a window of a few milliseconds. Many short crashes of a2 (say every 5 ms) give many chances.',
            afterFailedRuns: 1,
          },
        ],
        locks: ['topology', 'params.bugForgetPromiseOnRestart'],
        variant: { salt: 'paxos-break-forget-promise', seed: true, params: {} },
      }),
    },
    solution: (() => {
      const faults: ScenarioInput['faults'] = forgetStart.faults.slice(0, 2);
      for (let t = 2000; t < 200_000; t += 5000)
        faults.push(
          { atUs: t, fault: { kind: 'crash', node: 'a2' } },
          { atUs: t + 500, fault: { kind: 'restart', node: 'a2' } },
        );
      return sc({ ...forgetStart, faults, seed: 3 });
    })(),
  },
  {
    name: 'paxos-multi-quick-start',
    file: {
      format: 'dslab',
      kind: 'scenario',
      schemaVersion: 1,
      key: 'builtin:paxos-multi-quick-start',
      description:
        'Multi-Paxos on three replicas with two clients doing puts and gets. r1, the leader on this seed, crashes at 1 s and comes back at 2 s (on another seed another replica may win the first election: crash that one instead). Watch the leader badge move, the takeover note (re-proposed slots and no-ops), chosenSlots and the client latency.',
      tags: ['consensus', 'paxos', 'multi-paxos', 'faults'],
      scenario: mpQuickStart,
    },
  },
  {
    name: 'paxos-multi-leader-takeover',
    file: {
      format: 'dslab',
      kind: 'exercise',
      schemaVersion: 1,
      key: 'builtin:paxos-multi-leader-takeover',
      description:
        'An exercise with graded goals: crash the Multi-Paxos leader so the new one has to fill a gap with a no-op.',
      tags: ['consensus', 'paxos', 'multi-paxos', 'exercise'],
      exercise: exercise({
        title: 'Multi-Paxos: take over the log',
        scenario: takeoverStart,
        instructions:
          '# Multi-Paxos: take over the log\n\nA new Multi-Paxos leader runs phase 1 once for every slot from its first undecided one. For each slot it must re-propose the highest-ballot value its majority reports, and it fills the slots nobody reported with a **no-op** (Paxos Made Simple §3).\n\n1. Run the scenario and find the leader (its badge says `leader`).\n2. Crash the leader while the clients are busy, and let a follower take over: the **leaderChanges** metric reaches 2 and the trace shows a `leader at` note with the re-proposed slots.\n3. Now make the old leader leave a *gap*: some of its last phase 2 messages must reach no replica of the new majority while later ones do. Degrade the leader’s link (loss) a few milliseconds before it crashes, and try seeds until the takeover note reports at least one no-op.\n4. The log must stay consistent the whole time, and the clients must keep getting answers (at least 60 over the run).',
        goals: [
          {
            id: 'takeover',
            kind: 'metric',
            metric: 'leaderChanges',
            op: '>=',
            value: 2,
            title: 'A second leader takes over',
          },
          {
            id: 'noop',
            kind: 'metric',
            metric: 'noopsFilled',
            op: '>=',
            value: 1,
            title: 'The new leader fills a gap with a no-op',
          },
          { id: 'safe', kind: 'invariant', invariant: 'one-value-per-slot', expect: 'holds' },
          {
            id: 'progress',
            kind: 'metric',
            metric: 'opsOk',
            op: '>=',
            value: 60,
            title: 'Clients get at least 60 answers',
          },
        ],
        hints: [
          {
            text: 'A `crash` fault on the leader around 300 ms, with a `restart` later, is enough for the takeover.',
            afterFailedRuns: 0,
          },
          {
            text: 'A `degrade-link` fault with `lossRate` 0.5 on the leader’s link 10 ms before the crash loses some of its last messages.',
            afterFailedRuns: 2,
          },
        ],
        locks: ['topology', 'params.bugForgetPromiseOnRestart', 'params.bugNoNoopFill'],
      }),
    },
    solution: sc({
      ...takeoverStart,
      faults: [
        { atUs: 290_000, fault: { kind: 'degrade-link', link: 'r1-sw', lossRate: 0.5 } },
        { atUs: 300_000, fault: { kind: 'crash', node: 'r1' } },
        { atUs: 300_000, fault: { kind: 'degrade-link', link: 'r1-sw', lossRate: 0 } },
        { atUs: 700_000, fault: { kind: 'restart', node: 'r1' } },
      ],
      seed: 14,
    }),
  },
];

describe('built-in Paxos library files', () => {
  // Determinism: each built-in scenario twice gives the same trace hash, and a
  // replay from a checkpoint reaches the same hash.
  it('every built-in scenario is deterministic and replays from a checkpoint', () => {
    for (const e of ENTRIES) {
      const f = DslabFileSchema.parse(e.file);
      const s = f.kind === 'scenario' ? f.scenario : f.kind === 'exercise' ? f.exercise.scenario : null;
      if (s === null) continue;
      const a = new Simulation(s, { checkpointEvery: 500 });
      a.runFor(20_000);
      const b = new Simulation(s);
      b.runFor(20_000);
      expect(b.traceHash(), `${e.name} seed=${s.seed}`).toBe(a.traceHash());
      const end = a.eventIndex;
      const hash = a.traceHash();
      a.seek(Math.floor(end / 3));
      a.seek(end);
      expect(a.traceHash(), `${e.name} seed=${s.seed} after seek`).toBe(hash);
    }
  });

  for (const e of ENTRIES) {
    it(`${e.name}.dslab.json parses, matches its definition and (exercises) is solvable`, () => {
      const path = join(LIB, `${e.name}.dslab.json`);
      const text = serializeFile(DslabFileSchema.parse(e.file));
      // Rewritten only when the data changed, so an update does not undo biome's layout.
      const same = (() => {
        try {
          return JSON.stringify(JSON.parse(readFileSync(path, 'utf8'))) === JSON.stringify(JSON.parse(text));
        } catch {
          return false;
        }
      })();
      if (UPDATE && !same) writeFileSync(path, text);
      const parsed = parseFile(readFileSync(path, 'utf8'));
      if (!parsed.ok) throw new Error(parsed.message);
      // Compared as data: `npx biome format --write` may lay the JSON out differently.
      expect(JSON.parse(readFileSync(path, 'utf8')), `${e.name}: UPDATE_GOLDEN=1 rewrites it`).toEqual(
        JSON.parse(text),
      );
      const f = parsed.file;
      if (f.kind === 'scenario') {
        const sum = run(f.scenario);
        expect(sum.outcome, `${e.name} seed=${f.scenario.seed}`).toBe('completed');
        expect(sum.metrics.opsOk, e.name).toBeGreaterThan(10);
        return;
      }
      if (f.kind !== 'exercise') throw new Error('unexpected bundle');
      const start = grade(f.exercise, run(f.exercise.scenario));
      expect(start.passed, `${e.name}: the starting scenario already passes`).toBe(false);
      const sol = grade(f.exercise, run(e.solution!), { scenario: e.solution! });
      expect(sol.passed, `${e.name}: ${JSON.stringify(sol.goals.filter((g) => !g.passed))}`).toBe(true);
    });
  }
});
