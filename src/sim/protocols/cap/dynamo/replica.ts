import type { Ctx, Input } from '../../../protocol';
import { buildRing, preferenceList, walk } from './ring';
import type {
  Coordination,
  DynamoMsg,
  DynamoParams,
  GetReplyMsg,
  PutMsg,
  QuorumEvent,
  RepairMsg,
  ReplicaState,
  RequestMsg,
  StoredEvent,
  SyncMsg,
} from './types';
import { type ConflictMode, coversAll, describeVersion, reconcile, type Version, vvJoin } from './versions';

/**
 * A Dynamo storage node (DeCandia et al., SOSP 2007, §4). Any node coordinates a client's
 * request (§4.5): it finds the key's preference list on the ring (§4.2-4.3), sends the request
 * to the replicas, and answers once R of them answered a get or W of them stored a put. The
 * rules, each in a function below:
 * - **put** (§4.5): the coordinator makes a new version (its clock reading, and its counter in
 *   the client's context vector, §4.4), stores it itself if it is a replica, sends it to the
 *   others, and answers after W acknowledgements;
 * - **get** (§4.5): it asks the replicas for their versions, answers after R replies with the
 *   reconciled versions (§4.4), and keeps listening until its timeout for read repair (§5);
 * - **cp or ap**: in `cp` only the N home replicas count and a request is refused at once when
 *   fewer than R (W) of them are believed up; in `ap` the first N nodes believed up on the
 *   ring walk stand in for home replicas that are down (a sloppy quorum, §4.6), each stand-in
 *   keeping the version as a hint for its home node and handing it back when that node is
 *   heard from again (hinted handoff, §4.6);
 * - a `cp` read whose R replies disagree writes the newest version back to W home replicas
 *   before it answers (the second phase of Attiya, Bar-Noy and Dolev's register, J. ACM 1995:
 *   without it two reads in a row can see a new value and then the old one);
 * - failure detection (§4.8.3): every node sends a heartbeat every `pingMs`; a peer silent
 *   for three periods is believed down until it is heard from again;
 * - anti-entropy (§4.7, when on): every `antiEntropyMs` a node and its next peer exchange the
 *   versions of the keys they share and both keep the newer ones.
 */

type P = DynamoParams;
type C = Ctx<P, DynamoMsg>;

/** The timer of a coordination: its quorum deadline, then the end of its read-repair window. */
const coordTimer = (id: number): string => `req:${id}`;

/** A replica's state before its first input. */
export function initReplica(): ReplicaState {
  return {
    kind: 'replica',
    store: {},
    hints: [],
    counters: {},
    written: {},
    ring: [],
    lastHeardUs: {},
    suspected: [],
    coordinating: [],
    nextId: 1,
    served: 0,
    refused: 0,
    timedOut: 0,
    staleReads: 0,
    conflictingReads: 0,
    repairs: 0,
    handoffs: 0,
    syncNext: 0,
    synced: 0,
  };
}

/** The replicas (role `replica`), sorted. */
function replicas(ctx: C): readonly string[] {
  return ctx.nodesWithRole('replica');
}

/** Believed up: this node, or a peer not suspected by the failure detector. */
function healthy(ctx: C, s: ReplicaState, node: string): boolean {
  return node === ctx.self || !s.suspected.includes(node);
}

// ------------------------------------------------------------------ the local store

/** What this node holds for a key: its own versions and any hinted ones, reconciled. */
function held(s: ReplicaState, key: string, mode: ConflictMode): Version[] {
  const mine = s.store[key] ?? [];
  const hinted = s.hints.filter((h) => h.key === key).flatMap((h) => h.versions);
  return hinted.length === 0 ? mine : reconcile([...mine, ...hinted], mode);
}

