/**
 * A ZooKeeper server: Zab (Junqueira, Reed, Serafini, "Zab: High-performance broadcast for
 * primary-backup systems", DSN 2011) under the request processing of Hunt et al. (USENIX ATC
 * 2010, §4).
 *
 * Zab §IV runs in phases. Phase 0, leader election: fast leader election (the implementation's
 * election, DSN 2011 §V): each server votes for the best (currentEpoch, lastZxid, id) it has
 * heard of and decides once a quorum agrees, so the leader's history already holds every
 * committed proposal (no history has to be fetched from the followers). Phase 1, discovery:
 * followers send FOLLOWERINFO(acceptedEpoch) (the abstract protocol's CEPOCH); the leader picks
 * an epoch above every one of a quorum's and sends NEWEPOCH; followers accept it and answer
 * ACKEPOCH. Phase 2, synchronization: NEWLEADER carries the leader's history, a follower takes
 * it as its own and ACKs; once a quorum has, the leader commits the history and sends UPTODATE.
 * Phase 3, broadcast: PROPOSAL, ACK from a quorum, COMMIT, in zxid order, over FIFO channels.
 *
 * Clients (Hunt §2.3, §4): a server answers reads from its own copy of the tree, forwards
 * writes to the leader, which turns them into idempotent txns (§4.1, tree.ts `prepare`), and
 * answers a write once it has applied the txn. Each session's requests are answered in order.
 */
import type { Ctx, Input } from '../../protocol';
import { majority } from '../../toolkit/quorum';
import {
  type Applied,
  applyTxn,
  type DataTree,
  describeTxn,
  ephemeralsOf,
  initialTree,
  prepare,
  type Txn,
  type Zxid,
  zxidHex,
  zxidOf,
} from './tree';
import {
  CONFIG_PATH,
  ELECTION_PATH,
  keyPath,
  LOCK_PATH,
  MEMBERS_PATH,
  type Proposal,
  type Queued,
  type ServerState,
  type Vote,
  type ZkMsg,
  type ZooKeeperParams,
} from './types';

type C = Ctx<ZooKeeperParams, ZkMsg>;

