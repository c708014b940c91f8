/**
 * ZooKeeper's data model and its transactions: Hunt, Konar, Junqueira, Reed, "ZooKeeper:
 * Wait-free coordination for Internet-scale systems", USENIX ATC 2010.
 *
 * - §2.1: a hierarchical name space of data nodes (znodes), each with data, a version and
 *   children; a znode is regular (persistent) or ephemeral (deleted when the session that
 *   created it ends; no children); the sequential flag appends a monotonically increasing
 *   counter to the name. As the implementation does, the counter is the parent's cversion
 *   (its count of child changes) printed as ten digits, zero padded.
 * - §2.2: create, delete(path, version), exists, getData, setData(path, data, version),
 *   getChildren, sync; version -1 means "any version".
 * - §4.1: the leader turns a request into an idempotent transaction: it computes the state
 *   the write will bring about (the new version, the sequence name) against what will be once
 *   every write before it has been applied, so applying the transaction needs no check and
 *   gives the same result on every server, even applied twice.
 *
 * Everything here is a pure function over plain data; the server's handler (zab.ts) calls it.
 */

/** A zxid: (epoch, counter) packed as epoch·2³² + counter, as ZooKeeper does (zxid.ts). */
export type Zxid = number;

/** One znode (§2.1) with the stat fields the lab shows. */
export interface Znode {
  /** Its data; null while never written (the workload's keys start this way). */
  data: string | null;
  /** Times its data changed (setData). */
  version: number;
  /** Times its children changed: the next sequential child's number. */
  cversion: number;
  /** The zxid that created it. */
  czxid: Zxid;
  /** The zxid that last changed its data. */
  mzxid: Zxid;
  /** The session that owns it when ephemeral, else null. */
  ephemeralOwner: string | null;
  /** Names of its children, sorted. */
  children: string[];
}

/** An open session as the replicated state knows it (ZooKeeper keeps them in the data tree). */
export interface SessionInfo {
  /** The client node that opened it. */
  client: string;
  /** Its timeout, milliseconds. */
  timeoutMs: number;
  /** The client's last request number applied (FIFO order per session, §2.3). */
  lastXid: number;
}

/** The replicated state: the znodes by path and the open sessions by id. */
export interface DataTree {
  /** Every znode, keyed by its full path ('/' the root). */
  nodes: Record<string, Znode>;
  /** Open sessions by id. */
  sessions: Record<string, SessionInfo>;
}

/** A client request as a server receives it (§2.2). */
export type ZkRequest =
  | { op: 'create'; path: string; data: string; ephemeral: boolean; sequential: boolean }
  | { op: 'delete'; path: string; version: number }
  | { op: 'setData'; path: string; data: string; version: number }
  | { op: 'getData'; path: string; watch: boolean }
  | { op: 'exists'; path: string; watch: boolean }
  | { op: 'getChildren'; path: string; watch: boolean }
  | { op: 'sync'; path: string };

/** The error codes the lab's requests can fail with (ZooKeeper's KeeperException codes). */
export type ZkError =
  | 'NoNode'
  | 'NodeExists'
  | 'BadVersion'
  | 'NotEmpty'
  | 'NoChildrenForEphemerals'
  | 'SessionExpired';

/**
 * An idempotent transaction (§4.1). `session` and `xid` name the request it came from (none for
 * the leader's own session expiry); `origin` is the server the client sent it to, which answers.
 */
export type Txn = { session: string; xid: number; origin: string } & (
  | { kind: 'create'; path: string; data: string; ephemeralOwner: string | null; parentCversion: number }
  | { kind: 'delete'; path: string; parentCversion: number }
  | { kind: 'setData'; path: string; data: string; version: number }
  | { kind: 'createSession'; client: string; timeoutMs: number }
  | { kind: 'closeSession'; ephemerals: string[] }
  | { kind: 'error'; err: ZkError; op: string; path: string }
);

/** `0x<epoch><counter>` as ZooKeeper logs print a zxid (the counter as 8 hex digits). */
export function zxidHex(z: Zxid): string {
  const epoch = Math.floor(z / 0x100000000);
  const counter = z % 0x100000000;
  return `0x${epoch.toString(16)}${counter.toString(16).padStart(8, '0')}`;
}

