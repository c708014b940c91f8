import { describe, expect, it } from 'vitest';
import { runSeed } from '../../../cli/run-seed';
import { ScenarioSchema } from '../../../shared/scenario/schema';
import { Simulation } from '../../simulation';
import { handle, type RecorderWorld } from '../../toolkit/recorder';
import {
  zkConfig,
  zkElection,
  zkLeaderCrash,
  zkLeaderCutOff,
  zkMembership,
  zkPausedHolder,
  zkQuickStart,
  zkSlowFollower,
} from './scenarios';
import { initServer } from './server';
import { applyTxn, type DataTree, initialTree, prepare, sequenceSuffix, zxidHex, zxidOf } from './tree';
import { type ClientState, type ServerState, type ZkMsg, ZooKeeperParams } from './types';
import { zookeeper } from './zookeeper';

const base = { session: 'S', xid: 1, origin: 's1' };

/** A tree with /lock, /kv/a and an open session S. */
function tree(): DataTree {
  const t = initialTree({ '/lock': [], '/kv': ['a'] });
  t.sessions.S = { client: 'c1', timeoutMs: 800, lastXid: 0 };
  return t;
}

describe('the data model and its txns (Hunt et al. §2.1-2.2, §4.1)', () => {
  it('a sequential child is named with the parent cversion, ten digits zero padded', () => {
    const t = tree();
    const a = prepare(
      t,
      { op: 'create', path: '/lock/c1-', data: '', ephemeral: true, sequential: true },
      base,
    );
    expect(a).toMatchObject({
      kind: 'create',
      path: '/lock/c1-0000000000',
      ephemeralOwner: 'S',
      parentCversion: 1,
    });
    applyTxn(t, a, zxidOf(1, 1));
    const b = prepare(
      t,
      { op: 'create', path: '/lock/c2-', data: '', ephemeral: true, sequential: true },
      { ...base, xid: 2 },
    );
    expect(b).toMatchObject({ path: '/lock/c2-0000000001' });
    expect(sequenceSuffix(42)).toBe('0000000042');
  });

  it('setData and delete are conditional on the version; -1 matches any', () => {
    const t = tree();
    expect(prepare(t, { op: 'setData', path: '/kv/a', data: 'x', version: 3 }, base)).toMatchObject({
      kind: 'error',
      err: 'BadVersion',
    });
    const set = prepare(t, { op: 'setData', path: '/kv/a', data: 'x', version: 0 }, base);
    expect(set).toMatchObject({ kind: 'setData', version: 1 });
    applyTxn(t, set, zxidOf(1, 1));
    expect(prepare(t, { op: 'setData', path: '/kv/a', data: 'y', version: -1 }, base)).toMatchObject({
      version: 2,
    });
    expect(prepare(t, { op: 'delete', path: '/kv/a', version: 0 }, base)).toMatchObject({
      err: 'BadVersion',
    });
    expect(prepare(t, { op: 'delete', path: '/kv', version: -1 }, base)).toMatchObject({ err: 'NotEmpty' });
    expect(prepare(t, { op: 'delete', path: '/nope', version: -1 }, base)).toMatchObject({ err: 'NoNode' });
  });

  it('an ephemeral znode has no children, and a closed session can create nothing', () => {
    const t = tree();
    applyTxn(
      t,
      prepare(t, { op: 'create', path: '/e', data: '', ephemeral: true, sequential: false }, base),
      5,
    );
    expect(
      prepare(t, { op: 'create', path: '/e/x', data: '', ephemeral: false, sequential: false }, base),
    ).toMatchObject({ err: 'NoChildrenForEphemerals' });
    expect(
      prepare(t, { op: 'create', path: '/e', data: '', ephemeral: false, sequential: false }, base),
    ).toMatchObject({ err: 'NodeExists' });
    expect(
      prepare(
        t,
        { op: 'create', path: '/f', data: '', ephemeral: true, sequential: false },
        { ...base, session: 'gone' },
      ),
    ).toMatchObject({ err: 'SessionExpired' });
  });

  it('txns are idempotent: applying one twice changes nothing more', () => {
    const t = tree();
    const txn = prepare(
      t,
      { op: 'create', path: '/lock/c1-', data: 'c1', ephemeral: true, sequential: true },
      base,
    );
    applyTxn(t, txn, 7);
    const once = structuredClone(t);
    applyTxn(t, txn, 7);
    expect(t).toEqual(once);
  });

  it("closing a session deletes its ephemeral znodes and bumps the parent's cversion", () => {
    const t = tree();
    applyTxn(
      t,
      prepare(t, { op: 'create', path: '/lock/c1-', data: '', ephemeral: true, sequential: true }, base),
      1,
    );
    const changed = applyTxn(
      t,
      { kind: 'closeSession', session: 'S', xid: 0, origin: 's1', ephemerals: ['/lock/c1-0000000000'] },
      2,
    );
    expect(t.nodes['/lock']!.children).toEqual([]);
    expect(t.nodes['/lock']!.cversion).toBe(2);
    expect(t.sessions.S).toBeUndefined();
    expect(changed.childrenChanged).toEqual(['/lock']);
  });

  it('a zxid prints as 0x<epoch><counter>', () => {
    expect(zxidHex(zxidOf(2, 5))).toBe('0x200000005');
  });
});

