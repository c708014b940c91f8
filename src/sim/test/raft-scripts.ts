import type { Scenario } from '../../shared/scenario/schema';
import { lastLogIndex, termAt } from '../protocols/consensus/raft/log';
import { raftScenario } from '../protocols/consensus/raft/scenario';
import type { Simulation } from '../simulation';
import { RaftDriver } from './raft-driver';

/**
 * The classic Raft scenarios as scripts over a RaftDriver: used by the golden transcripts
 * (tests/golden/raft), the bug-switch tests and the library. Each takes a Simulation the
 * caller created (so the caller registers the protocol) and returns the driver with its
 * transcript.
 */

/** Client node ids of a scenario. */
function clientIds(sc: Scenario): string[] {
  return sc.topology.nodes
    .filter((n) => n.role === 'client')
    .map((n) => n.id)
    .sort();
}

/** §5.2: the first election of a fresh cluster, then a few client writes. */
export function firstElection(sim: Simulation): RaftDriver {
  const d = new RaftDriver(sim);
  d.say('run 600 ms from a cold start');
  d.run(600);
  return d;
}

/** A split vote (§5.2): timeouts drawn from a narrow range make candidates collide. */
export function splitVote(sim: Simulation): RaftDriver {
  const d = new RaftDriver(sim, false);
  d.say('run until a leader is elected (narrow timeout range: collisions likely)');
  d.untilLeader(5000);
  d.say('run 100 ms more');
  d.run(100);
  return d;
}

/** The leader is cut off from the majority (§5.2, §5.3), then the partition heals. */
export function leaderPartitioned(sim: Simulation): RaftDriver {
  const d = new RaftDriver(sim);
  d.say('run until a leader L is elected, then 200 ms');
  const l = d.untilLeader(3000);
  d.run(200);
  const rest = d.servers.filter((s) => s !== l);
  const [c1, ...cs] = clientIds(d.scenario);
  const minority = c1 === undefined ? [l] : [l, c1];
  d.say(`partition {${minority.join(',')}} | {${[...rest, ...cs].join(',')}}`);
  d.inject({ kind: 'partition', id: 'cut', groups: [minority, [...rest, ...cs]] });
  d.run(1000);
  d.say('heal, run 500 ms');
  d.inject({ kind: 'heal', id: 'cut' });
  d.run(500);
  return d;
}

/**
 * The paper's Figure 8, rebuilt with partitions and crashes (indexes shift by the no-ops
 * leaders append). (a) Leader A replicates entries of its term only to B. (b) A crashes; Z,
 * among the others, wins the next term and appends its no-op at the same index, which reaches
 * nobody. (c) Z crashes; A restarts, wins a later term and copies its old entries to a
 * majority (or B does: same log); with bugCommitPreviousTerm it commits them by counting. It crashes before its own
 * term's no-op reaches that majority. (d) Z and A restart; Z can win with the votes of A and of the
 * server that got B's old entries but not its no-op (Z's last term beats theirs), then overwrites an entry A committed: leader-completeness breaks. Timing depends on
 * the seed: some seeds do not reach (d), which is why tests search seeds.
 */
