import { beforeAll, describe, expect, it } from 'vitest';
import './checkers/builtin';
import { registerProtocol } from './catalog';
import type { TraceEvent } from './kernel/trace';
import { raft } from './protocols/consensus/raft/raft';
import { raftScenario } from './protocols/consensus/raft/scenario';
import type { ServerState } from './protocols/consensus/raft/types';
import { Simulation } from './simulation';

/**
 * The nemesis tuned for consensus (docs/kernel.md "Nemesis"): crashes and partitions aimed at
 * the leader, quick restarts, crashes right after a promise, right after an election (before
 * the new leader's messages leave) and right after a new leader's first commit. Each action is
 * checked against what the cluster looked like when it happened, on Raft.
 */

beforeAll(() => registerProtocol(raft));

const RUN_US = 6_000_000;

function run(
  seed: number,
  nemesis: Record<string, unknown>,
  params: Record<string, unknown> = {},
): Simulation {
  const sim = new Simulation(
    raftScenario({ seed, params, nemesis: { enabled: true, ...nemesis }, maxTimeUs: RUN_US }),
  );
  sim.runUntil(RUN_US);
  return sim;
}

function rows(sim: Simulation): TraceEvent[] {
  return sim.traceWindow({ from: 0, to: sim.eventIndex + 1 }, 10_000_000);
}

function faultRows(sim: Simulation, prefix: string): TraceEvent[] {
  return rows(sim).filter((r) => r.kind === 'fault' && r.detail?.startsWith(prefix));
}

/** Server states just before an event (a fresh run of the same scenario, seeked there). */
function serversBefore(sim: Simulation, event: number): Map<string, { up: boolean; s: ServerState }> {
  const replay = new Simulation(sim.scenario);
  replay.seek(event - 1);
  const out = new Map<string, { up: boolean; s: ServerState }>();
  for (const n of replay.nodeStates()) {
    const s = n.state as ServerState | null;
    if (s !== null && s.kind === 'server') out.set(n.id, { up: n.up, s });
  }
  return out;
}

describe('leaderFocus', () => {
  it('every crash aimed at the leader takes down the up leader of the highest term', () => {
    const sim = run(3, { crashRatePerS: 2, meanDowntimeUs: 300_000, leaderFocus: 1 });
    const crashes = faultRows(sim, 'nemesis (the leader): crash ');
    expect(crashes.length).toBeGreaterThan(3);
    for (const r of crashes.slice(0, 6)) {
      const before = serversBefore(sim, r.index);
      const leaders = [...before].filter(([, v]) => v.up && v.s.role === 'leader');
      const top = Math.max(...leaders.map(([, v]) => v.s.currentTerm));
      expect(
        leaders.filter(([, v]) => v.s.currentTerm === top).map(([id]) => id),
        `seed 3 event ${r.index}`,
      ).toContain(r.node);
    }
  });

  it('a partition aimed at the leader leaves it with fewer than a majority of the servers', () => {
    const sim = run(5, { partitionRatePerS: 2, meanPartitionUs: 300_000, leaderFocus: 1, oneWayFraction: 0 });
    const cuts = faultRows(sim, 'nemesis (the leader cut off): partition');
    expect(cuts.length).toBeGreaterThan(3);
    for (const r of cuts.slice(0, 6)) {
      const before = serversBefore(sim, r.index);
      const leaders = [...before].filter(([, v]) => v.up && v.s.role === 'leader');
      const top = Math.max(...leaders.map(([, v]) => v.s.currentTerm));
      const leader = leaders.find(([, v]) => v.s.currentTerm === top)?.[0];
      const groups = [...r.detail!.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!.split(','));
      const side = groups.find((g) => leader !== undefined && g.includes(leader))!;
      expect(side, `seed 5 event ${r.index}: ${r.detail}`).toBeDefined();
      const servers = side.filter((id) => id.startsWith('s'));
      expect(servers.length).toBeLessThan(3); // 5 servers: a majority is 3
    }
  });

  it('at 0 the new options draw nothing: a run equals one without them, and turning one on changes it', () => {
    // Turning leaderFocus on for a run changes nothing else: the same seed with focus 0 draws
    // no extra random numbers, so its trace equals a run without the option at all.
    const plain = run(7, { crashRatePerS: 1 });
    const zero = run(7, { crashRatePerS: 1, leaderFocus: 0, quickRestartFraction: 0, crashAfterPromise: 0 });
    expect(zero.traceHash()).toBe(plain.traceHash());
    expect(run(7, { crashRatePerS: 1, leaderFocus: 1 }).traceHash()).not.toBe(plain.traceHash());
  });
});