/** Stores versions of a key, keeping what they do not make obsolete (§4.4); tells the invariant. */
function store(ctx: C, s: ReplicaState, key: string, incoming: readonly Version[], overwrite = false): void {
  const mode = ctx.params.conflict;
  const before = s.store[key] ?? [];
  // The read-repair bug: the repair replaces what the node holds, newer or not.
  const after = overwrite ? [...incoming] : reconcile([...before, ...incoming], mode);
  if (after.length === before.length && coversAll(before, after, mode) && coversAll(after, before, mode))
    return;
  s.store[key] = after;
  ctx.emit({ type: 'stored', key, before, after, conflict: mode } satisfies StoredEvent);
}

/** Versions of a key a replica's record of its writes keeps (the Versions view draws them). */
export const WRITTEN_KEPT = 12;

/** Adds a version this node made to its record of writes, dropping the oldest past WRITTEN_KEPT. */
function record(s: ReplicaState, key: string, v: Version): void {
  const list = s.written[key] ?? [];
  list.push(v);
  if (list.length > WRITTEN_KEPT) list.splice(0, list.length - WRITTEN_KEPT);
  s.written[key] = list;
}

/** Keeps a version for a home node believed down (§4.6). */
function keepHint(ctx: C, s: ReplicaState, home: string, key: string, v: Version): void {
  const h = s.hints.find((x) => x.home === home && x.key === key);
  if (h === undefined) s.hints.push({ home, key, versions: [v] });
  else h.versions = reconcile([...h.versions, v], ctx.params.conflict);
}

// ------------------------------------------------------------------ coordinating (§4.5)

/** Who a request goes to, and for whom a stand-in keeps it. null: refused (cp, too few home replicas up). */
function chooseTargets(
  ctx: C,
  s: ReplicaState,
  key: string,
  need: number,
): { home: string[]; targets: string[]; hintFor: Record<string, string> } | null {
  const p = ctx.params;
  const all = walk(s.ring, key);
  const n = Math.min(p.n, all.length);
  const home = all.slice(0, n);
  const strict = p.mode === 'cp' && !p.bugCountHintAsHomeReplica;
  if (strict) {
    // §4.5, strict: only the home replicas; refuse at once when fewer than the quorum look up.
    const up = home.filter((x) => healthy(ctx, s, x)).length;
    return up < Math.min(need, n) ? null : { home, targets: home, hintFor: {} };
  }
  // §4.6, sloppy: the first N nodes believed up on the walk; a stand-in past the first N keeps
  // the replica for the first home node that is down and not yet stood in for.
  const targets = all.filter((x) => healthy(ctx, s, x)).slice(0, n);
  const downHome = home.filter((x) => !targets.includes(x));
  const hintFor: Record<string, string> = {};
  for (const t of targets) if (!home.includes(t)) hintFor[t] = downHome.shift() ?? '';
  return { home, targets, hintFor };
}

/** A client request reaches this node: coordinate it. */
function onRequest(ctx: C, s: ReplicaState, from: string, m: RequestMsg): void {
  const p = ctx.params;
  const need = m.op === 'get' ? p.r : p.w;
  const plan = chooseTargets(ctx, s, m.key, need);
  if (plan === null) {
    s.refused += 1;
    ctx.note(`refuse ${m.op} ${m.key}: fewer than ${need} of its home replicas are up`);
    ctx.send(from, { type: 'Response', req: m.req, outcome: 'refused', values: [], context: {} });
    return;
  }
  const c: Coordination = {
    id: s.nextId++,
    client: from,
    req: m.req,
    op: m.op,
    key: m.key,
    version: null,
    home: plan.home,
    targets: plan.targets,
    acks: [],
    replies: [],
    answer: null,
    answered: false,
    writingBack: false,
    stale: false,
    startUs: ctx.now(),
  };
  s.coordinating.push(c);
  ctx.setTimer(coordTimer(c.id), p.requestTimeoutMs * 1000);
  if (m.op === 'put') {
    // §4.4: a new version. Its clock reading orders it under last writer wins; under version
    // vectors it descends from the client's context, with this node's counter advanced.
    const counter = Math.max(m.context[ctx.self] ?? 0, s.counters[m.key] ?? 0) + 1;
    s.counters[m.key] = counter;
    c.version = {
      value: m.value,
      ts: ctx.now(),
      by: ctx.self,
      vv: vvJoin([m.context, { [ctx.self]: counter }]),
    };
    record(s, m.key, c.version);
    const standIns = Object.entries(plan.hintFor).map(([t, home]) => `${t} keeps a hint for ${home}`);
    if (standIns.length > 0) ctx.note(`put ${m.key}: sloppy quorum, ${standIns.join(', ')}`);
    for (const t of c.targets) {
      const msg: PutMsg = {
        type: 'Put',
        id: c.id,
        key: m.key,
        version: c.version,
        hint: plan.hintFor[t] ?? '',
      };
      if (t === ctx.self) {
        onPut(ctx, s, msg);
        c.acks.push(ctx.self);
      } else ctx.send(t, msg);
    }
    maybeAnswerPut(ctx, s, c);
  } else {
    for (const t of c.targets)
      if (t === ctx.self) c.replies.push({ from: ctx.self, versions: held(s, m.key, p.conflict) });
      else ctx.send(t, { type: 'Get', id: c.id, key: m.key });
    maybeAnswerGet(ctx, s, c);
  }
}

