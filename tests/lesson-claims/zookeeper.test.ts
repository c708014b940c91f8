/**
 * The ZooKeeper lesson's claims (summary, watch, try-this in zookeeper.ts) and its library
 * items' descriptions, each as a property over seeds (docs/protocols/lesson-claims.md lists
 * every claim and the test that backs it).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSeed } from '../../src/cli/run-seed';
import { loadScenarioFile } from '../../src/cli/scenario-file';
import type { Scenario } from '../../src/shared/scenario/schema';
import { zkQuickStart } from '../../src/sim/protocols/zookeeper/scenarios';
import { zxidOf } from '../../src/sim/protocols/zookeeper/tree';
import type { ClientState, ServerState } from '../../src/sim/protocols/zookeeper/types';
import { Simulation } from '../../src/sim/simulation';

const LIB = join(dirname(fileURLToPath(import.meta.url)), '../../resources/library');
const SEEDS = Array.from({ length: 10 }, (_, k) => k + 1);

const lib = (name: string, sets: string[] = []): Scenario =>
  loadScenarioFile(join(LIB, `zookeeper-${name}.dslab.json`), sets).scenario;
const servers = (sim: Simulation) =>
  sim
    .nodeStates()
    .filter((n) => (n.state as ServerState).kind === 'server')
    .map((n) => ({ id: n.id, up: n.up, s: n.state as ServerState }));
const clients = (sim: Simulation) =>
  sim
    .nodeStates()
    .filter((n) => (n.state as ClientState).kind === 'client')
    .map((n) => ({ id: n.id, up: n.up, c: n.state as ClientState }));
const server = (sim: Simulation, id: string) => sim.nodeState(id)!.state as ServerState;
/** Up servers that lead an established epoch, as `s2e2`. */
const leaders = (sim: Simulation) =>
  servers(sim)
    .filter((x) => x.up && x.s.state === 'LEADING' && x.s.established)
    .map((x) => `${x.id}e${x.s.currentEpoch}`);
const lastOf = (sim: Simulation, id: string) =>
  sim
    .metrics()
    .series.find((x) => x.id === id)!
    .v.at(-1) ?? 0;
const epochOf = (zxid: number) => Math.floor(zxid / 0x100000000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** The zxids a server has delivered, in order. */
const delivered = (s: ServerState) => s.history.slice(0, s.committed).map((p) => p.zxid);

describe('zookeeper, the summary: one leader, a quorum commits, in zxid order', () => {
  it('"one server leads … a write commits once a quorum acknowledges it, in zxid order" (quick start, seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const sim = new Simulation(zkQuickStart(), { seed });
      for (let t = 100_000; t <= 8_000_000; t += 100_000) {
        sim.runUntil(t);
        const l = leaders(sim);
        expect(l.length, `seed ${seed} at ${t} us: ${l}`).toBeLessThanOrEqual(1);
        if (t >= 500_000) expect(l.length, `seed ${seed} at ${t} us`).toBe(1);
        // Whatever the leader has committed, a quorum (2 of 3) holds in its history.
        const lead = servers(sim).find((x) => x.up && x.s.state === 'LEADING' && x.s.established);
        if (lead) {
          const z = delivered(lead.s);
          const holders = servers(sim).filter((x) => z.every((zx, i) => x.s.history[i]?.zxid === zx)).length;
          expect(holders, `seed ${seed} at ${t} us: committed ${z.length}`).toBeGreaterThanOrEqual(2);
        }
      }
      // Every server delivered increasing zxids, each a prefix of the longest.
      const ds = servers(sim).map((x) => delivered(x.s));
      const longest = ds.reduce((a, b) => (a.length >= b.length ? a : b));
      expect(longest.length, `seed ${seed}`).toBeGreaterThan(50);
      for (const d of ds) {
        expect(d, `seed ${seed}`).toEqual(longest.slice(0, d.length));
        for (let i = 1; i < d.length; i++) expect(d[i]!, `seed ${seed}`).toBeGreaterThan(d[i - 1]!);
      }
      expect(sim.violation, `seed ${seed}`).toBeNull();
    }
  });

  it('"a lock is a queue of ephemeral-sequential znodes, each waiter watching only the one before it"; with bugHerdLock every waiter watches /lock (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      for (const herd of [false, true]) {
        const sim = new Simulation(zkQuickStart(herd ? { bugHerdLock: true } : {}), { seed });
        let mostOnLock = 0;
        for (let t = 200_000; t <= 1_900_000; t += 50_000) {
          sim.runUntil(t);
          const onLock = new Set<string>();
          const perZnode = new Map<string, Set<string>>();
          for (const { up, s } of servers(sim)) {
            if (!up) continue;
            for (const w of s.childWatches['/lock'] ?? []) onLock.add(w);
            for (const [path, ws] of Object.entries(s.dataWatches))
              if (path.startsWith('/lock/'))
                for (const w of ws) perZnode.set(path, (perZnode.get(path) ?? new Set()).add(w));
          }
          mostOnLock = Math.max(mostOnLock, onLock.size);
          if (!herd) {
            expect(onLock.size, `seed ${seed} at ${t} us: watches on /lock`).toBe(0);
            for (const [path, ws] of perZnode) expect(ws.size, `seed ${seed} at ${t} us: ${path}`).toBe(1);
          }
          // The queue: every znode is <client>-<10 digits>, ephemeral, numbers distinct.
          const lead = servers(sim).find((x) => x.s.state === 'LEADING')!.s;
          const queue = Object.keys(lead.tree.nodes).filter((p) => p.startsWith('/lock/'));
          for (const p of queue) {
            expect(p, `seed ${seed}`).toMatch(/^\/lock\/c[1-5]-\d{10}$/);
            expect(lead.tree.nodes[p]!.ephemeralOwner, `seed ${seed} ${p}`).not.toBeNull();
          }
          expect(new Set(queue.map((p) => p.slice(-10))).size, `seed ${seed}`).toBe(queue.length);
        }
        if (herd) expect(mostOnLock, `seed ${seed}: waiters on /lock`).toBeGreaterThanOrEqual(3);
      }
    }
  });
});

