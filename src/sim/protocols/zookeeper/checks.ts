/**
 * ZooKeeper's guarantees as checks. Zab's (DSN 2011 §III): integrity, total order, agreement
 * — together: every server delivers the same txns in the same zxid order, each a prefix of
 * the others ("prefix property"); primary order (a leader proposes in zxid order); primary
 * integrity (a new leader's history holds every txn any server delivered). ZooKeeper's (Hunt et
 * al. §2.3): FIFO client order (a client's requests take effect in the order it sent them),
 * and a client's view never goes back (the zxids it sees never decrease). The data model's
 * (§2.1): an ephemeral znode lives no longer than its session. The lock recipe's (§2.4): at
 * most one client believes it holds the lock.
 */
import type { ClusterView, Invariant, Liveness, NodeView } from '../../protocol';
import { zxidHex } from './tree';
import { type ClientState, CONFIG_PATH, type ServerState, type ZkState, type ZooKeeperParams } from './types';

const serverOf = (n: NodeView<ZkState>): ServerState | null =>
  n.up && n.state.kind === 'server' ? n.state : null;

/** Every two servers delivered the same txns in the same order (Zab's agreement and total order). */
const prefix: Invariant<ZkState> = {
  id: 'zab-prefix',
  title:
    'Servers deliver the same txns in the same zxid order: one delivered sequence is a prefix of the other',
  check({ changed, nodes }: ClusterView<ZkState>) {
    const a = serverOf(changed);
    if (a === null || a.committed === 0) return null;
    for (const n of nodes) {
      const b = serverOf(n);
      if (b === null || n.id === changed.id) continue;
      const k = Math.min(a.committed, b.committed) - 1;
      if (k < 0) continue;
      const x = a.history[k]!;
      const y = b.history[k]!;
      if (x.zxid !== y.zxid)
        return `${changed.id} delivered ${zxidHex(x.zxid)} as its txn #${k + 1}, ${n.id} delivered ${zxidHex(y.zxid)}`;
    }
    return null;
  },
};

/** A history is in strictly increasing zxid order (primary order: a leader proposes in order). */
const primaryOrder: Invariant<ZkState> = {
  id: 'zab-primary-order',
  title: "Each server's history is in strictly increasing zxid order",
  check({ changed }) {
    const s = serverOf(changed);
    if (s === null || s.history.length < 2) return null;
    const h = s.history;
    const a = h[h.length - 2]!.zxid;
    const b = h[h.length - 1]!.zxid;
    return b > a ? null : `${changed.id} accepted ${zxidHex(b)} after ${zxidHex(a)}`;
  },
};

/** A new leader's history holds every txn any server has delivered (Zab's primary integrity). */
const primaryIntegrity: Invariant<ZkState> = {
  id: 'zab-primary-integrity',
  title: 'A leader, once established, has in its history every txn any server delivered',
  check({ changed, nodes, events }) {
    if (!events.some((e) => e.type === 'established')) return null;
    const l = serverOf(changed);
    if (l === null) return null;
    const have = new Set(l.history.map((p) => p.zxid));
    for (const n of nodes) {
      const s = serverOf(n);
      if (s === null) continue;
      for (let k = 0; k < s.committed; k++)
        if (!have.has(s.history[k]!.zxid))
          return `${changed.id} leads epoch ${l.currentEpoch} without ${zxidHex(s.history[k]!.zxid)}, which ${n.id} delivered`;
    }
    return null;
  },
};

/** A session's txns are delivered in the order its client sent them (FIFO client order, §2.3). */
const fifo: Invariant<ZkState> = {
  id: 'fifo-client-order',
  title: "Each client's writes take effect in the order it sent them, and it is answered in that order",
  check({ changed, events }) {
    for (const e of events) {
      if (
        e.type === 'delivered' &&
        (e.kind as string) !== 'createSession' &&
        (e.kind as string) !== 'closeSession'
      ) {
        const prev = e.prevXid as number | null;
        if (prev !== null && (e.xid as number) <= prev)
          return `${changed.id} applied request #${e.xid} of session ${e.session} after its #${prev}`;
      }
      if (e.type === 'observed' && e.inOrder === false)
        return `${changed.id} got an answer before the answer to an earlier request`;
    }
    return null;
  },
};

/** The zxids a client sees never go back, across servers (§2.3, "a client's view"). */
const monotonic: Invariant<ZkState> = {
  id: 'reads-never-go-back',
  title: 'The zxids a client sees never decrease, even when it moves to another server',
  check({ changed, events }) {
    for (const e of events)
      if (e.type === 'observed' && (e.zxid as number) < (e.prev as number))
        return `${changed.id} saw ${zxidHex(e.zxid as number)} after ${zxidHex(e.prev as number)}`;
    return null;
  },
};