const params = ZooKeeperParams.parse({});
const world = (
  self: string,
  over: Partial<RecorderWorld<ZooKeeperParams>> = {},
): RecorderWorld<ZooKeeperParams> => ({
  self,
  nodes: { s1: 'server', s2: 'server', s3: 'server', c1: 'client' },
  params,
  ...over,
});
const msg = (from: string, m: ZkMsg) => ({ kind: 'message' as const, from, msg: m });

/** s3 leading epoch 1 with s1 and s2 in broadcast, one outstanding proposal. */
function leader(p = params): ServerState {
  const s = initServer('s3');
  s.tree = initialTree({ '/kv': ['a'] });
  s.tree.sessions.S = { client: 'c1', timeoutMs: 800, lastXid: 0 };
  Object.assign(s, {
    state: 'LEADING',
    leader: 's3',
    phase: 'broadcast',
    established: true,
    newEpoch: 1,
    currentEpoch: 1,
    acceptedEpoch: 1,
  });
  s.learners = { s1: { phase: 'broadcast', heardUs: 0 }, s2: { phase: 'broadcast', heardUs: 0 } };
  s.prepTree = structuredClone(s.tree);
  const out = handle(
    zookeeper,
    s,
    msg('s1', {
      type: 'REQUEST',
      epoch: 1,
      session: 'S',
      xid: 1,
      origin: 's1',
      req: { op: 'setData', path: '/kv/a', data: 'x', version: -1 },
    }),
    world('s3', { params: p }),
  );
  expect(out.sent.filter((x) => x.msg.type === 'PROPOSAL').map((x) => x.to)).toEqual(['s1', 's2']);
  return s;
}

