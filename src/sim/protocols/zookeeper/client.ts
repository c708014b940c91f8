/**
 * A ZooKeeper client (Hunt et al., USENIX ATC 2010, §2.3, §4.4): one session at a time,
 * connected to one server. It sends its requests in order (FIFO client order) and keeps the
 * highest zxid it has seen, so it never moves to a server that has seen less. It pings when
 * idle; when its server goes quiet for two thirds of the session timeout it moves to the next
 * server with the same session, and when told the session expired it starts a new one.
 *
 * The workload's reads and writes become getData and setData on /kv/<key> (a sync first with
 * readMode 'sync'). With recipe 'lock' the client also runs §2.4's lock:
 *
 *   Lock                                                Unlock
 *   1 n = create(l + "/lock-", EPHEMERAL|SEQUENTIAL)    1 delete(n)
 *   2 C = getChildren(l, false)
 *   3 if n is lowest znode in C, exit
 *   4 p = znode in C ordered just before n
 *   5 if exists(p, true) wait for watch event
 *   6 goto 2
 *
 * Its lock znodes are named /lock/<client>-<sequence>, so after a lost connection the client
 * finds the znode its create made (ZooKeeper's "protected" create does the same with a GUID).
 *
 * With recipe 'config' (§2.4 "Configuration Management") the first client is the operator and
 * writes new configurations to /config (the paper's zc); the others read zc with the watch flag
 * set, and when notified read it again, again with the watch set.
 */
import type { ClientOp, Ctx, Input } from '../../protocol';
import { nextAfter } from '../../toolkit/kv-client';
import type { ZkRequest } from './tree';
import {
  type ClientState,
  CONFIG_PATH,
  CONFIG_PUSH_TICKS,
  CONFIG_PUSHES,
  ELECTION_PATH,
  keyPath,
  LOCK_PATH,
  MEMBERS_PATH,
  type Outstanding,
  type ZkMsg,
  type ZooKeeperParams,
} from './types';

type C = Ctx<ZooKeeperParams, ZkMsg>;
type Result = Extract<ZkMsg, { type: 'RESULT' }>;

export function initClient(): ClientState {
  return {
    kind: 'client',
    session: null,
    status: 'disconnected',
    server: '',
    lastZxidSeen: 0,
    nextXid: 1,
    outstanding: [],
    backlog: [],
    heardUs: 0,
    expiries: 0,
    lock: 'idle',
    myNode: '',
    watching: '',
    holdsLock: false,
    acquired: 0,
    released: 0,
    members: [],
    recipeMsgs: 0,
    configVersion: 0,
    config: null,
    configSkipped: 0,
  };
}

const timeoutUs = (p: ZooKeeperParams): number => p.sessionTimeoutMs * 1000;

/** True when the clients queue with ephemeral-sequential znodes: the lock, and leader election. */
const queues = (ctx: C): boolean => ctx.params.recipe === 'lock' || ctx.params.recipe === 'election';
/** Where they queue. */
const queuePath = (ctx: C): string => (ctx.params.recipe === 'election' ? ELECTION_PATH : LOCK_PATH);

/** The sequence number of a sequential znode's name (its last ten digits). */
export function sequenceOf(name: string): number {
  return Number(name.slice(-10));
}

export function onClient(ctx: C, c: ClientState, input: Input<ZkMsg>): void {
  switch (input.kind) {
    case 'start':
    case 'restart': {
      const clients = ctx.nodesWithRole('client');
      const servers = ctx.nodesWithRole('server');
      // Clients spread over the servers in id order: the k-th client starts at the k-th server.
      c.server = servers[clients.indexOf(ctx.self) % servers.length] ?? '';
      connect(ctx, c, c.server);
      ctx.setTimer('tick', ctx.params.tickMs * 1000);
      return;
    }
    case 'timer':
      if (input.name === 'tick') onTick(ctx, c);
      else if (input.name === 'lock') onLockTimer(ctx, c);
      else if (input.name === 'work') onWork(ctx, c);
      else if (input.name === 'config') push(ctx, c);
      return;
    case 'client':
      onWorkload(ctx, c, input.op);
      return;
    case 'message':
      onMessage(ctx, c, input.from, input.msg);
      return;
  }
}

function connect(ctx: C, c: ClientState, server: string): void {
  if (server === '') return;
  c.server = server;
  c.status = 'connecting';
  c.heardUs = ctx.now();
  ctx.send(server, {
    type: 'CONNECT',
    session: c.session,
    lastZxidSeen: c.lastZxidSeen,
    timeoutMs: ctx.params.sessionTimeoutMs,
  });
}