/** When a session closes, its ephemeral znodes go with it (§2.1). */
const ephemerals: Invariant<ZkState> = {
  id: 'ephemerals-die-with-session',
  title: "Once a server applies a session's expiry, none of that session's ephemeral znodes is left",
  check({ changed, events }) {
    const s = serverOf(changed);
    if (s === null) return null;
    for (const e of events) {
      if (e.type !== 'closed') continue;
      for (const [path, n] of Object.entries(s.tree.nodes))
        if (n.ephemeralOwner === e.session)
          return `${changed.id} applied the expiry of session ${e.session} and still has its ephemeral ${path}`;
    }
    return null;
  },
};

/**
 * At most one client believes it holds the lock (the lock recipe's mutual exclusion, §2.4).
 * With a store in the scenario the store's check judges instead: a client paused past its
 * session timeout cannot know it lost the lock, so its belief is the pitfall, not a bug.
 */
const mutex: Invariant<ZkState> = {
  id: 'lock-mutual-exclusion',
  title: 'At most one client believes it holds the lock (without a store: with one, fenced-writes judges)',
  check({ changed, nodes, events }) {
    if (!events.some((e) => e.type === 'lock-acquired')) return null;
    if (nodes.some((n) => n.role === 'store')) return null;
    const holders = nodes
      .filter((n) => n.up && n.state.kind === 'client' && (n.state as ClientState).holdsLock)
      .map((n) => n.id);
    return holders.length <= 1
      ? null
      : `${changed.id} took the lock while ${holders.filter((h) => h !== changed.id).join(', ')} still believes it holds it`;
  },
};

/** The store never takes a write from an older lock holder after a newer one's (fencing). */
const fenced: Invariant<ZkState> = {
  id: 'fenced-writes',
  title: "The store never takes a write of an older lock holder after a newer holder's write",
  check({ changed, events }) {
    for (const e of events)
      if (e.type === 'store-write' && (e.token as number) < (e.max as number))
        return `${changed.id} took ${e.client}'s write with token ${e.token} after ${e.last}'s with token ${e.max}`;
    return null;
  },
};

export const zkInvariants: Invariant<ZkState>[] = [
  prefix,
  primaryOrder,
  primaryIntegrity,
  fifo,
  monotonic,
  ephemerals,
  mutex,
  fenced,
];

/**
 * Group membership (§2.4): once the faults stop, within two session timeouts (a failed member's
 * session must expire) every client that is up lists exactly the clients that are up.
 */
export const groupViews: Liveness<ZkState, ZooKeeperParams> = {
  id: 'group-views-converge',
  title: 'After the faults stop, every client lists exactly the clients that are up (group membership)',
  withinUs: (p) => 2 * p.sessionTimeoutMs * 1000 + 1_000_000,
  check({ nodes }, p) {
    if (p.recipe !== 'membership') return null;
    const up = nodes
      .filter((n) => n.up && n.state.kind === 'client')
      .map((n) => n.id)
      .sort();
    for (const n of nodes) {
      if (!n.up || n.state.kind !== 'client') continue;
      const seen = n.state.members.join(',');
      if (seen !== up.join(','))
        return `${n.id} lists [${n.state.members.join(', ')}], but the clients up are [${up.join(', ')}]`;
    }
    return null;
  },
};

/**
 * Configuration management (§2.4): once the faults stop, within two session timeouts (a reader
 * whose server failed must notice, move and read again) every reader that is up runs the
 * latest version of /config, the highest any server that is up has applied. Not every version:
 * a watch is one-shot, so a reader may skip versions written before its next read.
 */
export const configConverges: Liveness<ZkState, ZooKeeperParams> = {
  id: 'config-converges',
  title: 'After the faults stop, every reader that is up runs the latest version of /config',
  withinUs: (p) => 2 * p.sessionTimeoutMs * 1000 + 1_000_000,
  check({ nodes }, p) {
    if (p.recipe !== 'config') return null;
    let latest = 0;
    for (const n of nodes) {
      const s = serverOf(n);
      const zc = s?.tree.nodes[CONFIG_PATH];
      if (zc !== undefined && zc.version > latest) latest = zc.version;
    }
    const readers = nodes.filter((n) => n.state.kind === 'client').slice(1); // the first is the operator
    for (const n of readers) {
      if (!n.up || n.state.kind !== 'client') continue;
      if (n.state.configVersion !== latest)
        return `${n.id} runs /config version ${n.state.configVersion}, but the latest is ${latest}`;
    }
    return null;
  },
};