/** Replicas that count toward a strict quorum: home replicas only (unless the bug counts stand-ins too). */
function counted(ctx: C, c: Coordination, nodes: readonly string[]): string[] {
  const p = ctx.params;
  if (p.mode === 'ap' || p.bugCountHintAsHomeReplica) return [...nodes];
  return nodes.filter((x) => c.home.includes(x));
}

function quorumEvent(ctx: C, c: Coordination, need: number, nodes: string[]): QuorumEvent {
  const p = ctx.params;
  return { type: 'quorum', op: c.op, key: c.key, mode: p.mode, n: p.n, need, counted: nodes };
}

/** A put is acknowledged once W replicas stored it (§4.5). */
function maybeAnswerPut(ctx: C, s: ReplicaState, c: Coordination): void {
  if (c.answered) return;
  const acks = counted(ctx, c, c.acks);
  const need = Math.min(ctx.params.w, c.home.length);
  if (acks.length < need) return;
  c.answered = true;
  s.served += 1;
  ctx.emit(quorumEvent(ctx, c, need, acks));
  ctx.send(c.client, { type: 'Response', req: c.req, outcome: 'ok', values: [], context: c.version!.vv });
  finish(ctx, s, c);
}

/** A get answers once R replicas replied (§4.5); a cp read may first write the newest version back. */
function maybeAnswerGet(ctx: C, s: ReplicaState, c: Coordination): void {
  if (c.answered) return;
  const p = ctx.params;
  const repliers = counted(
    ctx,
    c,
    c.replies.map((r) => r.from),
  );
  const need = Math.min(p.r, c.home.length);
  if (!c.writingBack && repliers.length < need) return;
  const w = Math.min(p.w, c.home.length);
  /** Replicas known to hold `newest`: they answered with it, or acknowledged its write-back. */
  const holding = (newest: Version[]) =>
    counted(ctx, c, [
      ...new Set([
        ...c.replies.filter((r) => coversAll(r.versions, newest, p.conflict)).map((r) => r.from),
        ...c.acks,
      ]),
    ]);
  if (!c.writingBack) {
    c.answer = reconcile(
      c.replies.flatMap((r) => r.versions),
      p.conflict,
    );
    if (p.mode === 'cp' && c.answer.length > 0 && holding(c.answer).length < w) {
      // ABD's second phase: W home replicas must hold what this read returns before it
      // answers, so that no later read can return anything older.
      c.writingBack = true;
      const holders = holding(c.answer);
      ctx.note(`write ${c.key} back before answering`);
      for (const t of c.targets)
        if (!holders.includes(t)) {
          s.repairs += 1;
          const msg: RepairMsg = { type: 'Repair', id: c.id, key: c.key, versions: c.answer };
          if (t === ctx.self) {
            onRepair(ctx, s, msg);
            c.acks.push(ctx.self);
          } else ctx.send(t, msg);
        }
    }
  }
  const newest = c.answer ?? [];
  if (c.writingBack && holding(newest).length < w) return;
  c.answered = true;
  s.served += 1;
  if (newest.length > 1) {
    s.conflictingReads += 1;
    ctx.note(
      `${c.key} has ${newest.length} siblings: ${newest.map((v) => describeVersion(v, p.conflict)).join(' | ')}`,
    );
  }
  ctx.emit(quorumEvent(ctx, c, need, repliers));
  ctx.send(c.client, {
    type: 'Response',
    req: c.req,
    outcome: 'ok',
    values: newest.map((v) => v.value),
    context: vvJoin(newest.map((v) => v.vv)),
  });
  finish(ctx, s, c);
}

