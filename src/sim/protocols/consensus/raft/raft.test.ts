import { beforeAll, describe, expect, it } from 'vitest';
import '../../../checkers/builtin';
import { registerProtocol } from '../../../catalog';
import { Simulation } from '../../../simulation';
import { RaftDriver } from '../../../test/raft-driver';
import { lastLogIndex } from './log';
import { raft } from './raft';
import { raftScenario } from './scenario';
import type { ServerState } from './types';

/** Whole-cluster behaviour on the kernel (Ongaro & Ousterhout 2014). */

beforeAll(() => registerProtocol(raft));

function servers(sim: Simulation) {
  return sim
    .nodeStates()
    .filter((n) => n.role === 'server')
    .map((n) => ({ id: n.id, up: n.up, s: n.state as ServerState }));
}

describe('Raft on the kernel', () => {
  it('the quick start elects one leader and serves a linearizable history (§5.2, §8)', () => {
    const sim = new Simulation(raftScenario({ seed: 1, maxTimeUs: 3_500_000 }));
    sim.runUntil(3_500_000);
    const ss = servers(sim);
    const leaders = ss.filter((x) => x.s.role === 'leader');
    expect(leaders, 'seed=1').toHaveLength(1);
    expect(new Set(ss.map((x) => x.s.currentTerm)).size).toBe(1);
    const m = sim.metrics();
    expect(m.counters.opsOk).toBeGreaterThan(100);
    expect(m.counters.opsUnknown).toBe(0);
    expect(sim.invariants().every((v) => v.ok === true)).toBe(true); // liveness included: no faults, due from 3 s
    // Every server applied the same commands: the same key-value store up to the common commit point.
    const lead = leaders[0]!.s;
    for (const x of ss) expect(x.s.log.slice(0, x.s.commitIndex)).toEqual(lead.log.slice(0, x.s.commitIndex));
  });

  it('a built-in scenario run twice gives the same trace hash, and replays from a checkpoint', () => {
    const sc = raftScenario({
      seed: 9,
      maxTimeUs: 3_000_000,
      nemesis: {
        enabled: true,
        crashRatePerS: 2,
        partitionRatePerS: 1,
        lossRatePerS: 1,
        clockSkewRatePerS: 1,
      },
    });
    const run = () => {
      const sim = new Simulation(sc, { checkpointEvery: 2000 });
      sim.runUntil(3_000_000);
      return sim;
    };
    const a = run();
    const b = run();
    expect(b.traceHash(), 'seed=9').toBe(a.traceHash());
    expect(JSON.stringify(b.nodeStates())).toBe(JSON.stringify(a.nodeStates()));
    const end = a.eventIndex;
    a.seek(Math.floor(end / 3));
    a.seek(end);
    expect(a.traceHash()).toBe(b.traceHash());
  });

  it('§5.5: after the leader crashes a new leader takes over in a higher term; the old one rejoins and catches up', () => {
    const sim = new Simulation(raftScenario({ seed: 4, maxTimeUs: 20_000_000 }));
    const d = new RaftDriver(sim, false);
    const l1 = d.untilLeader(3000);
    expect(l1).not.toBe('');
    d.run(300);
    const t1 = d.server(l1).s.currentTerm;
    d.inject({ kind: 'crash', node: l1 });
    const l2 = d.untilLeader(3000, [l1]);
    expect(l2, 'seed=4').not.toBe('');
    expect(d.server(l2).s.currentTerm).toBeGreaterThan(t1);
    // Volatile state is gone, persistent state (term, log) survived (Figure 2).
    const crashed = d.server(l1).s;
    expect(crashed.currentTerm).toBe(t1);
    expect(lastLogIndex(crashed)).toBeGreaterThan(0);
    d.run(500);
    d.inject({ kind: 'restart', node: l1 });
    d.run(1000);
    const back = d.server(l1);
    expect(back.up).toBe(true);
    expect(back.s.role).toBe('follower');
    expect(back.s.currentTerm).toBe(d.server(l2).s.currentTerm);
    expect(back.s.commitIndex).toBeGreaterThan(lastLogIndex(crashed));
    expect(sim.violation).toBeNull();
  });

  it('§5.2/§5.3: a leader partitioned from the majority cannot commit; a new leader can; healing reconciles', () => {
    const sim = new Simulation(raftScenario({ seed: 2, clients: 2, maxTimeUs: 20_000_000 }));
    const d = new RaftDriver(sim, false);
    const old = d.untilLeader(3000);
    d.run(200);
    const rest = d.servers.filter((s) => s !== old);
    d.inject({
      kind: 'partition',
      id: 'cut',
      groups: [
        [old, 'c1'],
        [...rest, 'c2'],
      ],
    });
    const fresh = d.untilLeader(3000, [old]);
    expect(fresh, 'seed=2').not.toBe('');
    // Answers in flight when the partition started have arrived by now.
    const commitBefore = d.server(old).s.commitIndex;
    d.run(1000);
    expect(d.server(old).s.role).toBe('leader'); // without check-quorum it does not know
    expect(d.server(old).s.commitIndex).toBe(commitBefore);
    expect(d.server(fresh).s.commitIndex).toBeGreaterThan(commitBefore);
    d.inject({ kind: 'heal', id: 'cut' });
    d.run(500);
    expect(d.server(old).s.role).toBe('follower');
    // The old leader's uncommitted tail was replaced by the new leader's entries (§5.3).
    const o = d.server(old).s;
    const f = d.server(fresh).s;
    expect(o.commitIndex).toBeGreaterThan(commitBefore + 5);
    expect(o.log.slice(0, o.commitIndex)).toEqual(f.log.slice(0, o.commitIndex));
    d.run(500);
    sim.runUntil(sim.nowUs); // finish the current instant
    const verdicts = sim.invariants();
    expect(verdicts.filter((v) => v.kind === 'invariant').every((v) => v.ok)).toBe(true);
  });

  it('check-quorum (thesis §6.2): a leader cut off from the majority steps down on its own', () => {
    const sim = new Simulation(
      raftScenario({ seed: 2, params: { checkQuorum: true }, maxTimeUs: 20_000_000 }),
    );
    const d = new RaftDriver(sim, false);
    const old = d.untilLeader(3000);
    d.run(500);
    const rest = d.servers.filter((s) => s !== old);
    d.inject({ kind: 'partition', id: 'cut', groups: [[old], rest] });
    const stepped = d.until(() => d.server(old).s.role !== 'leader', 1000);
    expect(stepped, 'seed=2').toBe(true);
  });

  it('§7: with snapshots a server that was down long catches up through InstallSnapshot', () => {
    const sim = new Simulation(
      raftScenario({ seed: 5, params: { snapshotEvery: 10 }, maxTimeUs: 20_000_000 }),
    );
    const d = new RaftDriver(sim, false);
    const l = d.untilLeader(3000);
    const victim = d.servers.find((s) => s !== l)!;
    d.inject({ kind: 'crash', node: victim });
    d.run(2000);
    expect(d.server(l).s.snapshot.lastIncludedIndex).toBeGreaterThan(10);
    d.inject({ kind: 'restart', node: victim });
    d.run(1000);
    const v = d.server(victim).s;
    const snaps = sim
      .traceWindow({ from: 0, to: sim.eventIndex + 1 }, 1e7)
      .filter((r) => r.msgType === 'InstallSnapshot');
    expect(snaps.length, 'seed=5').toBeGreaterThan(0);
    expect(v.snapshot.lastIncludedIndex).toBeGreaterThan(0);
    expect(v.commitIndex).toBeGreaterThanOrEqual(d.server(l).s.commitIndex - 5);
    // The state machine matches the leader's at the same applied index.
    const lead = d.server(l).s;
    if (lead.lastApplied === v.lastApplied) expect(v.kv).toEqual(lead.kv);
    expect(sim.violation).toBeNull();
  });

  it('a split vote: equal timeouts and simultaneous starts keep every server a candidate (§5.2)', () => {
    // All five servers time out at the same instant every time: each votes for itself.
    const sim = new Simulation(
      raftScenario({
        seed: 1,
        clients: 0,
        latency: { kind: 'constant', us: 5000 },
        params: { electionTimeoutMsMin: 150, electionTimeoutMsMax: 150 },
        maxTimeUs: 2_000_000,
      }),
    );
    sim.runUntil(2_000_000);
    const ss = servers(sim);
    expect(ss.every((x) => x.s.role === 'candidate')).toBe(true);
    expect(ss[0]!.s.ghost.elections).toBeGreaterThan(10);
    // Randomized timeouts break the tie (§5.2).
    const ok = new Simulation(raftScenario({ seed: 1, clients: 0, maxTimeUs: 2_000_000 }));
    ok.runUntil(2_000_000);
    expect(servers(ok).filter((x) => x.s.role === 'leader')).toHaveLength(1);
  });

  it('metrics and badges describe the cluster', () => {
    const sim = new Simulation(raftScenario({ seed: 3, maxTimeUs: 2_000_000 }));
    sim.runUntil(2_000_000);
    const series = Object.fromEntries(sim.metrics().series.map((s) => [s.id, s.v]));
    expect(series.leaders!.at(-1)).toBe(1);
    expect(series.leaderless![0]).toBe(1);
    expect(series.leaderless!.at(-1)).toBe(0);
    expect(series.termMax!.at(-1)).toBeGreaterThanOrEqual(1);
    expect(series.commitIndexMax!.at(-1)).toBeGreaterThan(10);
    expect(series.electionsStarted!.at(-1)).toBeGreaterThanOrEqual(1);
    const badges = sim.nodeStates().map((n) => n.badge);
    expect(badges.filter((b) => b.tone === 'good')).toHaveLength(1);
    expect(badges.find((b) => b.tone === 'good')!.text).toMatch(/^L t\d+ len \d+ ci \d+$/);
    sim.inject({ kind: 'crash', node: 's1' });
    sim.step(1);
    expect(sim.nodeState('s1')!.badge.tone).toBe('bad');
  });
});
