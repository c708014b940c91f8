import { z } from 'zod';
import type { KvClientState } from '../../../toolkit/kv-client';
import type { RingPoint } from './ring';
import type { Version, VersionVector } from './versions';

/**
 * Params of the Dynamo-style store. N, R and W are the paper's (§4.5 "Execution of get () and
 * put () operations"); `mode` is the CAP choice this lab adds on top: `cp` keeps Dynamo's
 * quorums strict (only the key's N home replicas count, §4.5), `ap` lets a sloppy quorum stand
 * in for home replicas it believes down, with hinted handoff (§4.6).
 */
export const DynamoParams = z
  .object({
    /** cp: strict quorums among the key's N home replicas, refuse or time out otherwise; ap: sloppy quorums with hinted handoff. */
    mode: z.enum(['cp', 'ap']).default('ap'),
    /** N: how many replicas hold each key (its preference list, §4.3). */
    n: z.number().int().min(1).max(7).default(3),
    /** R: replicas that must answer a read (§4.5). */
    r: z.number().int().min(1).max(7).default(2),
    /** W: replicas that must store a write before it is acknowledged (§4.5). */
    w: z.number().int().min(1).max(7).default(2),
    /** Conflicts: lww keeps the version with the latest coordinator clock; vv keeps concurrent versions as siblings (§4.4). */
    conflict: z.enum(['lww', 'vv']).default('lww'),
    /** Read repair: after answering a read, bring replicas that answered an older version up to date (§5). */
    readRepair: z.boolean().default(true),
    /** Anti-entropy (§4.7): every antiEntropyMs a replica compares the keys it shares with the next peer, and both keep the newer versions. */
    antiEntropy: z.boolean().default(false),
    /** Anti-entropy period. */
    antiEntropyMs: z.number().int().min(10).max(60_000).default(500),
    /** Points per node on the hash ring (§4.2). */
    vnodes: z.number().int().min(1).max(64).default(8),
    /** How long a coordinator waits for its quorum (and for stragglers, for read repair). */
    requestTimeoutMs: z.number().int().min(5).max(10_000).default(150),
    /** Heartbeat period of the failure detector; a peer silent for three periods is believed down (§4.8.3). */
    pingMs: z.number().int().min(5).max(10_000).default(100),
    /** How often a node holding hinted replicas tries to hand them back to their home node (§4.6). */
    handoffMs: z.number().int().min(5).max(10_000).default(200),
    /** A client re-sends a request unanswered this long to the next node. */
    clientRetryMs: z.number().int().min(10).max(10_000).default(300),
    /** Sends of one request before the client gives up (its outcome stays unknown). */
    clientMaxTries: z.number().int().min(1).max(10).default(3),
    /** Bug switch: in cp mode, a stand-in replica outside the preference list counts toward the strict quorum. */
    bugCountHintAsHomeReplica: z.boolean().default(false),
    /** Bug switch: a replica applies a read repair without comparing versions, so an older value can overwrite a newer one. */
    bugNoReadRepairVersionCheck: z.boolean().default(false),
  })
  .superRefine((p, ctx) => {
    if (p.r > p.n)
      ctx.addIssue({ code: 'custom', path: ['r'], message: `R (${p.r}) cannot exceed N (${p.n})` });
    if (p.w > p.n)
      ctx.addIssue({ code: 'custom', path: ['w'], message: `W (${p.w}) cannot exceed N (${p.n})` });
  });
/** Params of the Dynamo-style store. */
export type DynamoParams = z.infer<typeof DynamoParams>;