/**
 * The connection is gone (ZooKeeper's CONNECTIONLOSS): requests in flight are lost. A read
 * failed for certain; a write's outcome is unknown (it may commit), so the workload's timeout
 * records it. Then try the next server.
 */
function disconnect(ctx: C, c: ClientState, why: string): void {
  ctx.note(`disconnected from ${c.server}: ${why}`);
  for (const o of c.outstanding)
    if (o.opId !== null && o.opId >= 0 && o.req.op === 'getData') ctx.reply({ id: o.opId }, { ok: false });
  c.status = 'disconnected';
  c.outstanding = [];
  c.heardUs = ctx.now();
  c.server = nextAfter(ctx.nodesWithRole('server'), c.server);
}

function onTick(ctx: C, c: ClientState): void {
  ctx.setTimer('tick', ctx.params.tickMs * 1000);
  const quiet = ctx.now() - c.heardUs;
  const t = timeoutUs(ctx.params);
  if (c.status === 'disconnected') connect(ctx, c, c.server);
  else if (c.status === 'connecting') {
    if (quiet > t / 3) {
      c.server = nextAfter(ctx.nodesWithRole('server'), c.server);
      connect(ctx, c, c.server);
    }
  } else if (quiet > (2 * t) / 3) disconnect(ctx, c, `no answer for ${Math.round(quiet / 1000)} ms`);
  else if (quiet > t / 3 && c.session !== null) ctx.send(c.server, { type: 'CPING', session: c.session });
}

function send(ctx: C, c: ClientState, o: Outstanding): void {
  c.outstanding.push(o);
  if (o.opId === null) c.recipeMsgs += 1;
  ctx.send(c.server, { type: 'OP', session: c.session!, xid: o.xid, req: o.req });
}

function request(ctx: C, c: ClientState, req: ZkRequest, opId: number | null = null, value = ''): void {
  const o: Outstanding = { xid: c.nextXid, req, opId, value };
  c.nextXid += 1;
  if (c.status === 'connected') send(ctx, c, o);
  else if (opId !== null) c.backlog.push(o);
}

function onWorkload(ctx: C, c: ClientState, op: ClientOp): void {
  const path = keyPath(op.key);
  if (op.op === 'write') {
    request(ctx, c, { op: 'setData', path, data: op.value ?? '', version: -1 }, op.id, op.value ?? '');
    return;
  }
  if (ctx.params.readMode === 'sync') request(ctx, c, { op: 'sync', path }, -1);
  request(ctx, c, { op: 'getData', path, watch: false }, op.id);
}

function onMessage(ctx: C, c: ClientState, from: string, m: ZkMsg): void {
  if (from !== c.server) return; // a server this client has left
  c.heardUs = ctx.now();
  switch (m.type) {
    case 'CONNECTED': {
      if (c.status !== 'connecting') return;
      c.status = 'connected';
      const fresh = c.session !== m.session;
      c.session = m.session;
      if (m.zxid > c.lastZxidSeen) c.lastZxidSeen = m.zxid;
      ctx.note(`${fresh ? 'session' : 'reconnected'} ${m.session} at ${from}`);
      for (const o of c.backlog) send(ctx, c, o);
      c.backlog = [];
      if (queues(ctx)) resumeLock(ctx, c, fresh);
      if (ctx.params.recipe === 'membership') join(ctx, c, fresh);
      if (ctx.params.recipe === 'config') configure(ctx, c);
      return;
    }
    case 'REFUSED':
      if (c.status === 'disconnected') return;
      // A client without a session waits for a server that is up but has no leader yet (the
      // ensemble is electing one); otherwise it moves on to the next server.
      if (m.notYet && c.session === null) {
        c.status = 'disconnected';
        return;
      }
      disconnect(ctx, c, m.why);
      return;
    case 'EXPIRED':
      ctx.note(`session ${m.session} expired`);
      c.session = null;
      c.expiries += 1;
      c.holdsLock = false;
      c.lock = 'idle';
      c.myNode = '';
      c.watching = '';
      disconnect(ctx, c, 'session expired');
      return;
    case 'RESULT':
      onResult(ctx, c, m);
      return;
    case 'WATCH':
      if (ctx.params.recipe === 'membership' && m.path === MEMBERS_PATH) {
        listMembers(ctx, c);
        return;
      }
      if (ctx.params.recipe === 'config' && m.path === CONFIG_PATH) {
        c.recipeMsgs += 1;
        readConfig(ctx, c);
        return;
      }
      if (queues(ctx) && m.path.startsWith(queuePath(ctx))) {
        c.recipeMsgs += 1;
        if (c.lock === 'watching' && (m.path === c.watching || m.path === queuePath(ctx))) list(ctx, c);
      }
      return;
    default:
      return;
  }
}