/** Natural order of node ids (s2 before s10). */
export function idOrder(a: string, b: string): number {
  const na = /\d+$/.exec(a);
  const nb = /\d+$/.exec(b);
  if (na !== null && nb !== null && a.slice(0, na.index) === b.slice(0, nb.index))
    return Number(na[0]) - Number(nb[0]);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Fast leader election's total order on votes: higher epoch, then higher zxid, then higher id. */
export function betterVote(a: Vote, b: Vote): boolean {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch;
  if (a.zxid !== b.zxid) return a.zxid > b.zxid;
  return idOrder(a.leader, b.leader) > 0;
}

const sameVote = (a: Vote, b: Vote): boolean =>
  a.leader === b.leader && a.zxid === b.zxid && a.epoch === b.epoch;

/** The zxid of the last proposal in the history (lastZxid), 0 for none. */
export function lastZxid(s: ServerState): Zxid {
  return s.history.length === 0 ? 0 : s.history[s.history.length - 1]!.zxid;
}

/** The zxid of the last txn this server applied. */
export function lastApplied(s: ServerState): Zxid {
  return s.committed === 0 ? 0 : s.history[s.committed - 1]!.zxid;
}

/** True while the server serves clients: an established leader, or a follower in broadcast. */
export function serving(s: ServerState): boolean {
  return (s.state === 'LEADING' && s.established) || (s.state === 'FOLLOWING' && s.phase === 'broadcast');
}

/** The tree every server starts from: /kv with one znode per workload key, and /lock for the recipe. */
export function startTree(ctx: C): DataTree {
  const parents: Record<string, readonly string[]> = {};
  const keys = ctx.keySpace();
  if (keys.length > 0) parents[keyPath('').slice(0, -1)] = keys;
  if (ctx.params.recipe === 'lock') parents[LOCK_PATH] = [];
  if (ctx.params.recipe === 'election') parents[ELECTION_PATH] = [];
  if (ctx.params.recipe === 'membership') parents[MEMBERS_PATH] = [];
  if (ctx.params.recipe === 'config') parents[CONFIG_PATH] = [];
  return initialTree(parents);
}

export function initServer(self: string): ServerState {
  return {
    kind: 'server',
    acceptedEpoch: 0,
    currentEpoch: 0,
    history: [],
    sessionsIssued: 0,
    state: 'LOOKING',
    leader: '',
    phase: 'discovery',
    committed: 0,
    tree: { nodes: {}, sessions: {} },
    round: 0,
    vote: { leader: self, zxid: 0, epoch: 0 },
    votes: {},
    heardUs: 0,
    newEpoch: 0,
    learners: {},
    epochsSeen: {},
    established: false,
    counter: 1,
    outstanding: [],
    prepTree: null,
    deadlines: {},
    conns: {},
    queue: [],
    dataWatches: {},
    childWatches: {},
    touched: [],
    proposals: 0,
    watchesFired: 0,
  };
}

const tickUs = (p: ZooKeeperParams): number => p.tickMs * 1000;
const quorumOf = (ctx: C): number => majority(ctx.nodesWithRole('server').length);

export function onServer(ctx: C, s: ServerState, input: Input<ZkMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart':
      // A (re)started server rebuilds its tree from the initial snapshot; what it delivers
      // again comes from the leader in synchronization.
      s.tree = startTree(ctx);
      ctx.setTimer('tick', tickUs(ctx.params));
      lookForLeader(ctx, s);
      return;
    case 'timer':
      if (input.name === 'tick') onTick(ctx, s);
      else if (input.name === 'finalize') onFinalize(ctx, s);
      return;
    case 'client':
      ctx.reply(input.op, { ok: false }); // the workload's operations go to client nodes
      return;
    case 'message':
      onMessage(ctx, s, input.from, input.msg);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 0: fast leader election.

/** Back to LOOKING: a new election round with a vote for itself; its clients are let go. */
export function lookForLeader(ctx: C, s: ServerState): void {
  for (const [session, client] of Object.entries(s.conns))
    ctx.send(client, {
      type: 'REFUSED',
      why: `${ctx.self} is looking for a leader (session ${session})`,
      notYet: false,
    });
  s.conns = {};
  s.queue = [];
  s.dataWatches = {};
  s.childWatches = {};
  s.touched = [];
  s.state = 'LOOKING';
  s.leader = '';
  s.phase = 'discovery';
  s.established = false;
  s.learners = {};
  s.epochsSeen = {};
  s.newEpoch = 0;
  s.outstanding = [];
  s.prepTree = null;
  s.deadlines = {};
  s.round += 1;
  s.vote = { leader: ctx.self, zxid: lastZxid(s), epoch: s.currentEpoch };
  s.votes = { [ctx.self]: s.vote };
  s.heardUs = ctx.now();
  ctx.cancelTimer('finalize');
  ctx.sendAll('server', notification(s));
  checkQuorum(ctx, s);
}

function notification(s: ServerState): ZkMsg {
  return { type: 'NOTIFICATION', vote: s.vote, round: s.round, state: s.state };
}

function onNotification(
  ctx: C,
  s: ServerState,
  from: string,
  m: Extract<ZkMsg, { type: 'NOTIFICATION' }>,
): void {
  if (s.state !== 'LOOKING') {
    // A server out of the election tells a looking one whom it follows.
    if (m.state === 'LOOKING') ctx.send(from, notification(s));
    return;
  }
  if (m.state !== 'LOOKING') {
    // An established ensemble: follow its leader (the leader itself says LEADING).
    if (m.state === 'LEADING' && m.vote.leader === from) follow(ctx, s, from);
    return;
  }
  if (m.round > s.round) {
    s.round = m.round;
    const own: Vote = { leader: ctx.self, zxid: lastZxid(s), epoch: s.currentEpoch };
    s.vote = betterVote(m.vote, own) ? m.vote : own;
    s.votes = {};
    ctx.sendAll('server', notification(s));
  } else if (m.round < s.round) {
    ctx.send(from, notification(s));
    return;
  } else if (betterVote(m.vote, s.vote)) {
    s.vote = m.vote;
    ctx.sendAll('server', notification(s));
  }
  s.votes[from] = m.vote;
  s.votes[ctx.self] = s.vote;
  checkQuorum(ctx, s);
}

function checkQuorum(ctx: C, s: ServerState): void {
  const agree = Object.values(s.votes).filter((v) => sameVote(v, s.vote)).length;
  if (agree >= quorumOf(ctx)) ctx.setTimer('finalize', ctx.params.finalizeWaitMs * 1000);
}

function onFinalize(ctx: C, s: ServerState): void {
  if (s.state !== 'LOOKING') return;
  const agree = Object.values(s.votes).filter((v) => sameVote(v, s.vote)).length;
  if (agree < quorumOf(ctx)) return;
  if (s.vote.leader === ctx.self) lead(ctx, s);
  else follow(ctx, s, s.vote.leader);
}

// ---------------------------------------------------------------------------------------------
// Phase 1: discovery.

function follow(ctx: C, s: ServerState, leader: string): void {
  ctx.cancelTimer('finalize');
  s.state = 'FOLLOWING';
  s.leader = leader;
  s.phase = 'discovery';
  s.heardUs = ctx.now();
  ctx.note(`follow ${leader}`);
  ctx.send(leader, { type: 'FOLLOWERINFO', acceptedEpoch: s.acceptedEpoch, lastZxid: lastZxid(s) });
}

function lead(ctx: C, s: ServerState): void {
  ctx.cancelTimer('finalize');
  s.state = 'LEADING';
  s.leader = ctx.self;
  s.phase = 'discovery';
  s.heardUs = ctx.now();
  s.epochsSeen = { [ctx.self]: s.acceptedEpoch };
  ctx.note(`lead (round ${s.round})`);
  proposeEpoch(ctx, s);
}

/** Once a quorum's FOLLOWERINFO is in: e' above every acceptedEpoch of the quorum. */
function proposeEpoch(ctx: C, s: ServerState): void {
  if (s.newEpoch > 0 || Object.keys(s.epochsSeen).length < quorumOf(ctx)) return;
  s.newEpoch = Math.max(...Object.values(s.epochsSeen)) + 1;
  s.acceptedEpoch = s.newEpoch;
  ctx.emit({ type: 'promised' });
  for (const [f, l] of Object.entries(s.learners))
    if (l.phase === 'discovery') ctx.send(f, { type: 'NEWEPOCH', epoch: s.newEpoch });
  // A lone server is its own quorum.
  if (quorumOf(ctx) === 1) establish(ctx, s);
}

function onFollowerInfo(
  ctx: C,
  s: ServerState,
  from: string,
  m: Extract<ZkMsg, { type: 'FOLLOWERINFO' }>,
): void {
  if (s.state !== 'LEADING') return; // not (or no longer) leading: the follower times out
  const known = s.learners[from];
  if (known !== undefined && known.phase !== 'discovery') return; // a copy sent again: already past it
  s.learners[from] = { phase: 'discovery', heardUs: ctx.now() };
  if (s.newEpoch > 0) ctx.send(from, { type: 'NEWEPOCH', epoch: s.newEpoch });
  else {
    s.epochsSeen[from] = m.acceptedEpoch;
    proposeEpoch(ctx, s);
  }
}

function onNewEpoch(ctx: C, s: ServerState, from: string, m: Extract<ZkMsg, { type: 'NEWEPOCH' }>): void {
  if (s.state !== 'FOLLOWING' || from !== s.leader) return;
  s.heardUs = ctx.now();
  if (m.epoch < s.acceptedEpoch) {
    ctx.note(`NEWEPOCH ${m.epoch} is below acceptedEpoch ${s.acceptedEpoch}: look again`);
    lookForLeader(ctx, s);
    return;
  }
  s.acceptedEpoch = m.epoch;
  ctx.emit({ type: 'promised' });
  ctx.send(from, { type: 'ACKEPOCH', epoch: m.epoch, currentEpoch: s.currentEpoch, lastZxid: lastZxid(s) });
}

// ---------------------------------------------------------------------------------------------
// Phase 2: synchronization.

function onAckEpoch(ctx: C, s: ServerState, from: string, m: Extract<ZkMsg, { type: 'ACKEPOCH' }>): void {
  const l = s.learners[from];
  if (s.state !== 'LEADING' || l === undefined || m.epoch !== s.newEpoch) return;
  l.heardUs = ctx.now();
  l.phase = 'synchronization';
  // The leader accepts its own NEWLEADER: its history is the epoch's initial history.
  s.currentEpoch = s.newEpoch;
  // The leader's history holds every committed proposal (fast leader election picked the best
  // lastZxid of a quorum); NEWLEADER makes it the follower's history (Zab §IV phase 2).
  ctx.send(from, {
    type: 'NEWLEADER',
    epoch: s.newEpoch,
    history: ctx.params.bugSkipSyncPhase ? null : s.history.slice(),
  });
}

function onNewLeader(ctx: C, s: ServerState, from: string, m: Extract<ZkMsg, { type: 'NEWLEADER' }>): void {
  if (s.state !== 'FOLLOWING' || from !== s.leader || m.epoch !== s.acceptedEpoch) return;
  s.heardUs = ctx.now();
  s.currentEpoch = m.epoch;
  if (m.history !== null) {
    // What this follower delivered is a prefix of the leader's history; what it accepted beyond
    // that (proposals of a past epoch that never committed) is dropped.
    s.history = m.history.slice();
    if (s.committed > s.history.length) s.committed = s.history.length;
  }
  s.phase = 'synchronization';
  ctx.emit({ type: 'promised' });
  ctx.send(from, { type: 'ACKNEWLEADER', epoch: m.epoch });
}

function onAckNewLeader(
  ctx: C,
  s: ServerState,
  from: string,
  m: Extract<ZkMsg, { type: 'ACKNEWLEADER' }>,
): void {
  const l = s.learners[from];
  if (s.state !== 'LEADING' || l === undefined || m.epoch !== s.newEpoch) return;
  l.heardUs = ctx.now();
  l.phase = 'broadcast';
  if (s.established) {
    ctx.send(from, { type: 'UPTODATE', epoch: s.newEpoch, zxid: lastApplied(s) });
    return;
  }
  const acked = Object.values(s.learners).filter((x) => x.phase === 'broadcast').length + 1;
  if (acked >= quorumOf(ctx)) establish(ctx, s);
}

/** A quorum has the new epoch's initial history: commit it and start broadcasting. */
function establish(ctx: C, s: ServerState): void {
  s.currentEpoch = s.newEpoch;
  s.established = true;
  s.phase = 'broadcast';
  s.heardUs = ctx.now();
  deliverUpTo(ctx, s, lastZxid(s));
  s.counter = 1;
  s.prepTree = structuredClone(s.tree);
  // Every session gets a fresh timeout under the new leader (ZooKeeper does the same).
  for (const [id, info] of Object.entries(s.tree.sessions))
    s.deadlines[id] = ctx.now() + info.timeoutMs * 1000;
  ctx.emit({ type: 'elected', epoch: s.newEpoch });
  ctx.emit({ type: 'established', epoch: s.newEpoch });
  ctx.note(`established epoch ${s.newEpoch} at ${zxidHex(lastZxid(s))}`);
  for (const [f, l] of Object.entries(s.learners))
    if (l.phase === 'broadcast') ctx.send(f, { type: 'UPTODATE', epoch: s.newEpoch, zxid: lastZxid(s) });
}

function onUpToDate(ctx: C, s: ServerState, from: string, m: Extract<ZkMsg, { type: 'UPTODATE' }>): void {
  if (s.state !== 'FOLLOWING' || from !== s.leader || m.epoch !== s.currentEpoch) return;
  s.heardUs = ctx.now();
  s.phase = 'broadcast';
  deliverUpTo(ctx, s, m.zxid);
  ctx.note(`up to date at ${zxidHex(m.zxid)}: serving clients`);
}

// ---------------------------------------------------------------------------------------------
// Phase 3: broadcast.

/** The leader's part: a new proposal with the next zxid of its epoch (Zab §IV phase 3). */
function propose(ctx: C, s: ServerState, txn: Txn): void {
  const zxid = zxidOf(s.newEpoch, s.counter);
  s.counter += 1;
  const p: Proposal = { zxid, txn };
  applyTxn(s.prepTree!, txn, zxid);
  s.history.push(p);
  s.outstanding.push({ zxid, acks: [ctx.self] });
  s.proposals += 1;
  for (const [f, l] of Object.entries(s.learners))
    if (l.phase !== 'discovery') ctx.send(f, { type: 'PROPOSAL', epoch: s.newEpoch, proposal: p });
  tryCommit(ctx, s);
}

/** Commits outstanding proposals in zxid order, each once a quorum acknowledged it. */
function tryCommit(ctx: C, s: ServerState): void {
  const q = ctx.params.bugCommitWithoutQuorum ? 1 : quorumOf(ctx);
  while (s.outstanding.length > 0 && s.outstanding[0]!.acks.length >= q) {
    const { zxid } = s.outstanding.shift()!;
    deliverUpTo(ctx, s, zxid);
    for (const [f, l] of Object.entries(s.learners))
      if (l.phase !== 'discovery') ctx.send(f, { type: 'COMMIT', epoch: s.newEpoch, zxid });
  }
}

function onProposal(ctx: C, s: ServerState, from: string, m: Extract<ZkMsg, { type: 'PROPOSAL' }>): void {
  if (s.state !== 'FOLLOWING' || from !== s.leader || m.epoch !== s.currentEpoch) return;
  s.heardUs = ctx.now();
  s.history.push(m.proposal);
  ctx.send(from, { type: 'ACK', epoch: m.epoch, zxid: m.proposal.zxid });
}

function onAck(ctx: C, s: ServerState, from: string, m: Extract<ZkMsg, { type: 'ACK' }>): void {
  const l = s.learners[from];
  if (s.state !== 'LEADING' || l === undefined || m.epoch !== s.newEpoch) return;
  l.heardUs = ctx.now();
  const o = s.outstanding.find((x) => x.zxid === m.zxid);
  if (o !== undefined && !o.acks.includes(from)) o.acks.push(from);
  tryCommit(ctx, s);
}

/** Delivers (applies) every proposal of the history up to `zxid`, in order. */
function deliverUpTo(ctx: C, s: ServerState, zxid: Zxid): void {
  let applied = false;
  while (s.committed < s.history.length && s.history[s.committed]!.zxid <= zxid) {
    const p = s.history[s.committed]!;
    s.committed += 1;
    deliver(ctx, s, p);
    applied = true;
  }
  if (applied) drain(ctx, s);
}

/** Applies one committed txn: the tree, the watches it fires, the answer to its client. */
function deliver(ctx: C, s: ServerState, p: Proposal): void {
  const { txn, zxid } = p;
  const prevXid = s.tree.sessions[txn.session]?.lastXid ?? null;
  const changed = applyTxn(s.tree, txn, zxid);
  ctx.emit({ type: 'delivered', zxid, session: txn.session, xid: txn.xid, prevXid, kind: txn.kind });
  fireWatches(ctx, s, changed);
  if (txn.kind === 'closeSession') {
    ctx.emit({ type: 'closed', session: txn.session });
    const client = s.conns[txn.session];
    if (client !== undefined) {
      ctx.send(client, { type: 'EXPIRED', session: txn.session });
      delete s.conns[txn.session];
      s.queue = s.queue.filter((q) => q.session !== txn.session);
    }
    for (const w of [s.dataWatches, s.childWatches])
      for (const path of Object.keys(w)) {
        w[path] = w[path]!.filter((x) => x !== txn.session);
        if (w[path]!.length === 0) delete w[path];
      }
  }
  if (txn.origin !== ctx.self) return;
  if (txn.kind === 'createSession') {
    s.conns[txn.session] = txn.client;
    ctx.send(txn.client, { type: 'CONNECTED', session: txn.session, zxid });
    return;
  }
  const q = s.queue.find((x) => x.session === txn.session && x.xid === txn.xid);
  if (q === undefined) return;
  q.result =
    txn.kind === 'error'
      ? { zxid, err: txn.err, value: null }
      : { zxid, err: null, value: txn.kind === 'create' ? txn.path : null };
}

function fire(
  ctx: C,
  s: ServerState,
  watches: Record<string, string[]>,
  path: string,
  event: 'NodeDataChanged' | 'NodeDeleted' | 'NodeCreated' | 'NodeChildrenChanged',
): void {
  const sessions = watches[path];
  if (sessions === undefined) return;
  delete watches[path]; // one-shot (§2.1)
  for (const session of sessions) {
    const client = s.conns[session];
    if (client === undefined) continue;
    s.watchesFired += 1;
    ctx.send(client, { type: 'WATCH', path, event });
  }
}

function fireWatches(ctx: C, s: ServerState, a: Applied): void {
  for (const path of a.dataChanged)
    fire(ctx, s, s.dataWatches, path, s.tree.nodes[path] === undefined ? 'NodeDeleted' : 'NodeDataChanged');
  for (const path of a.created) fire(ctx, s, s.dataWatches, path, 'NodeCreated');
  for (const path of a.childrenChanged) fire(ctx, s, s.childWatches, path, 'NodeChildrenChanged');
}

// ---------------------------------------------------------------------------------------------
// Timers: pings, failure detection, session expiry, election retries.

function onTick(ctx: C, s: ServerState): void {
  ctx.setTimer('tick', tickUs(ctx.params));
  const now = ctx.now();
  const limitUs = ctx.params.syncLimitTicks * tickUs(ctx.params);
  if (s.state === 'LOOKING') {
    // Notifications lost to a partition are sent again.
    if (now - s.heardUs >= 4 * tickUs(ctx.params)) {
      s.heardUs = now;
      ctx.sendAll('server', notification(s));
    }
    return;
  }
  if (s.state === 'FOLLOWING') {
    if (now - s.heardUs > limitUs) {
      ctx.note(`no word from leader ${s.leader} for ${ctx.params.syncLimitTicks} ticks: look for a leader`);
      lookForLeader(ctx, s);
    } else if (s.phase === 'discovery')
      // A FOLLOWERINFO that reached the leader before it knew it leads is sent again.
      ctx.send(s.leader, { type: 'FOLLOWERINFO', acceptedEpoch: s.acceptedEpoch, lastZxid: lastZxid(s) });
    return;
  }
  // LEADING: a leader that cannot keep a quorum in touch gives up (Zab §IV: it abandons its epoch).
  if (!s.established) {
    if (now - s.heardUs > 2 * limitUs) {
      ctx.note('no quorum joined: look again');
      lookForLeader(ctx, s);
    }
    return;
  }
  let inTouch = 1;
  for (const [f, l] of Object.entries(s.learners)) {
    if (l.phase !== 'discovery') ctx.send(f, { type: 'PING', epoch: s.newEpoch, touched: [] });
    if (now - l.heardUs <= limitUs) inTouch += 1;
  }
  if (inTouch < quorumOf(ctx)) {
    ctx.note(`only ${inTouch} of the ensemble in touch: give up leading`);
    lookForLeader(ctx, s);
    return;
  }
  // Session expiry is the leader's decision, made a txn so every server applies it (§2.3).
  for (const [id, info] of Object.entries(s.prepTree!.sessions)) {
    const deadline = s.deadlines[id] ?? now + info.timeoutMs * 1000;
    s.deadlines[id] = deadline;
    if (now <= deadline) continue;
    delete s.deadlines[id];
    const ephemerals = ctx.params.bugNoEphemeralCleanup ? [] : ephemeralsOf(s.prepTree!, id);
    ctx.note(`session ${id} expired`);
    propose(ctx, s, { kind: 'closeSession', session: id, xid: 0, origin: ctx.self, ephemerals });
  }
}

function touch(ctx: C, s: ServerState, session: string): void {
  if (s.state === 'LEADING') {
    const info = s.prepTree?.sessions[session];
    if (info !== undefined) s.deadlines[session] = ctx.now() + info.timeoutMs * 1000;
  } else if (!s.touched.includes(session)) s.touched.push(session);
}

// ---------------------------------------------------------------------------------------------
// Clients: connect, requests in session order, reads served locally.

function onConnect(ctx: C, s: ServerState, from: string, m: Extract<ZkMsg, { type: 'CONNECT' }>): void {
  if (!serving(s)) {
    ctx.send(from, {
      type: 'REFUSED',
      why: `${ctx.self} is not serving (${s.state.toLowerCase()})`,
      notYet: true,
    });
    return;
  }
  // A client never moves to a server that has seen less than it has (§2.3, the zxid check).
  if (m.lastZxidSeen > lastApplied(s)) {
    ctx.send(from, {
      type: 'REFUSED',
      why: `${ctx.self} is at ${zxidHex(lastApplied(s))}, behind the client's ${zxidHex(m.lastZxidSeen)}`,
      notYet: false,
    });
    return;
  }
  if (m.session === null) {
    s.sessionsIssued += 1;
    const session = `${ctx.self}.${s.sessionsIssued}`;
    toLeader(ctx, s, {
      type: 'CREATESESSION',
      epoch: s.currentEpoch,
      session,
      client: from,
      timeoutMs: m.timeoutMs,
      origin: ctx.self,
    });
    return;
  }
  if (s.tree.sessions[m.session] === undefined) {
    ctx.send(from, { type: 'EXPIRED', session: m.session });
    return;
  }
  s.conns[m.session] = from;
  touch(ctx, s, m.session);
  ctx.send(from, { type: 'CONNECTED', session: m.session, zxid: lastApplied(s) });
}

function onOp(ctx: C, s: ServerState, from: string, m: Extract<ZkMsg, { type: 'OP' }>): void {
  if (s.conns[m.session] !== from) {
    ctx.send(from, {
      type: 'REFUSED',
      why: `session ${m.session} is not connected to ${ctx.self}`,
      notYet: false,
    });
    return;
  }
  touch(ctx, s, m.session);
  s.queue.push({ session: m.session, xid: m.xid, req: m.req, syncZxid: null, result: null });
  const op = m.req.op;
  if (op === 'create' || op === 'delete' || op === 'setData')
    toLeader(ctx, s, {
      type: 'REQUEST',
      epoch: s.currentEpoch,
      session: m.session,
      xid: m.xid,
      origin: ctx.self,
      req: m.req,
    });
  else if (op === 'sync')
    toLeader(ctx, s, { type: 'SYNC', epoch: s.currentEpoch, session: m.session, xid: m.xid, zxid: 0 });
  drain(ctx, s);
}

/** A message for the leader; the leader handles its own at once. */
function toLeader(ctx: C, s: ServerState, m: ZkMsg): void {
  if (s.state === 'LEADING') onLeaderRequest(ctx, s, ctx.self, m);
  else ctx.send(s.leader, m);
}

function onLeaderRequest(ctx: C, s: ServerState, from: string, m: ZkMsg): void {
  if (s.state !== 'LEADING' || !s.established) return; // the client's request times out
  if (m.type === 'REQUEST') {
    const txn = prepare(s.prepTree!, m.req, { session: m.session, xid: m.xid, origin: m.origin });
    if (txn.kind === 'error') ctx.note(describeTxn(txn));
    propose(ctx, s, txn);
  } else if (m.type === 'CREATESESSION') {
    s.deadlines[m.session] = ctx.now() + m.timeoutMs * 1000;
    propose(ctx, s, {
      kind: 'createSession',
      session: m.session,
      xid: 0,
      origin: m.origin,
      client: m.client,
      timeoutMs: m.timeoutMs,
    });
  } else if (m.type === 'SYNC') {
    // sync (§2.2): the answer names the last proposal; the client's server answers once it has
    // applied it, so a read after the sync sees every write the leader had when it answered.
    const reply: ZkMsg = {
      type: 'SYNC',
      epoch: s.newEpoch,
      session: m.session,
      xid: m.xid,
      zxid: lastZxid(s),
    };
    if (from === ctx.self) onSyncReply(ctx, s, reply);
    else ctx.send(from, reply);
  }
}

function onSyncReply(ctx: C, s: ServerState, m: Extract<ZkMsg, { type: 'SYNC' }>): void {
  const q = s.queue.find((x) => x.session === m.session && x.xid === m.xid);
  if (q !== undefined) q.syncZxid = m.zxid;
  drain(ctx, s);
}

/**
 * Answers what can be answered, keeping each session's order: a request waits for every
 * earlier request of its session. Reads are served from this server's tree when their turn
 * comes (§2.3: "read requests are handled locally at each server").
 */
function drain(ctx: C, s: ServerState): void {
  const blocked = new Set<string>();
  const keep: Queued[] = [];
  for (const q of s.queue) {
    if (!blocked.has(q.session) && answer(ctx, s, q)) continue;
    blocked.add(q.session);
    keep.push(q);
  }
  s.queue = keep;
}

function answer(ctx: C, s: ServerState, q: Queued): boolean {
  const client = s.conns[q.session];
  if (client === undefined) return true;
  const base = { type: 'RESULT' as const, xid: q.xid, children: null, version: -1 };
  const r = q.req;
  switch (r.op) {
    case 'create':
    case 'delete':
    case 'setData':
      if (q.result === null) return false;
      ctx.send(client, { ...base, zxid: q.result.zxid, err: q.result.err, value: q.result.value });
      return true;
    case 'sync':
      if (q.syncZxid === null || lastApplied(s) < q.syncZxid) return false;
      ctx.send(client, { ...base, zxid: lastApplied(s), err: null, value: null });
      return true;
    default: {
      const n = s.tree.nodes[r.path];
      const zxid = lastApplied(s);
      if (r.op === 'exists') {
        if (r.watch) addWatch(s.dataWatches, r.path, q.session);
        ctx.send(client, {
          ...base,
          zxid,
          err: null,
          value: n === undefined ? null : (n.data ?? ''),
          version: n?.version ?? -1,
        });
        return true;
      }
      if (n === undefined) {
        ctx.send(client, { ...base, zxid, err: 'NoNode', value: null });
        return true;
      }
      if (r.op === 'getData') {
        if (r.watch) addWatch(s.dataWatches, r.path, q.session);
        ctx.send(client, { ...base, zxid, err: null, value: n.data, version: n.version });
      } else {
        if (r.watch) addWatch(s.childWatches, r.path, q.session);
        ctx.send(client, {
          ...base,
          zxid,
          err: null,
          value: null,
          children: n.children.slice(),
          version: n.cversion,
        });
      }
      return true;
    }
  }
}

function addWatch(w: Record<string, string[]>, path: string, session: string): void {
  const list = w[path] ?? [];
  w[path] = list;
  if (!list.includes(session)) list.push(session);
}

function onMessage(ctx: C, s: ServerState, from: string, m: ZkMsg): void {
  switch (m.type) {
    case 'NOTIFICATION':
      onNotification(ctx, s, from, m);
      return;
    case 'FOLLOWERINFO':
      onFollowerInfo(ctx, s, from, m);
      return;
    case 'NEWEPOCH':
      onNewEpoch(ctx, s, from, m);
      return;
    case 'ACKEPOCH':
      onAckEpoch(ctx, s, from, m);
      return;
    case 'NEWLEADER':
      onNewLeader(ctx, s, from, m);
      return;
    case 'ACKNEWLEADER':
      onAckNewLeader(ctx, s, from, m);
      return;
    case 'UPTODATE':
      onUpToDate(ctx, s, from, m);
      return;
    case 'PROPOSAL':
      onProposal(ctx, s, from, m);
      return;
    case 'ACK':
      onAck(ctx, s, from, m);
      return;
    case 'COMMIT':
      if (s.state === 'FOLLOWING' && from === s.leader && m.epoch === s.currentEpoch) {
        s.heardUs = ctx.now();
        deliverUpTo(ctx, s, m.zxid);
      }
      return;
    case 'PING':
      if (s.state === 'FOLLOWING' && from === s.leader) {
        s.heardUs = ctx.now();
        ctx.send(from, { type: 'PING', epoch: m.epoch, touched: s.touched });
        s.touched = [];
      } else if (s.state === 'LEADING' && s.learners[from] !== undefined) {
        s.learners[from]!.heardUs = ctx.now();
        for (const id of m.touched) touch(ctx, s, id);
      }
      return;
    case 'REQUEST':
    case 'CREATESESSION':
      onLeaderRequest(ctx, s, from, m);
      return;
    case 'SYNC':
      if (s.state === 'LEADING') onLeaderRequest(ctx, s, from, m);
      else if (from === s.leader) onSyncReply(ctx, s, m);
      return;
    case 'CONNECT':
      onConnect(ctx, s, from, m);
      return;
    case 'OP':
      onOp(ctx, s, from, m);
      return;
    case 'CPING':
      if (s.conns[m.session] === from) {
        touch(ctx, s, m.session);
        ctx.send(from, { type: 'CPONG', zxid: lastApplied(s) });
      } else if (serving(s) && s.tree.sessions[m.session] === undefined)
        ctx.send(from, { type: 'EXPIRED', session: m.session });
      else
        ctx.send(from, {
          type: 'REFUSED',
          why: `session ${m.session} is not connected to ${ctx.self}`,
          notYet: false,
        });
      return;
    default:
      return; // client-bound messages
  }
}