/** A coordination whose client has its answer: gone at once unless read repair still listens for stragglers. */
function finish(ctx: C, s: ReplicaState, c: Coordination): void {
  const waiting = c.op === 'get' && c.replies.length < c.targets.length;
  if (waiting) return;
  if (c.op === 'get') readRepair(ctx, s, c);
  drop(ctx, s, c);
}

function drop(ctx: C, s: ReplicaState, c: Coordination): void {
  const at = s.coordinating.indexOf(c);
  if (at >= 0) s.coordinating.splice(at, 1);
  ctx.cancelTimer(coordTimer(c.id));
}

/**
 * Read repair (§5: "...the coordinator ... will update the stale replicas"): once the read's
 * replies are in (or its window closed), every replica that answered an older version gets the
 * reconciled versions. A reply newer than what the client was given marks the read stale.
 */
function readRepair(ctx: C, s: ReplicaState, c: Coordination): void {
  const p = ctx.params;
  if (!p.readRepair || p.mode === 'cp') return; // cp wrote back before answering
  const newest = reconcile(
    c.replies.flatMap((r) => r.versions),
    p.conflict,
  );
  // The bug: repair with what the client was given, to every replica that answered anything
  // else, newer or not (and the replica takes it as it comes, in onRepair).
  const bug = p.bugNoReadRepairVersionCheck;
  const repair = bug && c.answer !== null ? c.answer : newest;
  const differs = (vs: Version[]) =>
    bug
      ? !(coversAll(vs, repair, p.conflict) && coversAll(repair, vs, p.conflict))
      : !coversAll(vs, repair, p.conflict);
  // Only home replicas are repaired: a stand-in holds hints, which go home by handoff.
  for (const r of c.replies)
    if (c.home.includes(r.from) && differs(r.versions)) {
      s.repairs += 1;
      const msg: RepairMsg = { type: 'Repair', id: 0, key: c.key, versions: repair };
      if (r.from === ctx.self) onRepair(ctx, s, msg);
      else ctx.send(r.from, msg);
    }
}

/** A reply from a replica to a read this node coordinates. */
function onGetReply(ctx: C, s: ReplicaState, from: string, m: GetReplyMsg): void {
  const c = s.coordinating.find((x) => x.id === m.id);
  if (c === undefined || c.op !== 'get' || c.replies.some((r) => r.from === from)) return;
  c.replies.push({ from, versions: m.versions });
  if (c.answered) {
    // A straggler with a version newer than what the client got, from a write that began
    // before this read did (by its coordinator's clock): the read missed it, it was stale.
    const p = ctx.params;
    const missed = c.answer === null ? [] : m.versions.filter((v) => !coversAll(c.answer!, [v], p.conflict));
    if (!c.stale && missed.some((v) => v.ts < c.startUs)) {
      c.stale = true;
      s.staleReads += 1;
      ctx.note(`stale read of ${c.key}: ${from} holds a newer version`);
    }
    finish(ctx, s, c);
    return;
  }
  maybeAnswerGet(ctx, s, c);
}

/** The coordination's deadline: no quorum in time, or the end of the read-repair window. */
function onCoordTimer(ctx: C, s: ReplicaState, id: number): void {
  const c = s.coordinating.find((x) => x.id === id);
  if (c === undefined) return;
  if (!c.answered) {
    s.timedOut += 1;
    ctx.note(`${c.op} ${c.key}: no quorum in time`);
    ctx.send(c.client, { type: 'Response', req: c.req, outcome: 'timeout', values: [], context: {} });
  } else if (c.op === 'get') readRepair(ctx, s, c);
  drop(ctx, s, c);
}