function onResult(ctx: C, c: ClientState, m: Result): void {
  const k = c.outstanding.findIndex((o) => o.xid === m.xid);
  if (k < 0) return;
  // Answers come in request order (FIFO client order, §2.3).
  const [o] = c.outstanding.splice(k, 1);
  ctx.emit({ type: 'observed', client: ctx.self, zxid: m.zxid, prev: c.lastZxidSeen, inOrder: k === 0 });
  if (m.zxid > c.lastZxidSeen) c.lastZxidSeen = m.zxid;
  if (o!.opId === -1) return; // the sync before a read
  if (o!.opId !== null) {
    if (o!.req.op === 'getData')
      ctx.reply({ id: o!.opId }, { ok: true, value: m.err === 'NoNode' ? null : m.value });
    else ctx.reply({ id: o!.opId }, m.err === null ? { ok: true } : { ok: false });
    return;
  }
  c.recipeMsgs += 1;
  if (ctx.params.recipe === 'membership') {
    if (o!.req.op === 'getChildren' && m.children !== null) c.members = m.children.slice().sort();
    return;
  }
  if (ctx.params.recipe === 'config') {
    if (o!.req.op === 'getData' && m.err === null) run(ctx, c, m.version, m.value);
    return;
  }
  onLockResult(ctx, c, o!, m);
}

// ---------------------------------------------------------------------------------------------
// Group membership (§2.4): each member is an ephemeral child of /members; members list the
// children with a watch and list again when it fires, so a member that fails leaves every
// view once its session expires.

function join(ctx: C, c: ClientState, fresh: boolean): void {
  // A new session (first, or after expiry) creates its znode; a reconnected one still has it.
  if (fresh)
    request(ctx, c, {
      op: 'create',
      path: `${MEMBERS_PATH}/${ctx.self}`,
      data: ctx.self,
      ephemeral: true,
      sequential: false,
    });
  listMembers(ctx, c); // the watch set at the last server is gone with that connection
}

function listMembers(ctx: C, c: ClientState): void {
  request(ctx, c, { op: 'getChildren', path: MEMBERS_PATH, watch: true });
}

// ---------------------------------------------------------------------------------------------
// Configuration management (§2.4): "the configuration is stored in a znode, zc. Processes
// start up with the full pathname of zc. Starting processes obtain their configuration by
// reading zc with the watch flag set to true. If the configuration in zc is ever updated, the
// processes are notified and read the new configuration, again setting the watch flag to true."
// A watch is one-shot and says only that zc changed, so a process may never run a version
// that a later write replaced before its read: it runs the latest, not every one.

const isOperator = (ctx: C): boolean => ctx.nodesWithRole('client')[0] === ctx.self;

function configure(ctx: C, c: ClientState): void {
  if (isOperator(ctx)) {
    if (c.configVersion === 0) ctx.setTimer('config', CONFIG_PUSH_TICKS * ctx.params.tickMs * 1000);
    return;
  }
  readConfig(ctx, c); // at start, and after a move to another server, where its watch is gone
}

function readConfig(ctx: C, c: ClientState): void {
  request(ctx, c, { op: 'getData', path: CONFIG_PATH, watch: true });
}

/** The operator writes the next configuration (unconditionally: it is the only writer). */
function push(ctx: C, c: ClientState): void {
  if (c.configVersion >= CONFIG_PUSHES) return;
  const next = CONFIG_PUSH_TICKS * ctx.params.tickMs * 1000;
  if (c.status !== 'connected') {
    ctx.setTimer('config', ctx.params.tickMs * 1000);
    return;
  }
  c.configVersion += 1;
  c.config = `config v${c.configVersion}`;
  ctx.note(`pushes ${c.config}`);
  request(ctx, c, { op: 'setData', path: CONFIG_PATH, data: c.config, version: -1 });
  if (c.configVersion < CONFIG_PUSHES) ctx.setTimer('config', next);
}

/** A reader got zc at `version`: it runs that configuration (a read never goes back, §2.3). */
function run(ctx: C, c: ClientState, version: number, data: string | null): void {
  if (isOperator(ctx) || version <= c.configVersion) return;
  if (c.configVersion > 0) c.configSkipped += version - c.configVersion - 1;
  c.configVersion = version;
  c.config = data;
  ctx.note(`runs /config version ${version}${data === null ? '' : ` (${data})`}`);
}

// ---------------------------------------------------------------------------------------------
// The lock recipe (§2.4).