/** A request a replica coordinates (§4.5: "the coordinator"), from the client's request to its end. */
export interface Coordination {
  /** This coordinator's number for it (names its timer and its messages). */
  id: number;
  /** The client that asked. */
  client: string;
  /** The client's request number (what the answer names). */
  req: number;
  /** get or put. */
  op: 'get' | 'put';
  /** The key. */
  key: string;
  /** put: the version being written. */
  version: Version | null;
  /** The key's preference list: its N home replicas. */
  home: string[];
  /** The replicas asked: the home replicas, or in a sloppy quorum the first N healthy nodes. */
  targets: string[];
  /** Replicas that stored the write, or the read repair (put, and a cp read's write-back). */
  acks: string[];
  /** get: the versions each replica answered with, in arrival order. */
  replies: { from: string; versions: Version[] }[];
  /** get: the versions the client was given (set when answered). */
  answer: Version[] | null;
  /** The client has its answer. */
  answered: boolean;
  /** A cp read is writing the newest version back before it answers (ABD's second phase). */
  writingBack: boolean;
  /** This read was found stale (a replica answered something newer than what the client got). */
  stale: boolean;
  /** Local time the request arrived, microseconds. */
  startUs: number;
}

/** A replica kept for a home node that was believed down (§4.6 "hinted handoff"). */
export interface Hint {
  /** The home node the replica belongs to. */
  home: string;
  /** The key. */
  key: string;
  /** The versions held for it. */
  versions: Version[];
}

/** A storage node: every one can coordinate requests (§4.5). */
export interface ReplicaState {
  /** Discriminator. */
  kind: 'replica';
  /** The local store: key -> its versions (one under last writer wins; the siblings under version vectors). */
  store: Record<string, Version[]>;
  /** Replicas held for other nodes, to hand back when they recover (§4.6: a separate local database). */
  hints: Hint[];
  /** The highest counter this node put in a version vector, per key (so its own versions never repeat). */
  counters: Record<string, number>;
  /**
   * The last versions this node made as a coordinator, per key, oldest first (at most
   * WRITTEN_KEPT each). Dynamo keeps only a key's current versions; the lab keeps this record
   * for the Versions view (Figure 3's graph of versions, §4.4). No rule reads it.
   */
  written: Record<string, Version[]>;
  /** The hash ring of the replicas (§4.2), built at start. */
  ring: RingPoint[];
  /** Failure detector: local time each peer was last heard from. */
  lastHeardUs: Record<string, number>;
  /** Peers believed down (silent for three heartbeat periods), sorted. */
  suspected: string[];
  /** Requests this node coordinates. */
  coordinating: Coordination[];
  /** The next coordination number. */
  nextId: number;
  /** Client requests answered ok. */
  served: number;
  /** Client requests refused at once: too few (home) replicas believed up. */
  refused: number;
  /** Client requests whose quorum did not answer in time. */
  timedOut: number;
  /** Reads that returned an older version than a replica of the same read held, written before the read began. */
  staleReads: number;
  /** Reads that returned more than one sibling. */
  conflictingReads: number;
  /** Read-repair writes sent. */
  repairs: number;
  /** Hinted replicas handed back to their home node. */
  handoffs: number;
  /** Anti-entropy: the peer (index among the replicas) to compare with next. */
  syncNext: number;
  /** Anti-entropy: versions of keys brought up to date by a peer's comparison. */
  synced: number;
}

/** A client: the toolkit's retrying key-value client, plus the contexts of §4.4. */
export interface DynamoClientState extends KvClientState {
  /** Discriminator. */
  kind: 'client';
  /** Per key, the version vector of what this client last read or wrote: the context of its next write (§4.4). */
  context: Record<string, VersionVector>;
  /** Reads answered with more than one sibling. */
  siblingReads: number;
}

/** A node of the protocol. */
export type DynamoState = ReplicaState | DynamoClientState;

