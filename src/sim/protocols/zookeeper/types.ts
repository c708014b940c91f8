/**
 * ZooKeeper's params, messages and node states. Sources: Hunt et al., "ZooKeeper: Wait-free
 * coordination for Internet-scale systems", USENIX ATC 2010 (the service); Junqueira, Reed,
 * Serafini, "Zab: High-performance broadcast for primary-backup systems", DSN 2011 (the
 * atomic broadcast, §IV-V). docs/protocols/zookeeper.md names every choice the papers leave open.
 */
import { z } from 'zod';
import type { DataTree, Txn, ZkError, ZkRequest, Zxid } from './tree';

export const ZooKeeperParams = z.object({
  /** ZooKeeper's tickTime: the leader's ping period, the unit of the other timeouts (scaled down from 2 s). */
  tickMs: z.number().int().min(5).max(2000).default(50).describe('tickTime: leader ping period, ms'),
  /** syncLimit: ticks a follower may go unheard (and the leader unheard by a quorum) before they give up on each other. */
  syncLimitTicks: z
    .number()
    .int()
    .min(2)
    .max(50)
    .default(5)
    .describe('syncLimit: ticks without contact before leader and follower give up on each other'),
  /** Fast leader election's finalize wait: how long a quorum of equal votes must stand before deciding. */
  finalizeWaitMs: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(40)
    .describe('Fast leader election: how long a quorum of equal votes stands before the decision, ms'),
  /** The session timeout clients ask for: the leader expires a session not heard from for this long. */
  sessionTimeoutMs: z
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(800)
    .describe('Session timeout: a session silent this long expires and its ephemeral znodes go, ms'),
  /** What the clients do besides the workload's reads and writes. */
  recipe: z
    .enum(['none', 'lock', 'membership', 'election', 'config'])
    .default('lock')
    .describe(
      'Recipe the clients run (§2.4): none (the workload only), a lock on /lock, group membership under /members, leader election under /election, or configuration management on /config',
    ),
  /** Lock recipe: how long a client holds the lock, then between a release and its next try. */
  lockHoldMs: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(150)
    .describe('Lock recipe: time the lock is held, ms'),
  lockThinkMs: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(20)
    .describe('Lock recipe: pause between a release and the next try, ms'),
  /** Lock recipe with a store: writes carry the lock znode's sequence number and the store refuses older ones. */
  fencing: z
    .boolean()
    .default(false)
    .describe(
      "Lock recipe: the store refuses a write whose token (the lock znode's sequence number) is older than one it took",
    ),
  /** Reads: served by the client's server from its own copy (local), or after a sync (§2.2). */
  readMode: z
    .enum(['local', 'sync'])
    .default('local')
    .describe('Reads: local (the connected server answers from its copy) or sync first'),
  /** Bug switch: the leader commits a proposal on its own ack, without a quorum. */
  bugCommitWithoutQuorum: z
    .boolean()
    .default(false)
    .describe('Bug: commit a proposal without a quorum of acks'),
  /** Bug switch: a new leader skips the synchronization phase: followers keep their own histories. */
  bugSkipSyncPhase: z
    .boolean()
    .default(false)
    .describe('Bug: the leader skips synchronization (NEWLEADER carries no history)'),
  /** Bug switch: a session's expiry leaves its ephemeral znodes behind. */
  bugNoEphemeralCleanup: z
    .boolean()
    .default(false)
    .describe('Bug: an expired session leaves its ephemeral znodes behind'),
  /** Bug switch: the lock's waiters all watch /lock, so every release wakes every waiter (the herd effect). */
  bugHerdLock: z
    .boolean()
    .default(false)
    .describe('Bug (a cost): every waiter watches /lock itself, so each release wakes them all'),
});
export type ZooKeeperParams = z.infer<typeof ZooKeeperParams>;

/** A server's Zab state (Zab §IV: LOOKING in phase 0, then FOLLOWING or LEADING). */
export type PeerState = 'LOOKING' | 'FOLLOWING' | 'LEADING';

/** A follower's phase as the leader (and the follower itself) sees it (Zab §IV, phases 1-3). */
export type Phase = 'discovery' | 'synchronization' | 'broadcast';

/** A history entry: a proposal ⟨e, ⟨v, z⟩⟩ as Zab writes it, the value being a txn. */
export interface Proposal {
  /** Its zxid (epoch, counter). */
  zxid: Zxid;
  /** The transaction. */
  txn: Txn;
}

/** A vote of fast leader election: (epoch, zxid, id), compared in that order. */
export interface Vote {
  /** The proposed leader. */
  leader: string;
  /** Its last zxid. */
  zxid: Zxid;
  /** Its current epoch. */
  epoch: number;
}