function resumeLock(ctx: C, c: ClientState, fresh: boolean): void {
  if (fresh || c.lock === 'idle') {
    c.lock = 'idle';
    // The first try is staggered by client so the story starts with a queue.
    ctx.setTimer(
      'lock',
      fresh && c.acquired === 0
        ? 1000 * ctx.params.tickMs * (1 + ctx.nodesWithRole('client').indexOf(ctx.self))
        : ctx.params.lockThinkMs * 1000,
    );
    return;
  }
  if (c.lock === 'held') return; // the session lives, so does its znode
  if (c.lock === 'releasing') {
    request(ctx, c, { op: 'delete', path: c.myNode, version: -1 });
    return;
  }
  list(ctx, c); // creating, listing or watching: look again (step 2)
}

function onLockTimer(ctx: C, c: ClientState): void {
  if (c.status !== 'connected') {
    ctx.setTimer('lock', ctx.params.tickMs * 1000);
    return;
  }
  if (c.lock === 'idle') {
    c.lock = 'creating';
    request(ctx, c, {
      op: 'create',
      path: `${queuePath(ctx)}/${ctx.self}-`,
      data: ctx.self,
      ephemeral: true,
      sequential: true,
    });
  } else if (c.lock === 'held') {
    c.holdsLock = false;
    c.lock = 'releasing';
    ctx.emit({ type: 'lock-released', client: ctx.self });
    request(ctx, c, { op: 'delete', path: c.myNode, version: -1 });
  }
}

/**
 * A lock holder's work on the store it protects (when the scenario has one): a write now and
 * every two ticks while it believes it holds the lock, carrying its token, the sequence number
 * of its lock znode (a fencing token: Kleppmann, "How to do distributed locking", 2016).
 */
function onWork(ctx: C, c: ClientState): void {
  const store = ctx.nodesWithRole('store')[0];
  if (store === undefined || !c.holdsLock) return;
  ctx.send(store, { type: 'STOREWRITE', token: sequenceOf(c.myNode) });
  ctx.setTimer('work', 2 * ctx.params.tickMs * 1000);
}

/** Step 2: getChildren(l); the herd version sets a watch on l itself. */
function list(ctx: C, c: ClientState): void {
  c.lock = 'listing';
  c.watching = '';
  request(ctx, c, { op: 'getChildren', path: queuePath(ctx), watch: ctx.params.bugHerdLock });
}

function onLockResult(ctx: C, c: ClientState, o: Outstanding, m: Result): void {
  const op = o.req.op;
  if (op === 'create' && c.lock === 'creating') {
    if (m.err !== null) {
      c.lock = 'idle';
      ctx.setTimer('lock', ctx.params.lockThinkMs * 1000);
      return;
    }
    c.myNode = m.value!;
    list(ctx, c);
  } else if (op === 'getChildren' && c.lock === 'listing') {
    const children = (m.children ?? []).slice().sort((a, b) => sequenceOf(a) - sequenceOf(b));
    if (c.myNode === '') {
      // After a lost connection: the znode an unanswered create may have made.
      const mine = children.find((n) => n.startsWith(`${ctx.self}-`));
      if (mine === undefined) {
        c.lock = 'idle';
        onLockTimer(ctx, c);
        return;
      }
      c.myNode = `${queuePath(ctx)}/${mine}`;
    }
    const me = c.myNode.slice(queuePath(ctx).length + 1);
    const k = children.indexOf(me);
    if (k < 0) {
      // Our znode is gone (our session was expired and renewed): start over.
      c.myNode = '';
      c.lock = 'idle';
      onLockTimer(ctx, c);
      return;
    }
    if (k === 0) {
      c.lock = 'held';
      c.holdsLock = true;
      c.acquired += 1;
      ctx.emit({ type: 'lock-acquired', client: ctx.self, node: c.myNode });
      if (ctx.params.recipe === 'election') {
        // Leader election: the lowest znode leads, and leads until its session ends.
        ctx.note(`leads (${c.myNode})`);
        return;
      }
      ctx.note(`holds the lock (${c.myNode})`);
      ctx.setTimer('lock', ctx.params.lockHoldMs * 1000);
      onWork(ctx, c);
      return;
    }
    c.lock = 'watching';
    if (ctx.params.bugHerdLock) {
      c.watching = queuePath(ctx); // the getChildren watch is set: any change wakes us
      return;
    }
    c.watching = `${queuePath(ctx)}/${children[k - 1]!}`;
    request(ctx, c, { op: 'exists', path: c.watching, watch: true });
  } else if (op === 'exists' && c.lock === 'watching') {
    if (m.value === null) list(ctx, c); // the predecessor is already gone
  } else if (op === 'delete' && c.lock === 'releasing') {
    c.lock = 'idle';
    c.myNode = '';
    c.released += 1;
    ctx.setTimer('lock', ctx.params.lockThinkMs * 1000);
  }
}