describe('Zab (DSN 2011 §IV)', () => {
  it('fast leader election: a better vote (epoch, zxid, id) is adopted and sent on', () => {
    const s = initServer('s1');
    handle(zookeeper, s, { kind: 'start' }, world('s1'));
    const out = handle(
      zookeeper,
      s,
      msg('s3', {
        type: 'NOTIFICATION',
        vote: { leader: 's3', zxid: 0, epoch: 0 },
        round: 1,
        state: 'LOOKING',
      }),
      world('s1'),
    );
    expect(s.vote.leader).toBe('s3');
    expect(out.sent.map((x) => x.to)).toEqual(['s2', 's3']);
    // A quorum (s1, s3) agrees: the decision waits for the finalize timer.
    expect(out.timers).toContainEqual({ name: 'finalize', afterUs: params.finalizeWaitMs * 1000 });
    // A worse vote (lower zxid) changes nothing.
    s.history.push({
      zxid: 9,
      txn: { kind: 'error', err: 'NoNode', op: 'x', path: '/', session: 'S', xid: 1, origin: 's1' },
    });
    const none = handle(
      zookeeper,
      s,
      msg('s2', {
        type: 'NOTIFICATION',
        vote: { leader: 's2', zxid: 0, epoch: 0 },
        round: 1,
        state: 'LOOKING',
      }),
      world('s1'),
    );
    expect(s.vote.leader).toBe('s3');
    expect(none.sent).toEqual([]);
  });

  it('the leader commits a proposal once a quorum acknowledged it, not before', () => {
    const s = leader();
    expect(s.committed).toBe(0);
    const out = handle(zookeeper, s, msg('s1', { type: 'ACK', epoch: 1, zxid: zxidOf(1, 1) }), world('s3'));
    expect(s.committed).toBe(1);
    expect(s.tree.nodes['/kv/a']!.data).toBe('x');
    expect(out.sent.filter((x) => x.msg.type === 'COMMIT').map((x) => x.to)).toEqual(['s1', 's2']);
  });

  it('bugCommitWithoutQuorum: the leader commits on its own ack', () => {
    const s = leader(ZooKeeperParams.parse({ bugCommitWithoutQuorum: true }));
    expect(s.committed).toBe(1);
  });

  it('synchronization: NEWLEADER makes the leader history the follower history', () => {
    const f = initServer('s1');
    Object.assign(f, { state: 'FOLLOWING', leader: 's3', acceptedEpoch: 2, currentEpoch: 1 });
    f.history = [
      {
        zxid: zxidOf(1, 7),
        txn: { kind: 'error', err: 'NoNode', op: 'x', path: '/', session: 'S', xid: 1, origin: 's1' },
      },
    ];
    const h = [
      {
        zxid: zxidOf(1, 6),
        txn: {
          kind: 'error' as const,
          err: 'NoNode' as const,
          op: 'y',
          path: '/',
          session: 'S',
          xid: 1,
          origin: 's1',
        },
      },
    ];
    const out = handle(zookeeper, f, msg('s3', { type: 'NEWLEADER', epoch: 2, history: h }), world('s1'));
    expect(f.history.map((p) => p.zxid)).toEqual([zxidOf(1, 6)]);
    expect(f.currentEpoch).toBe(2);
    expect(out.sent).toEqual([{ to: 's3', msg: { type: 'ACKNEWLEADER', epoch: 2 } }]);
  });

  it('a NEWEPOCH below the accepted epoch sends the follower back to looking', () => {
    const f = initServer('s1');
    Object.assign(f, { state: 'FOLLOWING', leader: 's3', acceptedEpoch: 4 });
    handle(zookeeper, f, msg('s3', { type: 'NEWEPOCH', epoch: 3 }), world('s1'));
    expect(f.state).toBe('LOOKING');
  });
});