/** What a leader knows of one follower. */
export interface Learner {
  /** Where the follower is in phases 1-3. */
  phase: Phase;
  /** When it was last heard from (the leader's clock). */
  heardUs: number;
}

/** A client request a server has taken and not yet answered (its queue keeps the session's order). */
export interface Queued {
  /** The session. */
  session: string;
  /** The client's request number. */
  xid: number;
  /** The request. */
  req: ZkRequest;
  /** For a sync: the leader's zxid this server must have applied before answering, once known. */
  syncZxid: Zxid | null;
  /** For a write: its outcome, once this server applied its txn. */
  result: { zxid: Zxid; err: ZkError | null; value: string | null } | null;
}

/** A server of the ensemble. */
export interface ServerState {
  kind: 'server';
  // --- Zab's persistent variables (Zab §IV; what survives a crash) ---
  /** acceptedEpoch: the epoch of the last NEWEPOCH accepted. */
  acceptedEpoch: number;
  /** currentEpoch: the epoch of the last NEWLEADER accepted. */
  currentEpoch: number;
  /** history: the proposals accepted, in zxid order. */
  history: Proposal[];
  /** Session ids this server has handed out (a durable counter, so ids are never reused). */
  sessionsIssued: number;
  // --- Volatile ---
  /** LOOKING, FOLLOWING or LEADING. */
  state: PeerState;
  /** The leader this server follows or is, '' while looking. */
  leader: string;
  /** This server's phase (a leader: broadcast once established). */
  phase: Phase;
  /** How many history entries are delivered (committed and applied to `tree`). */
  committed: number;
  /** The replicated data tree as of the last delivered txn. */
  tree: DataTree;
  /** Fast leader election: the election round (logicalclock), the current vote and the votes received. */
  round: number;
  vote: Vote;
  votes: Record<string, Vote>;
  /** When the leader (as follower) or a quorum (as leader) was last heard, local clock. */
  heardUs: number;
  // --- Leader only ---
  /** The epoch this leader proposes (NEWEPOCH), 0 while not leading. */
  newEpoch: number;
  /** Followers by id. */
  learners: Record<string, Learner>;
  /** The acceptedEpochs of the FOLLOWERINFOs received in discovery (the new epoch is above them all). */
  epochsSeen: Record<string, number>;
  /** True once a quorum acknowledged NEWLEADER: the leader broadcasts. */
  established: boolean;
  /** The next counter of this epoch's zxids. */
  counter: number;
  /** Outstanding proposals (zxid) and who acknowledged each, in zxid order. */
  outstanding: { zxid: Zxid; acks: string[] }[];
  /** The tree as it will be once every outstanding proposal commits (§4.1: what requests are prepared against). */
  prepTree: DataTree | null;
  /** Session deadlines (the leader's clock): a session not heard from by then expires. */
  deadlines: Record<string, number>;
  // --- Every server: its clients ---
  /** Sessions connected here, with their client node. */
  conns: Record<string, string>;
  /** Requests taken and not answered, in arrival order. */
  queue: Queued[];
  /** Watches set on this server: path → sessions (data watches, then child watches). One-shot. */
  dataWatches: Record<string, string[]>;
  childWatches: Record<string, string[]>;
  /** Sessions heard from since the last report to the leader (a follower's PING carries them). */
  touched: string[];
  // --- Counters ---
  proposals: number;
  watchesFired: number;
}

/** A lock-recipe step (§2.4 "Simple Locks without Herd Effect"). */
export type LockStep = 'idle' | 'creating' | 'listing' | 'watching' | 'held' | 'releasing';

/** A request the client sent and awaits. */
export interface Outstanding {
  /** Its request number. */
  xid: number;
  /** The request. */
  req: ZkRequest;
  /** The workload's operation it carries out, or null for a recipe's own request. */
  opId: number | null;
  /** For a workload write or read: the value written, '' for a read. */
  value: string;
}