describe('zookeeper, what to watch', () => {
  it('"the election: NOTIFICATION, then FOLLOWERINFO, NEWEPOCH, ACKEPOCH, NEWLEADER, ACKNEWLEADER and UPTODATE before the first PROPOSAL" (seeds 1..10)', () => {
    const order = [
      'NOTIFICATION',
      'FOLLOWERINFO',
      'NEWEPOCH',
      'ACKEPOCH',
      'NEWLEADER',
      'ACKNEWLEADER',
      'UPTODATE',
      'PROPOSAL',
    ];
    for (const seed of SEEDS) {
      const sim = new Simulation(zkQuickStart(), { seed });
      sim.runUntil(1_000_000);
      const rows = sim
        .traceWindow({ fromUs: 0, toUs: 1_000_001 }, 1_000_000)
        .filter((r) => r.kind === 'send');
      const first = order.map((m) => rows.findIndex((r) => r.msgType === m));
      for (const [k, m] of order.entries())
        expect(first[k], `seed ${seed}: ${m} sent`).toBeGreaterThanOrEqual(0);
      for (let k = 1; k < order.length; k++)
        expect(first[k]!, `seed ${seed}: ${order[k]} after ${order[k - 1]}`).toBeGreaterThan(first[k - 1]!);
    }
  });

  it('"each write: REQUEST to the leader, PROPOSAL, ACKs, COMMIT" — each proposal goes to both followers, each acks, each hears the commit (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      // No server fault in the quick start: one leader, two followers for the whole run.
      const sim = new Simulation(zkQuickStart(), { seed });
      sim.runUntil(8_000_000);
      const rows = sim
        .traceWindow({ fromUs: 0, toUs: 8_000_001 }, 10_000_000)
        .filter((r) => r.kind === 'send');
      const count = (m: string) => rows.filter((r) => r.msgType === m).length;
      const proposals = lastOf(sim, 'proposals');
      expect(proposals, `seed ${seed}`).toBeGreaterThan(50);
      expect(count('PROPOSAL'), `seed ${seed}`).toBe(2 * proposals);
      // Followers ack and the leader commits each proposal; the last few may be under way at the end.
      expect(count('ACK'), `seed ${seed}`).toBeGreaterThanOrEqual(2 * proposals - 4);
      expect(count('ACK'), `seed ${seed}`).toBeLessThanOrEqual(2 * proposals);
      expect(count('COMMIT'), `seed ${seed}`).toBeGreaterThanOrEqual(2 * proposals - 4);
      expect(count('COMMIT'), `seed ${seed}`).toBeLessThanOrEqual(2 * proposals);
      // Writes a follower's clients send travel to the leader as REQUESTs.
      expect(count('REQUEST'), `seed ${seed}`).toBeGreaterThan(0);
      expect(
        rows.filter((r) => r.msgType === 'REQUEST').every((r) => r.peer === 's3'),
        `seed ${seed}`,
      ).toBe(true);
    }
  });

  it('"at 2 s c1 crashes: its session expires after the session timeout, the leader proposes closeSession, and its lock znode goes" (quick start and zookeeper-lock, seeds 1..10)', () => {
    for (const sc of [zkQuickStart(), lib('lock')])
      for (const seed of SEEDS) {
        const sim = new Simulation(sc, { seed });
        sim.runUntil(1_990_000);
        const session = clients(sim).find((x) => x.id === 'c1')!.c.session!;
        // c1 last pinged at most a third of the 800 ms timeout before the crash.
        sim.runUntil(2_500_000);
        expect(lastOf(sim, 'sessionsExpired'), `seed ${seed}`).toBe(0);
        sim.runUntil(2_900_000);
        expect(lastOf(sim, 'sessionsExpired'), `seed ${seed}`).toBe(1);
        const lead = servers(sim).find((x) => x.s.state === 'LEADING')!.s;
        const close = delivered(lead).length;
        expect(
          lead.history
            .slice(0, close)
            .some((p) => p.txn.kind === 'closeSession' && p.txn.session === session),
          `seed ${seed}: closeSession ${session} committed`,
        ).toBe(true);
        sim.runUntil(3_000_000);
        for (const { s } of servers(sim))
          expect(
            Object.keys(s.tree.nodes).filter((p) => p.startsWith('/lock/c1-')),
            `seed ${seed}`,
          ).toEqual([]);
        sim.runUntil(8_000_000);
        expect(sim.violation, `seed ${seed}`).toBeNull();
        expect(lastOf(sim, 'locksAcquired'), `seed ${seed}: the others go on`).toBeGreaterThan(30);
      }
  });
});