/** Client -> coordinator: get(key) or put(key, context, object) (§4.1 "System Interface"). */
export interface RequestMsg {
  type: 'Request';
  /** The client's request number. */
  req: number;
  /** get or put. */
  op: 'get' | 'put';
  /** The key. */
  key: string;
  /** put: the value. */
  value: string;
  /** put: the context, the version vector the client last saw for the key (§4.1, §4.4). */
  context: VersionVector;
}
/** Coordinator -> client. */
export interface ResponseMsg {
  type: 'Response';
  /** The request answered. */
  req: number;
  /** ok: done; refused: nothing was done; timeout: no quorum in time (a put may have been stored somewhere). */
  outcome: 'ok' | 'refused' | 'timeout';
  /** get: the values of the versions returned (one, or the siblings); empty for a missing key. */
  values: string[];
  /** The version vector of what was read or written (the client's next context). */
  context: VersionVector;
}
/** Coordinator -> replica: store this version (a hinted one when `hint` names a home node). */
export interface PutMsg {
  type: 'Put';
  /** The coordination. */
  id: number;
  /** The key. */
  key: string;
  /** The version. */
  version: Version;
  /** '' for a home replica; else the home node this stand-in keeps it for (§4.6). */
  hint: string;
}
/** Replica -> coordinator: stored. */
export interface PutAckMsg {
  type: 'PutAck';
  /** The coordination. */
  id: number;
}
/** Coordinator -> replica: what do you hold for this key? */
export interface GetMsg {
  type: 'Get';
  /** The coordination. */
  id: number;
  /** The key. */
  key: string;
}
/** Replica -> coordinator: its versions of the key (hinted ones included). */
export interface GetReplyMsg {
  type: 'GetReply';
  /** The coordination. */
  id: number;
  /** Its versions. */
  versions: Version[];
}
/** Coordinator -> replica: read repair, the reconciled versions of a key (§5). */
export interface RepairMsg {
  type: 'Repair';
  /** The coordination (0 for a repair nobody waits for). */
  id: number;
  /** The key. */
  key: string;
  /** The versions. */
  versions: Version[];
}
/** Replica -> coordinator: repaired (a cp read waits for these). */
export interface RepairAckMsg {
  type: 'RepairAck';
  /** The coordination. */
  id: number;
}
/** Stand-in -> home node: a hinted replica handed back (§4.6). */
export interface HandoffMsg {
  type: 'Handoff';
  /** The key. */
  key: string;
  /** The versions held for it. */
  versions: Version[];
}
/** Home node -> stand-in: stored; the hint may go. */
export interface HandoffAckMsg {
  type: 'HandoffAck';
  /** The key. */
  key: string;
  /** The versions it stored. */
  versions: Version[];
}
/** Anti-entropy (§4.7): the versions of the keys two replicas share; `reply` asks for the newer ones back. */
export interface SyncMsg {
  type: 'Sync';
  /** Key and versions, for every key both replicas are home replicas of. */
  entries: { key: string; versions: Version[] }[];
  /** True for the first message of a comparison: answer with what the sender lacks. */
  reply: boolean;
}
/** Heartbeat of the failure detector. */
export interface PingMsg {
  type: 'Ping';
}

/** Messages. */
export type DynamoMsg =
  | RequestMsg
  | ResponseMsg
  | PutMsg
  | PutAckMsg
  | GetMsg
  | GetReplyMsg
  | RepairMsg
  | RepairAckMsg
  | HandoffMsg
  | HandoffAckMsg
  | SyncMsg
  | PingMsg;

/** Check event: a replica's versions of a key changed (the versions-never-go-back invariant judges it). */
export type StoredEvent = {
  type: 'stored';
  /** The key. */
  key: string;
  /** Versions before. */
  before: Version[];
  /** Versions after. */
  after: Version[];
  /** The conflict mode in force. */
  conflict: 'lww' | 'vv';
};

/** Check event: a coordinator reached its quorum and answers (the strict-quorum invariant judges it). */
export type QuorumEvent = {
  type: 'quorum';
  /** get or put. */
  op: 'get' | 'put';
  /** The key. */
  key: string;
  /** The mode in force. */
  mode: 'cp' | 'ap';
  /** N in force. */
  n: number;
  /** R or W in force. */
  need: number;
  /** The replicas counted toward the quorum. */
  counted: string[];
};