/** A client with its session. */
export interface ClientState {
  kind: 'client';
  /** The session id, null before the first connect (and after expiry). */
  session: string | null;
  /** Its connection. */
  status: 'connecting' | 'connected' | 'disconnected';
  /** The server it is connected (or connecting) to. */
  server: string;
  /** The highest zxid it has seen: a server behind it may not take its session (§2.3). */
  lastZxidSeen: Zxid;
  /** Its next request number. */
  nextXid: number;
  /** Requests in flight, in order. */
  outstanding: Outstanding[];
  /** Workload operations waiting for a connection. */
  backlog: Outstanding[];
  /** When its server was last heard from (local clock). */
  heardUs: number;
  /** Sessions this client had expired. */
  expiries: number;
  // --- Lock recipe ---
  lock: LockStep;
  /** Its lock znode (full path), '' when it has none. */
  myNode: string;
  /** The znode it waits on ('' when none). */
  watching: string;
  /** True while it believes it holds the lock. */
  holdsLock: boolean;
  acquired: number;
  /** Locks released. */
  released: number;
  /** Group membership: the members this client last listed under /members, sorted. */
  members: string[];
  /** Lock-recipe messages sent and received (requests, answers, watch events). */
  recipeMsgs: number;
  /**
   * Configuration management: the version of /config this client runs (0 before its first
   * read); for the operator, the versions it has pushed.
   */
  configVersion: number;
  /** The configuration it runs (the data of /config at that version). */
  config: string | null;
  /** Versions it never ran: a one-shot watch fires once however many writes follow (§2.4). */
  configSkipped: number;
}

/** The resource the lock protects (Kleppmann's fencing example): it takes writes from lock holders. */
export interface StoreState {
  kind: 'store';
  /** The highest token of a write it took (-1 before the first). */
  maxToken: number;
  /** The client of that write. */
  lastWriter: string;
  /** Writes taken, and refused for an old token. */
  writes: number;
  refused: number;
}

export type ZkState = ServerState | ClientState | StoreState;

/** Messages. Server-to-server names follow Zab and the ZooKeeper implementation. */
export type ZkMsg =
  // Phase 0: fast leader election.
  | { type: 'NOTIFICATION'; vote: Vote; round: number; state: PeerState }
  // Phase 1: discovery.
  | { type: 'FOLLOWERINFO'; acceptedEpoch: number; lastZxid: Zxid }
  | { type: 'NEWEPOCH'; epoch: number }
  | { type: 'ACKEPOCH'; epoch: number; currentEpoch: number; lastZxid: Zxid }
  // Phase 2: synchronization.
  | { type: 'NEWLEADER'; epoch: number; history: Proposal[] | null }
  | { type: 'ACKNEWLEADER'; epoch: number }
  | { type: 'UPTODATE'; epoch: number; zxid: Zxid }
  // Phase 3: broadcast.
  | { type: 'PROPOSAL'; epoch: number; proposal: Proposal }
  | { type: 'ACK'; epoch: number; zxid: Zxid }
  | { type: 'COMMIT'; epoch: number; zxid: Zxid }
  | { type: 'PING'; epoch: number; touched: string[] }
  | { type: 'REQUEST'; epoch: number; session: string; xid: number; origin: string; req: ZkRequest }
  | {
      type: 'CREATESESSION';
      epoch: number;
      session: string;
      client: string;
      timeoutMs: number;
      origin: string;
    }
  | { type: 'SYNC'; epoch: number; session: string; xid: number; zxid: Zxid }
  // Client and server.
  | { type: 'CONNECT'; session: string | null; lastZxidSeen: Zxid; timeoutMs: number }
  | { type: 'CONNECTED'; session: string; zxid: Zxid }
  /** `notYet`: the server is up but not serving yet (no leader): a new client may wait for it. */
  | { type: 'REFUSED'; why: string; notYet: boolean }
  | { type: 'EXPIRED'; session: string }
  | { type: 'OP'; session: string; xid: number; req: ZkRequest }
  | {
      type: 'RESULT';
      xid: number;
      zxid: Zxid;
      err: ZkError | null;
      /** getData: the data; create: the path created; getChildren: the names, comma separated. */
      value: string | null;
      children: string[] | null;
      version: number;
    }
  | {
      type: 'WATCH';
      path: string;
      event: 'NodeDataChanged' | 'NodeDeleted' | 'NodeCreated' | 'NodeChildrenChanged';
    }
  | { type: 'CPING'; session: string }
  // A lock holder's write to the store, with its token.
  | { type: 'STOREWRITE'; token: number }
  | { type: 'CPONG'; zxid: Zxid };

/** The znode the workload's key is stored in. */
export const keyPath = (key: string): string => `/kv/${key}`;
/** The lock recipe's parent znode. */
export const LOCK_PATH = '/lock';
/** The leader election recipe's parent znode (the lock's queue, with a leader that never lets go). */
export const ELECTION_PATH = '/election';
/** The configuration management recipe's znode (the paper's zc). */
export const CONFIG_PATH = '/config';
/** Configuration management: how many configurations the operator pushes, and how many ticks apart. */
export const CONFIG_PUSHES = 3;
export const CONFIG_PUSH_TICKS = 6;
/** The group membership recipe's parent znode. */
export const MEMBERS_PATH = '/members';