export function figure8(sim: Simulation): RaftDriver {
  const d = new RaftDriver(sim);
  const clients = clientIds(d.scenario);
  d.say('(a) run until a leader A is elected, then 300 ms of client writes');
  const a = d.untilLeader(3000);
  if (a === '') return d;
  d.run(300);
  const others = d.servers.filter((s) => s !== a);
  const b = others[0]!;
  const rest = others.slice(1);
  d.say(`(a) partition {A=${a},B=${b},clients} | {${rest.join(',')}}; 200 ms of writes reach A and B only`);
  d.inject({ kind: 'partition', id: 'p1', groups: [[a, b, ...clients], rest] });
  d.run(200);
  d.say(
    `(b) crash A; move the clients to {${rest.join(',')}}; the first candidate Z there keeps its messages to itself once its vote requests are out`,
  );
  d.inject({ kind: 'crash', node: a });
  d.inject({ kind: 'heal', id: 'p1' });
  d.inject({
    kind: 'partition',
    id: 'p2',
    groups: [
      [a, b],
      [...rest, ...clients],
    ],
  });
  let z = '';
  d.until(() => {
    for (const id of rest) if (d.server(id).s.role === 'candidate') z = id;
    return z !== '';
  }, 3000);
  if (z === '') return d;
  const all = [...d.servers, ...clients].filter((x) => x !== z);
  d.inject({ kind: 'partition-oneway', id: 'z-out', from: [z], to: all });
  d.say(`(b) Z=${z}: run until it is leader (its no-op stays in its log), then crash it`);
  d.until(() => d.server(z).s.role === 'leader', 1000);
  const zNoop = lastLogIndex(d.server(z).s);
  d.inject({ kind: 'crash', node: z });
  d.say(`(c) heal (A and Z stay down); run until a leader is elected: only B=${b} can win`);
  d.inject({ kind: 'heal' });
  const x = d.untilLeader(3000, [z]);
  if (x !== b) return d;
  d.say(`(c) ${x} leads; run until it commits index ${zNoop}, then crash it`);
  d.until(() => d.server(x).s.commitIndex >= zNoop, 2000);
  const xs = d.server(x).s;
  d.say(
    `(c) ${x}'s commit index ${xs.commitIndex}: entry ${zNoop} has term ${termAt(xs, zNoop)}, ${x}'s term is ${xs.currentTerm}`,
  );
  d.inject({ kind: 'crash', node: x });
  d.say('(d) restart Z and A; run until a leader is elected, then 300 ms');
  d.inject({ kind: 'restart', node: z });
  d.inject({ kind: 'restart', node: a });
  d.untilLeader(3000, [x]);
  d.run(300);
  return d;
}

/** The Figure 8 scenario: 5 servers, 1 write-only client (4 requests at a time), one entry per AppendEntries. */
export function figure8Scenario(seed: number, params: Record<string, unknown> = {}): Scenario {
  return raftScenario({
    name: 'Raft: Figure 8',
    seed,
    clients: 1,
    params: { maxEntriesPerAppend: 1, ...params },
    workload: {
      kind: 'closed',
      concurrency: 4,
      thinkTimeUs: 10_000,
      readFraction: 0,
      keys: { pattern: 'k{i}', count: 3, distribution: 'uniform' },
      timeoutUs: 2_000_000,
    },
    maxTimeUs: 60_000_000,
  });
}

/**
 * Two candidates and one voter that restarts between their requests (3 servers): s1 and s3
 * cannot reach each other, s2 starts 20 ms late so it stays a voter, and s2 crashes and
 * restarts 156 ms in, between the two vote requests on many seeds. With
 * bugForgetVoteOnRestart s2 votes twice in term 1 and both candidates become leader.
 */
export function doubleVoteScenario(seed: number, params: Record<string, unknown> = {}): Scenario {
  return raftScenario({
    name: 'Raft: a vote forgotten on restart',
    seed,
    servers: 3,
    clients: 0,
    latency: { kind: 'uniform', minUs: 2000, maxUs: 10_000 },
    params: { electionTimeoutMsMin: 150, electionTimeoutMsMax: 150, ...params },
    faults: [
      { atUs: 0, fault: { kind: 'partition-oneway', id: 'a', from: ['s1'], to: ['s3'] } },
      { atUs: 0, fault: { kind: 'partition-oneway', id: 'b', from: ['s3'], to: ['s1'] } },
      { atUs: 0, fault: { kind: 'crash', node: 's2' } },
      { atUs: 20_000, fault: { kind: 'restart', node: 's2' } },
      { atUs: 156_000, fault: { kind: 'crash', node: 's2' } },
      { atUs: 156_500, fault: { kind: 'restart', node: 's2' } },
      { atUs: 600_000, fault: { kind: 'heal' } },
    ],
    maxTimeUs: 2_000_000,
  });
}