describe('zookeeper, try this', () => {
  it('"turn on bugHerdLock: about 25 messages per release instead of 12" (quick start, seeds 1..10)', () => {
    const good: number[] = [];
    const herd: number[] = [];
    for (const seed of SEEDS) {
      const g = runSeed(zkQuickStart(), seed).metrics.series.lockMsgsPerRelease!.last!;
      const h = runSeed(zkQuickStart({ bugHerdLock: true }), seed).metrics.series.lockMsgsPerRelease!.last!;
      expect(h, `seed ${seed}`).toBeGreaterThan(1.8 * g);
      good.push(g);
      herd.push(h);
    }
    // Measured: medians 11.6 and 24.5.
    expect(median(good)).toBeGreaterThanOrEqual(10.5);
    expect(median(good)).toBeLessThanOrEqual(13.5);
    expect(median(herd)).toBeGreaterThanOrEqual(22.5);
    expect(median(herd)).toBeLessThanOrEqual(27.5);
  });

  it('"step through a release: one watch fires, and only the next client asks for the children"; the herd wakes every waiter (zookeeper-lock and zookeeper-quiet-the-herd, seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const perRelease = (sc: Scenario) => {
        const sim = new Simulation(withoutFaults(sc), { seed });
        sim.runUntil(8_000_000);
        return lastOf(sim, 'watchEvents') / lastOf(sim, 'locksAcquired');
      };
      // Five clients: one holds, four wait; a release wakes one of them, or with the herd all four.
      // watchEvents counts the watch events servers fire; locksAcquired the turns.
      const one = perRelease(lib('lock'));
      const all = perRelease(lib('quiet-the-herd'));
      expect(one, `seed ${seed}`).toBeGreaterThan(0.9);
      expect(one, `seed ${seed}`).toBeLessThanOrEqual(1.05);
      // At least one event per waiter (the herd's watch on /lock also fires when a znode is created).
      expect(all, `seed ${seed}`).toBeGreaterThan(3.5);
    }
  });

  it('"zookeeper-leader-crash: s3 crashes, s1 and s2 elect s2 in epoch 2 (zxids 0x2…), the clients move their sessions, s3 returns as a follower" (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const sim = new Simulation(lib('leader-crash'), { seed });
      sim.runUntil(1_990_000);
      expect(leaders(sim), `seed ${seed}`).toEqual(['s3e1']);
      const atS3 = clients(sim)
        .filter((x) => x.c.server === 's3')
        .map((x) => x.id);
      expect(atS3.length, `seed ${seed}: a client at s3`).toBeGreaterThan(0);
      // The followers wait syncLimit (5 ticks of 50 ms) before giving up on s3.
      sim.runUntil(2_150_000);
      for (const id of ['s1', 's2']) expect(server(sim, id).leader, `seed ${seed} ${id}`).toBe('s3');
      sim.runUntil(3_400_000);
      expect(leaders(sim), `seed ${seed}`).toEqual(['s2e2']);
      expect(server(sim, 's1').state, `seed ${seed}`).toBe('FOLLOWING');
      expect(server(sim, 's1').leader, `seed ${seed}`).toBe('s2');
      const s2 = server(sim, 's2');
      const epochs = delivered(s2).map(epochOf);
      expect(epochs.filter((e) => e === 2).length, `seed ${seed}: txns of epoch 2`).toBeGreaterThan(5);
      expect(epochs, `seed ${seed}`).toEqual([...epochs].sort((a, b) => a - b));
      expect(Math.max(...epochs), `seed ${seed}`).toBe(2);
      for (const { id, c } of clients(sim)) {
        expect(c.status, `seed ${seed} ${id}`).toBe('connected');
        expect(c.server, `seed ${seed} ${id}`).not.toBe('s3');
      }
      // The clients' operations are answered again under the new leader.
      const answered = sim.history().filter((o) => o.callUs >= 2_500_000 && o.returnUs !== null).length;
      expect(answered, `seed ${seed}: answered after the election`).toBeGreaterThan(10);
      sim.runUntil(8_000_000);
      const s3 = server(sim, 's3');
      expect([s3.state, s3.leader, s3.currentEpoch], `seed ${seed}`).toEqual(['FOLLOWING', 's2', 2]);
      const end2 = delivered(server(sim, 's2'));
      expect(delivered(s3), `seed ${seed}`).toEqual(end2.slice(0, delivered(s3).length));
      expect(delivered(s3).length, `seed ${seed}`).toBeGreaterThan(0.9 * end2.length);
      expect(
        end2.some((z) => z >= zxidOf(2, 1)),
        `seed ${seed}`,
      ).toBe(true);
      expect(sim.violation, `seed ${seed}`).toBeNull();
    }
  });

  it('"turn on bugNoEphemeralCleanup: c1\'s znode outlives its session, and ephemerals-die-with-session stops the run" (quick start, seeds 1..10)', () => {
    let caught = 0;
    for (const seed of SEEDS) {
      const r = runSeed(zkQuickStart({ bugNoEphemeralCleanup: true }), seed);
      if (r.violation !== null) {
        expect(r.violation.invariant, `seed ${seed}`).toBe('ephemerals-die-with-session');
        caught += 1;
        continue;
      }
      // Not caught: c1 crashed between two turns and held no znode when its session closed.
      const sim = new Simulation(zkQuickStart({ bugNoEphemeralCleanup: true }), { seed });
      sim.runUntil(8_000_000);
      for (const { s } of servers(sim))
        expect(
          Object.keys(s.tree.nodes).filter((p) => p.startsWith('/lock/c1-')),
          `seed ${seed}`,
        ).toEqual([]);
    }
    // Measured: 9 of 10 (seed 7 is the exception).
    expect(caught).toBeGreaterThanOrEqual(8);
  });

  it('"in zookeeper-leader-cut-off, bugCommitWithoutQuorum: zab-primary-integrity catches it"; bugSkipSyncPhase: zab-prefix (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      expect(runSeed(lib('leader-cut-off'), seed).violation, `seed ${seed}`).toBeNull();
      expect(
        runSeed(lib('leader-cut-off', ['params.bugCommitWithoutQuorum=true']), seed).violation?.invariant,
        `seed ${seed}`,
      ).toBe('zab-primary-integrity');
      expect(
        runSeed(lib('leader-cut-off', ['params.bugSkipSyncPhase=true']), seed).violation?.invariant,
        `seed ${seed}`,
      ).toBe('zab-prefix');
    }
  });

  it('"zookeeper-fence-the-lock: a client paused past its session timeout still believes it holds the lock"; fencing makes the store refuse it (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const sim = new Simulation(lib('fence-the-lock'), { seed });
      sim.runUntil(1_990_000);
      const holders = clients(sim)
        .filter((x) => x.c.holdsLock)
        .map((x) => x.id);
      expect(holders, `seed ${seed}: c1 paused, c2 took the lock`).toEqual(['c1', 'c2']);
      expect(lastOf(sim, 'sessionsExpired'), `seed ${seed}`).toBe(1);
      sim.runUntil(4_000_000);
      expect(sim.violation?.invariant, `seed ${seed}`).toBe('fenced-writes');
      const fenced = runSeed(lib('fence-the-lock', ['params.fencing=true']), seed);
      expect(fenced.violation, `seed ${seed}`).toBeNull();
      expect(fenced.metrics.series.sessionsExpired!.last, `seed ${seed}`).toBeGreaterThanOrEqual(1);
    }
  });
});