// ------------------------------------------------------------------ being a replica

/** Stores a version: a home replica in its store, a stand-in as a hint for the home node (§4.6). */
function onPut(ctx: C, s: ReplicaState, m: PutMsg): void {
  if (m.hint !== '' && m.hint !== ctx.self) keepHint(ctx, s, m.hint, m.key, m.version);
  else store(ctx, s, m.key, [m.version]);
}

function onRepair(ctx: C, s: ReplicaState, m: RepairMsg): void {
  store(ctx, s, m.key, m.versions, ctx.params.bugNoReadRepairVersionCheck);
}

// ------------------------------------------------------------------ failure detection and handoff

/** Heartbeat round: send to every peer, and re-judge who is down (§4.8.3, local failure detection). */
function onPingTimer(ctx: C, s: ReplicaState): void {
  const now = ctx.now();
  const silentUs = 3 * ctx.params.pingMs * 1000;
  for (const peer of replicas(ctx)) {
    if (peer === ctx.self) continue;
    ctx.send(peer, { type: 'Ping' });
    const down = now - (s.lastHeardUs[peer] ?? now) > silentUs;
    const was = s.suspected.includes(peer);
    if (down && !was) {
      s.suspected.push(peer);
      s.suspected.sort();
      ctx.note(`${peer} seems down`);
    }
  }
  ctx.setTimer('ping', ctx.params.pingMs * 1000);
}

/** Any message from a peer shows it is up. */
function heard(ctx: C, s: ReplicaState, from: string): void {
  s.lastHeardUs[from] = ctx.now();
  const at = s.suspected.indexOf(from);
  if (at >= 0) {
    s.suspected.splice(at, 1);
    ctx.note(`${from} is back`);
  }
}

/** Hinted handoff (§4.6): hand each hint to its home node once that node is believed up again. */
function onHandoffTimer(ctx: C, s: ReplicaState): void {
  for (const h of s.hints)
    if (healthy(ctx, s, h.home)) ctx.send(h.home, { type: 'Handoff', key: h.key, versions: h.versions });
  ctx.setTimer('handoff', ctx.params.handoffMs * 1000);
}

/** The home node stored what a hint held: the hint goes (unless newer versions came in meanwhile). */
function onHandoffAck(
  ctx: C,
  s: ReplicaState,
  from: string,
  key: string,
  versions: readonly Version[],
): void {
  const at = s.hints.findIndex((h) => h.home === from && h.key === key);
  if (at < 0) return;
  if (!coversAll(versions, s.hints[at]!.versions, ctx.params.conflict)) return;
  s.hints.splice(at, 1);
  s.handoffs += 1;
  ctx.note(`hint for ${key} handed back to ${from}`);
}

/**
 * Anti-entropy (§4.7). Dynamo compares Merkle trees of each key range two replicas share and
 * transfers only the ranges that differ; with a handful of keys this lab sends the shared keys'
 * versions whole. Every `antiEntropyMs` a replica picks the next peer it believes up (round
 * robin) and sends the versions of every key both are home replicas of; the peer keeps the
 * newer ones and sends back the keys where it holds something the sender lacks.
 */
function shared(ctx: C, s: ReplicaState, peer: string): { key: string; versions: Version[] }[] {
  const out: { key: string; versions: Version[] }[] = [];
  for (const key of Object.keys(s.store).sort()) {
    const home = preferenceList(s.ring, key, ctx.params.n);
    if (home.includes(ctx.self) && home.includes(peer)) out.push({ key, versions: s.store[key]! });
  }
  return out;
}