describe('quick restarts', () => {
  it('every crash restarts within quickRestartUs when the fraction is 1', () => {
    const sim = run(2, { crashRatePerS: 3, quickRestartFraction: 1, quickRestartUs: 4_000 });
    const all = rows(sim);
    const crashes = all.filter((r) => r.kind === 'fault' && /^nemesis.*: crash /.test(r.detail ?? ''));
    expect(crashes.length).toBeGreaterThan(5);
    for (const c of crashes) {
      const back = all.find((r) => r.kind === 'restart' && r.node === c.node && r.timeUs >= c.timeUs);
      if (back === undefined) continue; // the run ended first
      expect(back.timeUs - c.timeUs, `seed 2 crash of ${c.node} at ${c.timeUs}`).toBeLessThanOrEqual(4_000);
    }
  });
});

describe('crashes at the moments that matter', () => {
  it('crashAfterPromise: a server crashes at the instant it votes (for a candidate or for itself), its messages already sent', () => {
    const sim = run(4, { crashAfterPromise: 1, quickRestartUs: 3_000 });
    const all = rows(sim);
    const crashes = all.filter(
      (r) => r.kind === 'fault' && r.detail?.startsWith('nemesis (right after a promise)'),
    );
    expect(crashes.length).toBeGreaterThan(0);
    let granted = 0;
    for (const c of crashes.slice(0, 10)) {
      const sent = all.filter((r) => r.kind === 'send' && r.node === c.node && r.timeUs === c.timeUs);
      const types = new Set(sent.map((r) => r.msgType));
      // A vote for another candidate goes out as RequestVoteResp; a vote for itself starts an election.
      expect(
        types.has('RequestVoteResp') || types.has('RequestVote'),
        `seed 4 crash of ${c.node} at ${c.timeUs}`,
      ).toBe(true);
      if (types.has('RequestVoteResp')) granted++;
    }
    expect(granted).toBeGreaterThan(0);
    // With the votes kept on disk, no term ever has two leaders.
    expect(sim.violation).toBeNull();
  });

  it('crashNewLeader: the new leader crashes in the step that elected it, before any AppendEntries leaves', () => {
    const sim = run(6, { crashNewLeader: 1 });
    const all = rows(sim);
    const crashes = all.filter((r) => r.kind === 'fault' && r.detail?.startsWith('nemesis (just elected'));
    expect(crashes.length).toBeGreaterThan(1);
    for (const c of crashes) {
      const sameEvent = all.filter((r) => r.index === c.index);
      expect(sameEvent.some((r) => r.kind === 'note' && r.detail?.startsWith('becomes leader'))).toBe(true);
      expect(sameEvent.filter((r) => r.kind === 'send' && r.node === c.node)).toEqual([]);
    }
    // Every leader is struck down at once, so nothing is ever committed, and nothing breaks.
    expect(sim.metrics().counters.opsOk ?? 0).toBe(0);
    expect(sim.violation).toBeNull();
  });

  it('crashAfterFirstCommit: a new leader crashes right after its first commit, and the commit survives it', () => {
    const sim = run(8, { crashAfterFirstCommit: 1, meanDowntimeUs: 200_000, crashRatePerS: 0.0001 });
    const crashes = faultRows(sim, 'nemesis (a new leader, right after its first commit)');
    expect(crashes.length).toBeGreaterThan(2);
    for (const c of crashes.slice(0, 4)) {
      const before = serversBefore(sim, c.index);
      expect(before.get(c.node)?.s.role, `seed 8 event ${c.index}`).toBe('leader');
    }
    // Leader completeness: the next leaders still hold what the crashed ones committed.
    expect(sim.violation).toBeNull();
    expect(sim.invariants().every((v) => v.ok !== false)).toBe(true);
  });

  it('the same seed gives the same run, and stepping back then forward lands on the same trace', () => {
    const nem = {
      crashRatePerS: 2,
      leaderFocus: 0.8,
      quickRestartFraction: 0.3,
      crashAfterPromise: 0.5,
      crashNewLeader: 0.3,
      crashAfterFirstCommit: 0.7,
      partitionRatePerS: 1,
    };
    const a = run(9, nem);
    const b = run(9, nem);
    expect(b.traceHash()).toBe(a.traceHash());
    const end = a.eventIndex;
    a.seek(Math.floor(end / 3));
    a.seek(end);
    expect(a.traceHash()).toBe(b.traceHash());
  });
});