/** The scenario with its faults removed: the lock queue's steady state. */
function withoutFaults(sc: Scenario): Scenario {
  return { ...sc, faults: [] };
}

describe('zookeeper, the library items', () => {
  it('zookeeper-group-membership: c2 leaves every view when its session expires, every watch on /members fires, and c2 rejoins with a new session (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const sim = new Simulation(lib('group-membership'), { seed });
      const views = () =>
        clients(sim)
          .filter((x) => x.up)
          .map((x) => x.c.members.join(','));
      sim.runUntil(1_450_000);
      expect(views(), `seed ${seed}`).toEqual(Array(4).fill('c1,c2,c3,c4'));
      const session = clients(sim).find((x) => x.id === 'c2')!.c.session;
      const watchesBefore = lastOf(sim, 'watchEvents');
      sim.runUntil(2_900_000);
      expect(views(), `seed ${seed}`).toEqual(Array(3).fill('c1,c3,c4'));
      expect(
        lastOf(sim, 'watchEvents') - watchesBefore,
        `seed ${seed}: one per other member`,
      ).toBeGreaterThanOrEqual(3);
      sim.runUntil(6_000_000);
      expect(views(), `seed ${seed}`).toEqual(Array(4).fill('c1,c2,c3,c4'));
      const again = clients(sim).find((x) => x.id === 'c2')!.c.session;
      expect(again, `seed ${seed}`).not.toBeNull();
      expect(again, `seed ${seed}`).not.toBe(session);
      expect(sim.violation, `seed ${seed}`).toBeNull();
    }
  });

  it('zookeeper-config: c2 and c3 run version 1; c2 moves off the crashed s2 and runs version 3 without ever running 2; c3 runs each (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const sim = new Simulation(lib('config'), { seed });
      const runs = (id: string) => clients(sim).find((x) => x.id === id)!.c;
      sim.runUntil(600_000); // s2 crashes now
      expect([runs('c2').configVersion, runs('c3').configVersion], `seed ${seed}`).toEqual([1, 1]);
      expect(runs('c2').server, `seed ${seed}`).toBe('s2');
      sim.runUntil(2_000_000);
      expect(runs('c2').server, `seed ${seed}: moved`).not.toBe('s2');
      for (const id of ['c2', 'c3']) {
        expect(runs(id).configVersion, `seed ${seed} ${id}`).toBe(3);
        expect(runs(id).config, `seed ${seed} ${id}`).toBe('config v3');
      }
      expect(runs('c2').configSkipped, `seed ${seed}: c2 never ran version 2`).toBe(1);
      expect(runs('c3').configSkipped, `seed ${seed}: c3 ran each`).toBe(0);
      sim.runUntil(5_000_000);
      expect(sim.invariants().find((v) => v.id === 'config-converges')?.ok, `seed ${seed}`).toBe(true);
      expect(sim.violation, `seed ${seed}`).toBeNull();
    }
  });

  it('zookeeper-leader-election: c1 leads; when its session expires only the next in line is woken and leads; back, c1 queues at the back (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const sim = new Simulation(lib('leader-election'), { seed });
      const lead = () =>
        clients(sim)
          .filter((x) => x.up && x.c.holdsLock)
          .map((x) => x.id);
      sim.runUntil(1_450_000);
      expect(lead(), `seed ${seed}`).toEqual(['c1']);
      const watchesBefore = lastOf(sim, 'watchEvents');
      sim.runUntil(2_900_000);
      const next = lead();
      expect(next.length, `seed ${seed}`).toBe(1);
      expect(next[0], `seed ${seed}`).not.toBe('c1');
      expect(lastOf(sim, 'watchEvents') - watchesBefore, `seed ${seed}: one watch fired`).toBe(1);
      sim.runUntil(5_000_000);
      expect(lead(), `seed ${seed}`).toEqual(next);
      const c1 = clients(sim).find((x) => x.id === 'c1')!.c;
      const queue = Object.keys(server(sim, 's3').tree.nodes)
        .filter((p) => p.startsWith('/election/'))
        .sort((a, b) => a.slice(-10).localeCompare(b.slice(-10)));
      expect(queue.at(-1), `seed ${seed}: c1 at the back`).toBe(c1.myNode);
      expect(sim.violation, `seed ${seed}`).toBeNull();
    }
  });

  it('zookeeper-leader-cut-off: s3 gives up leading after syncLimit, s1 and s2 elect a leader of a new epoch, s3 drops its uncommitted proposals (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const sim = new Simulation(lib('leader-cut-off'), { seed });
      sim.runUntil(2_150_000);
      expect(leaders(sim), `seed ${seed}: s3 still leads within syncLimit`).toEqual(['s3e1']);
      sim.runUntil(2_450_000);
      expect(server(sim, 's3').state, `seed ${seed}`).not.toBe('LEADING');
      sim.runUntil(3_450_000);
      const l = leaders(sim);
      expect(l.length, `seed ${seed}`).toBe(1);
      expect(['s1e2', 's2e2'], `seed ${seed}`).toContain(l[0]);
      // What s3 proposed that s1 and s2 never stored is never delivered, and is gone from its
      // history once it syncs with the new leader.
      const s3 = server(sim, 's3');
      const quorum = new Set([...server(sim, 's1').history, ...server(sim, 's2').history].map((p) => p.zxid));
      const alone = s3.history
        .slice(s3.committed)
        .map((p) => p.zxid)
        .filter((z) => !quorum.has(z));
      expect(alone.length, `seed ${seed}: s3 proposed writes alone in the cut`).toBeGreaterThan(0);
      sim.runUntil(8_000_000);
      const after = server(sim, 's3').history.map((p) => p.zxid);
      for (const z of alone) expect(after, `seed ${seed}`).not.toContain(z);
      expect(sim.violation, `seed ${seed}`).toBeNull();
    }
  });

  it('zookeeper-slow-follower and zookeeper-read-the-latest: local reads at s1 miss a returned write (not promised); readMode sync makes the history linearizable with 200 operations or more (seeds 1..10)', () => {
    // The two files hold the same scenario (one a sandbox, one an exercise).
    const a = lib('slow-follower');
    const b = lib('read-the-latest');
    expect({ ...a, name: '' }).toEqual({ ...b, name: '' });
    for (const seed of SEEDS) {
      const local = runSeed(a, seed).invariants.find((v) => v.id === 'linearizability')!;
      expect(local.ok, `seed ${seed}`).toBe(false);
      expect(local.lesson, `seed ${seed}`).toMatch(
        /reads are served by the server the client is connected to/,
      );
      const sync = runSeed(lib('slow-follower', ['params.readMode=sync']), seed);
      expect(sync.invariants.find((v) => v.id === 'linearizability')?.ok, `seed ${seed}`).toBe(true);
      expect(sync.metrics.counters.opsOk, `seed ${seed}`).toBeGreaterThanOrEqual(200);
    }
  });

  it('zookeeper-quiet-the-herd: as shipped, well over 15 messages per release; watching the predecessor brings it under 15 with 20 locks or more (seeds 1..10)', () => {
    for (const seed of SEEDS) {
      const shipped = runSeed(lib('quiet-the-herd'), seed).metrics.series;
      expect(shipped.lockMsgsPerRelease!.last!, `seed ${seed}`).toBeGreaterThan(20);
      const fixed = runSeed(lib('quiet-the-herd', ['params.bugHerdLock=false']), seed).metrics.series;
      expect(fixed.lockMsgsPerRelease!.last!, `seed ${seed}`).toBeLessThanOrEqual(15);
      expect(fixed.locksAcquired!.last!, `seed ${seed}`).toBeGreaterThanOrEqual(20);
    }
  });
});