function onSyncTimer(ctx: C, s: ReplicaState): void {
  const peers = replicas(ctx).filter((x) => x !== ctx.self);
  for (let k = 0; k < peers.length; k++) {
    const peer = peers[(s.syncNext + k) % peers.length]!;
    if (!healthy(ctx, s, peer)) continue;
    s.syncNext = (s.syncNext + k + 1) % peers.length;
    ctx.send(peer, { type: 'Sync', entries: shared(ctx, s, peer), reply: true });
    break;
  }
  ctx.setTimer('sync', ctx.params.antiEntropyMs * 1000);
}

function onSync(ctx: C, s: ReplicaState, from: string, m: SyncMsg): void {
  const mode = ctx.params.conflict;
  const theirs = new Map(m.entries.map((e) => [e.key, e.versions]));
  for (const e of m.entries)
    if (!coversAll(s.store[e.key] ?? [], e.versions, mode)) {
      s.synced += 1;
      store(ctx, s, e.key, e.versions);
    }
  if (!m.reply) return;
  const back = shared(ctx, s, from).filter((e) => !coversAll(theirs.get(e.key) ?? [], e.versions, mode));
  if (back.length > 0) ctx.send(from, { type: 'Sync', entries: back, reply: false });
}

function startUp(ctx: C, s: ReplicaState): void {
  s.ring = buildRing(replicas(ctx), ctx.params.vnodes);
  const now = ctx.now();
  for (const peer of replicas(ctx)) if (peer !== ctx.self) s.lastHeardUs[peer] = now;
  ctx.setTimer('ping', ctx.params.pingMs * 1000);
  ctx.setTimer('handoff', ctx.params.handoffMs * 1000);
  if (ctx.params.antiEntropy) ctx.setTimer('sync', ctx.params.antiEntropyMs * 1000);
}

/** A replica's handler. */
export function replicaOn(ctx: C, s: ReplicaState, input: Input<DynamoMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart':
      startUp(ctx, s);
      return;
    case 'client':
      ctx.reply(input.op, { ok: false }); // clients are nodes of their own
      return;
    case 'timer':
      if (input.name === 'ping') onPingTimer(ctx, s);
      else if (input.name === 'handoff') onHandoffTimer(ctx, s);
      else if (input.name === 'sync') onSyncTimer(ctx, s);
      else if (input.name.startsWith('req:')) onCoordTimer(ctx, s, Number(input.name.slice(4)));
      return;
    case 'message':
      break;
  }
  const { from, msg: m } = input;
  if (s.ring.some((x) => x.node === from)) heard(ctx, s, from);
  switch (m.type) {
    case 'Request':
      onRequest(ctx, s, from, m);
      return;
    case 'Put':
      onPut(ctx, s, m);
      ctx.send(from, { type: 'PutAck', id: m.id });
      return;
    case 'PutAck': {
      const c = s.coordinating.find((x) => x.id === m.id);
      if (c === undefined || c.acks.includes(from)) return;
      c.acks.push(from);
      if (c.op === 'put') maybeAnswerPut(ctx, s, c);
      return;
    }
    case 'Get':
      ctx.send(from, { type: 'GetReply', id: m.id, versions: held(s, m.key, ctx.params.conflict) });
      return;
    case 'GetReply':
      onGetReply(ctx, s, from, m);
      return;
    case 'Repair':
      onRepair(ctx, s, m);
      if (m.id !== 0) ctx.send(from, { type: 'RepairAck', id: m.id });
      return;
    case 'RepairAck': {
      const c = s.coordinating.find((x) => x.id === m.id);
      if (c === undefined || c.acks.includes(from)) return;
      c.acks.push(from);
      maybeAnswerGet(ctx, s, c);
      return;
    }
    case 'Handoff':
      store(ctx, s, m.key, m.versions);
      ctx.send(from, { type: 'HandoffAck', key: m.key, versions: m.versions });
      return;
    case 'HandoffAck':
      onHandoffAck(ctx, s, from, m.key, m.versions);
      return;
    case 'Sync':
      onSync(ctx, s, from, m);
      return;
    default:
      return;
  }
}

/** The preference list of a key as a replica's ring places it (for checks and views). */
export function homeOf(s: ReplicaState, key: string, n: number): string[] {
  return preferenceList(s.ring, key, n);
}