/** The zxid of (epoch, counter). */
export function zxidOf(epoch: number, counter: number): Zxid {
  return epoch * 0x100000000 + counter;
}

/** The epoch of a zxid (its high 32 bits). */
export function epochOf(z: Zxid): number {
  return Math.floor(z / 0x100000000);
}

/** The counter of a zxid (its low 32 bits). */
export function counterOf(z: Zxid): number {
  return z % 0x100000000;
}

/** The parent path of a path ('/' for a child of the root). */
export function parentOf(path: string): string {
  const k = path.lastIndexOf('/');
  return k <= 0 ? '/' : path.slice(0, k);
}

/** The last name of a path. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A sequential name's suffix: ten digits, zero padded (§2.1). */
export function sequenceSuffix(n: number): string {
  return String(n).padStart(10, '0');
}

function znode(data: string | null, zxid: Zxid, ephemeralOwner: string | null): Znode {
  return { data, version: 0, cversion: 0, czxid: zxid, mzxid: zxid, ephemeralOwner, children: [] };
}

/**
 * The tree every server starts from (its initial snapshot): the root, and the persistent
 * parents the scenario's recipes and keys use, each holding the given children with no data.
 */
export function initialTree(parents: Record<string, readonly string[]>): DataTree {
  const nodes: Record<string, Znode> = { '/': znode(null, 0, null) };
  for (const [parent, kids] of Object.entries(parents)) {
    nodes[parent] = znode(null, 0, null);
    nodes['/']!.children.push(nameOf(parent));
    for (const k of kids) {
      nodes[`${parent}/${k}`] = znode(null, 0, null);
      nodes[parent]!.children.push(k);
    }
    nodes[parent]!.children.sort();
  }
  nodes['/']!.children.sort();
  return { nodes, sessions: {} };
}

function insertSorted(list: string[], name: string): void {
  let k = 0;
  while (k < list.length && list[k]! < name) k++;
  if (list[k] !== name) list.splice(k, 0, name);
}

/**
 * The leader's preparation of a write (§4.1, ZooKeeper's PrepRequestProcessor): checks the
 * request against `tree` (the state once every write before it is applied) and returns the
 * transaction that has the outcome built in, an error transaction when the check fails.
 */
export function prepare(
  tree: DataTree,
  req: ZkRequest,
  base: { session: string; xid: number; origin: string },
): Txn {
  const fail = (err: ZkError): Txn => ({ ...base, kind: 'error', err, op: req.op, path: req.path });
  // A request of a session that is closed (or closing) fails: its ephemerals must not come back.
  if (tree.sessions[base.session] === undefined) return fail('SessionExpired');
  switch (req.op) {
    case 'create': {
      const parent = tree.nodes[parentOf(req.path)];
      if (parent === undefined) return fail('NoNode');
      if (parent.ephemeralOwner !== null) return fail('NoChildrenForEphemerals');
      const path = req.sequential ? req.path + sequenceSuffix(parent.cversion) : req.path;
      if (tree.nodes[path] !== undefined) return fail('NodeExists');
      return {
        ...base,
        kind: 'create',
        path,
        data: req.data,
        ephemeralOwner: req.ephemeral ? base.session : null,
        parentCversion: parent.cversion + 1,
      };
    }
    case 'delete': {
      const n = tree.nodes[req.path];
      if (n === undefined) return fail('NoNode');
      if (req.version !== -1 && req.version !== n.version) return fail('BadVersion');
      if (n.children.length > 0) return fail('NotEmpty');
      return {
        ...base,
        kind: 'delete',
        path: req.path,
        parentCversion: tree.nodes[parentOf(req.path)]!.cversion + 1,
      };
    }
    case 'setData': {
      const n = tree.nodes[req.path];
      if (n === undefined) return fail('NoNode');
      if (req.version !== -1 && req.version !== n.version) return fail('BadVersion');
      return { ...base, kind: 'setData', path: req.path, data: req.data, version: n.version + 1 };
    }
    default:
      throw new Error(`${req.op} is not a write`);
  }
}