describe('whole runs, seeds 1-6', () => {
  const SEEDS = [1, 2, 3, 4, 5, 6];

  it('the quick start: the lock changes hands, c1 expires, no check breaks', () => {
    for (const seed of SEEDS) {
      const r = runSeed(zkQuickStart(), seed);
      expect(r.violation, `seed=${seed}`).toBeNull();
      expect(r.metrics.series.locksAcquired!.last, `seed=${seed}`).toBeGreaterThan(10);
      expect(r.metrics.series.sessionsExpired!.last, `seed=${seed}`).toBeGreaterThanOrEqual(1);
    }
  });

  it('the herd version costs more messages per release than watching the predecessor', () => {
    for (const seed of SEEDS.slice(0, 3)) {
      const good = runSeed(zkQuickStart(), seed).metrics.series.lockMsgsPerRelease!.last!;
      const herd = runSeed(zkQuickStart({ bugHerdLock: true }), seed).metrics.series.lockMsgsPerRelease!
        .last!;
      expect(herd, `seed=${seed}`).toBeGreaterThan(1.5 * good);
    }
  });

  it('through a leader crash and a cut-off leader, every server ends with the same txns', () => {
    for (const make of [zkLeaderCrash, zkLeaderCutOff])
      for (const seed of SEEDS.slice(0, 3)) {
        const sim = new Simulation(make(), { seed });
        sim.runFor(1e9);
        const servers = sim.nodeStates().filter((n) => (n.state as ServerState).kind === 'server');
        const delivered = servers.map((n) =>
          (n.state as ServerState).history.slice(0, (n.state as ServerState).committed).map((p) => p.zxid),
        );
        const longest = delivered.reduce((a, b) => (a.length >= b.length ? a : b));
        for (const d of delivered) expect(d, `seed=${seed}`).toEqual(longest.slice(0, d.length));
        expect(Math.min(...delivered.map((d) => d.length)), `seed=${seed}`).toBeGreaterThan(
          0.9 * longest.length,
        );
        const v = sim.invariants().filter((x) => x.ok === false);
        expect(
          v.filter((x) => x.lesson === undefined),
          `seed=${seed}`,
        ).toEqual([]);
      }
  });

  it('local reads at a slow follower miss a returned write (not promised, a lesson); sync fixes it', () => {
    for (const seed of SEEDS.slice(0, 3)) {
      const local = runSeed(zkSlowFollower(), seed).invariants.find((v) => v.id === 'linearizability')!;
      expect(local.ok, `seed=${seed}`).toBe(false);
      expect(local.lesson, `seed=${seed}`).toMatch(
        /reads are served by the server the client is connected to/,
      );
      const sync = runSeed(zkSlowFollower({ readMode: 'sync' }), seed).invariants.find(
        (v) => v.id === 'linearizability',
      )!;
      expect(sync.ok, `seed=${seed}`).toBe(true);
    }
  });

  it('group membership: a crashed member leaves every view once its session expires, and rejoins', () => {
    for (const seed of SEEDS.slice(0, 3)) {
      const sim = new Simulation(zkMembership(), { seed });
      const views = () =>
        sim
          .nodeStates()
          .filter((n) => n.up && (n.state as ClientState).kind === 'client')
          .map((n) => (n.state as ClientState).members.join(','));
      sim.runUntil(1_400_000);
      expect(views(), `seed=${seed}`).toEqual(Array(4).fill('c1,c2,c3,c4'));
      sim.runUntil(2_900_000); // c2 crashed at 1.5 s; its 800 ms session has expired
      expect(views(), `seed=${seed}`).toEqual(Array(3).fill('c1,c3,c4'));
      sim.runUntil(6_000_000);
      expect(views(), `seed=${seed}`).toEqual(Array(4).fill('c1,c2,c3,c4'));
      expect(sim.invariants().find((v) => v.id === 'group-views-converge')?.ok, `seed=${seed}`).toBe(true);
    }
  });

  it('configuration management: every reader ends on the last version, skipped ones counted (seeds 1..10)', () => {
    let skipped = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const sim = new Simulation(zkConfig(), { seed });
      sim.runUntil(5_000_000);
      const readers = sim
        .nodeStates()
        .filter((n) => (n.state as ClientState).kind === 'client')
        .slice(1)
        .map((n) => n.state as ClientState);
      const zc = (sim.nodeState('s1')!.state as ServerState).tree.nodes['/config']!;
      expect(zc.version, `seed=${seed}: the operator pushed three versions`).toBe(3);
      for (const r of readers) {
        expect(r.configVersion, `seed=${seed}`).toBe(3);
        expect(r.config, `seed=${seed}`).toBe(zc.data);
        expect(r.configSkipped, `seed=${seed}`).toBeGreaterThanOrEqual(0);
        expect(r.configSkipped, `seed=${seed}`).toBeLessThanOrEqual(2);
        skipped += r.configSkipped;
      }
      expect(sim.invariants().find((v) => v.id === 'config-converges')?.ok, `seed=${seed}`).toBe(true);
      expect(sim.violation, `seed=${seed}`).toBeNull();
    }
    // One-shot watches: c2, away from a server while versions 2 and 3 are written, reads only 3.
    expect(skipped).toBeGreaterThan(0);
  });

  it('config-converges names a reader behind the latest version of /config', () => {
    const sim = new Simulation(zkConfig(), { seed: 1 });
    sim.runUntil(400_000); // before the operator's first push
    const nodes = sim.nodeStates();
    const s1 = nodes.find((n) => n.id === 's1')!.state as ServerState;
    const view = nodes.map((n) =>
      n.id === 's1'
        ? {
            ...n,
            state: {
              ...s1,
              tree: {
                ...s1.tree,
                nodes: { ...s1.tree.nodes, '/config': { ...s1.tree.nodes['/config']!, version: 2 } },
              },
            },
          }
        : n,
    );
    const check = zookeeper.liveness!.find((l) => l.id === 'config-converges')!;
    const params = ZooKeeperParams.parse({ recipe: 'config' });
    expect(check.check({ nodes: view } as never, params)).toMatch(
      /c2 runs \/config version 0, but the latest is 2/,
    );
    expect(check.check({ nodes } as never, params)).toBeNull();
  });

  it('leader election: the first in line leads until its session ends, then one next in line does', () => {
    for (const seed of SEEDS.slice(0, 3)) {
      const sim = new Simulation(zkElection(), { seed });
      const leaders = () =>
        sim
          .nodeStates()
          .filter(
            (n) => n.up && (n.state as ClientState).kind === 'client' && (n.state as ClientState).holdsLock,
          )
          .map((n) => n.id);
      sim.runUntil(1_400_000);
      expect(leaders(), `seed=${seed}`).toEqual(['c1']);
      sim.runUntil(2_900_000); // c1 crashed at 1.5 s and its session has expired: the next in line leads
      const next = leaders();
      expect(next.length, `seed=${seed}`).toBe(1);
      expect(next[0], `seed=${seed}`).not.toBe('c1');
      sim.runUntil(5_000_000); // c1 is back, queued behind the others
      expect(leaders(), `seed=${seed}`).toEqual(next);
      expect(
        sim.invariants().filter((v) => v.ok === false && v.lesson === undefined),
        `seed=${seed}`,
      ).toEqual([]);
    }
  });

  it('with sync before every read, the leader-crash history is linearizable', () => {
    for (const seed of SEEDS.slice(0, 3)) {
      const r = runSeed(zkLeaderCrash({ readMode: 'sync' }), seed);
      expect(r.invariants.find((v) => v.id === 'linearizability')?.ok, `seed=${seed}`).toBe(true);
    }
  });
});