/** The ephemeral znodes a session owns, sorted (what its closeSession txn deletes). */
export function ephemeralsOf(tree: DataTree, session: string): string[] {
  const out: string[] = [];
  for (const [path, n] of Object.entries(tree.nodes)) if (n.ephemeralOwner === session) out.push(path);
  return out.sort();
}

/** What applying a transaction changed, for watches (§2.1 "Watches") and the reply. */
export interface Applied {
  /** Paths whose data changed or that were deleted: their data watches fire. */
  dataChanged: string[];
  /** Paths created: exists watches on them fire. */
  created: string[];
  /** Parents whose children changed: their child watches fire. */
  childrenChanged: string[];
}

/**
 * Applies a committed transaction (every server, in zxid order). Idempotent: the transaction
 * carries its outcome, so this checks nothing but what makes a second application a no-op.
 */
export function applyTxn(tree: DataTree, txn: Txn, zxid: Zxid): Applied {
  const out: Applied = { dataChanged: [], created: [], childrenChanged: [] };
  const session = tree.sessions[txn.session];
  if (session !== undefined && txn.xid > session.lastXid) session.lastXid = txn.xid;
  switch (txn.kind) {
    case 'create': {
      if (tree.nodes[txn.path] !== undefined) return out;
      const parentPath = parentOf(txn.path);
      const parent = tree.nodes[parentPath];
      if (parent === undefined) return out;
      tree.nodes[txn.path] = znode(txn.data, zxid, txn.ephemeralOwner);
      insertSorted(parent.children, nameOf(txn.path));
      parent.cversion = Math.max(parent.cversion, txn.parentCversion);
      out.created.push(txn.path);
      out.childrenChanged.push(parentPath);
      return out;
    }
    case 'delete':
      deleteNode(tree, txn.path, txn.parentCversion, out);
      return out;
    case 'setData': {
      const n = tree.nodes[txn.path];
      if (n === undefined) return out;
      n.data = txn.data;
      n.version = txn.version;
      n.mzxid = zxid;
      out.dataChanged.push(txn.path);
      return out;
    }
    case 'createSession':
      tree.sessions[txn.session] ??= { client: txn.client, timeoutMs: txn.timeoutMs, lastXid: txn.xid };
      return out;
    case 'closeSession':
      // The session's ephemeral znodes go with it (§2.1); the leader listed them when it
      // prepared the txn, so every server deletes the same ones.
      for (const path of txn.ephemerals) {
        const parent = tree.nodes[parentOf(path)];
        deleteNode(tree, path, (parent?.cversion ?? 0) + 1, out);
      }
      delete tree.sessions[txn.session];
      return out;
    case 'error':
      return out;
  }
}

function deleteNode(tree: DataTree, path: string, parentCversion: number, out: Applied): void {
  if (tree.nodes[path] === undefined) return;
  delete tree.nodes[path];
  const parentPath = parentOf(path);
  const parent = tree.nodes[parentPath];
  if (parent !== undefined) {
    const k = parent.children.indexOf(nameOf(path));
    if (k >= 0) parent.children.splice(k, 1);
    parent.cversion = Math.max(parent.cversion, parentCversion);
  }
  out.dataChanged.push(path);
  out.childrenChanged.push(parentPath);
}

/** A one-line description of a transaction for notes and the inspector. */
export function describeTxn(txn: Txn): string {
  switch (txn.kind) {
    case 'create':
      return `create ${txn.path}${txn.ephemeralOwner !== null ? ' (ephemeral)' : ''}`;
    case 'delete':
      return `delete ${txn.path}`;
    case 'setData':
      return `setData ${txn.path} = ${txn.data} (v${txn.version})`;
    case 'createSession':
      return `createSession ${txn.session}`;
    case 'closeSession':
      return `closeSession ${txn.session}${txn.ephemerals.length > 0 ? ` (deletes ${txn.ephemerals.join(', ')})` : ''}`;
    case 'error':
      return `error ${txn.err} (${txn.op} ${txn.path})`;
  }
}