describe('the Znodes view', () => {
  it("shows the leader's tree: the lock queue's ephemeral znodes with their owners and the predecessor watches", () => {
    const sim = new Simulation(zkQuickStart(), { seed: 1 });
    sim.runUntil(1_000_000);
    const v = sim.view('znodes');
    expect(v?.kind).toBe('tree');
    if (v?.kind !== 'tree') return;
    expect(v.source).toMatch(/^s3's copy \(leader\)/);
    const lock = v.rows.find((r) => r.id === '/lock')!;
    expect(lock.depth).toBe(1);
    const queue = v.rows.filter((r) => r.id.startsWith('/lock/'));
    expect(queue.length).toBeGreaterThanOrEqual(2);
    for (const r of queue) {
      expect(r.depth).toBe(2);
      expect(r.label).toMatch(/^c\d-\d{10}$/);
      expect(r.badges.some((b) => b.text === `ephemeral · ${r.label.slice(0, 2)}`)).toBe(true);
    }
    // The holder is marked; every other znode of the queue but the last is watched by its successor alone.
    expect(
      queue.filter((r) => r.badges.some((b) => b.text.startsWith('lock held by'))).length,
    ).toBeLessThanOrEqual(1);
    const watched = queue.filter((r) => r.badges.some((b) => b.text.startsWith('watched by')));
    for (const r of watched)
      expect(r.badges.find((b) => b.text.startsWith('watched by'))!.text).not.toContain(',');
  });
});

describe('the checks fire when something is wrong', () => {
  /** The first seed of 1..5 a check stops, with what stopped it. */
  const caught = (make: () => ReturnType<typeof zkQuickStart>) => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = runSeed(make(), seed);
      if (r.violation !== null) return { seed, id: r.violation.invariant };
    }
    return null;
  };

  it('each bug switch is caught by its check; the same seed passes without it', () => {
    const cases: [string, (p: Record<string, unknown>) => ReturnType<typeof zkQuickStart>, string][] = [
      ['bugCommitWithoutQuorum', zkLeaderCutOff, 'zab-primary-integrity'],
      ['bugSkipSyncPhase', zkLeaderCutOff, 'zab-prefix'],
      ['bugNoEphemeralCleanup', zkQuickStart, 'ephemerals-die-with-session'],
    ];
    for (const [bug, make, check] of cases) {
      const c = caught(() => make({ [bug]: true }));
      expect(c?.id, bug).toBe(check);
      expect(runSeed(make({}), c!.seed).violation, `${bug} off, seed=${c!.seed}`).toBeNull();
    }
  });

  it('a holder paused past its session timeout writes after the next holder: fencing-tokens stop it', () => {
    expect(caught(() => zkPausedHolder())?.id).toBe('fenced-writes');
    for (let seed = 1; seed <= 3; seed++) {
      const r = runSeed(zkPausedHolder({ fencing: true }), seed);
      expect(r.violation, `seed=${seed}`).toBeNull();
    }
  });

  it('without a store, the paused holder and the next one both believe they hold the lock', () => {
    const s = zkPausedHolder();
    const noStore = ScenarioSchema.parse({
      ...s,
      topology: {
        nodes: s.topology.nodes.filter((n) => n.role !== 'store'),
        links: s.topology.links.filter((l) => l.a !== 'store' && l.b !== 'store'),
      },
    });
    expect(caught(() => noStore)?.id).toBe('lock-mutual-exclusion');
  });
});

describe('the lock recipe (§2.4), one answer at a time', () => {
  const cworld = (p = params) => world('c2', { params: p });
  /** c2 connected with session S, its create answered with /lock/c2-0000000001. */
  function waiting(p = params) {
    const c = zookeeper.init({
      id: 'c2',
      role: 'client',
      params: p,
      nodes: ['c1', 's1', 's2', 's3'],
    }) as ClientState;
    Object.assign(c, { session: 'S', status: 'connected', server: 's1', lock: 'creating', nextXid: 2 });
    c.outstanding = [
      {
        xid: 1,
        req: { op: 'create', path: '/lock/c2-', data: 'c2', ephemeral: true, sequential: true },
        opId: null,
        value: '',
      },
    ];
    const result = (xid: number, value: string | null, children: string[] | null = null) =>
      msg('s1', { type: 'RESULT', xid, zxid: 5, err: null, value, children, version: 0 });
    const created = handle(zookeeper, c, result(1, '/lock/c2-0000000001'), cworld(p));
    expect(created.sent.map((x) => x.msg)).toEqual([
      { type: 'OP', session: 'S', xid: 2, req: { op: 'getChildren', path: '/lock', watch: p.bugHerdLock } },
    ]);
    const listed = handle(
      zookeeper,
      c,
      result(2, null, ['c2-0000000001', 'c1-0000000000', 'c3-0000000002']),
      cworld(p),
    );
    return { c, listed };
  }

  it('a waiter watches only the znode just before its own', () => {
    const { c, listed } = waiting();
    expect(c.lock).toBe('watching');
    expect(c.watching).toBe('/lock/c1-0000000000');
    expect(listed.sent.map((x) => x.msg)).toEqual([
      { type: 'OP', session: 'S', xid: 3, req: { op: 'exists', path: '/lock/c1-0000000000', watch: true } },
    ]);
  });

  it('bugHerdLock: the waiter relies on its watch on /lock and asks for nothing more', () => {
    const { c, listed } = waiting(ZooKeeperParams.parse({ bugHerdLock: true }));
    expect(c.watching).toBe('/lock');
    expect(listed.sent).toEqual([]);
  });

  it('when the predecessor goes, the waiter lists again and holds the lock if its znode is lowest', () => {
    const { c } = waiting();
    const woke = handle(
      zookeeper,
      c,
      msg('s1', { type: 'WATCH', path: '/lock/c1-0000000000', event: 'NodeDeleted' }),
      cworld(),
    );
    expect(woke.sent.map((x) => (x.msg as { req?: { op: string } }).req?.op)).toEqual(['getChildren']);
    const xid = (woke.sent[0]!.msg as { xid: number }).xid;
    handle(
      zookeeper,
      c,
      msg('s1', {
        type: 'RESULT',
        xid,
        zxid: 9,
        err: null,
        value: null,
        children: ['c3-0000000002', 'c2-0000000001'],
        version: 0,
      }),
      cworld(),
    );
    expect(c.holdsLock).toBe(true);
    expect(c.lock).toBe('held');
  });
});
