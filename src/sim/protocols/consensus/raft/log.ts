/**
 * The replicated log of a Raft server (Ongaro & Ousterhout, "In Search of an Understandable
 * Consensus Algorithm (Extended Version)", 2014): Figure 2's `log[]`, with the prefix that log
 * compaction (§7) replaced by a snapshot.
 *
 * Indexes start at 1 (§5.3). Entries 1..lastIncludedIndex live in the snapshot; the entry with
 * index i > lastIncludedIndex is `log[i - lastIncludedIndex - 1]`, so without a snapshot entry
 * i is `log[i - 1]`. An entry is never changed once written (the kernel freezes written
 * entries): conflicting entries are removed from the end (§5.3), and compaction removes a
 * prefix (§7).
 *
 * Each entry also carries a checker-only hash, `chain`, that the protocol never reads: a hash
 * of the log of the leader that created the entry, through that entry. The Figure 3 checks
 * (invariants.ts) compare these numbers instead of whole logs.
 */

/** A replicated command. */
export type Command =
  | {
      /** The no-op a leader appends at the start of its term (§8). */
      kind: 'noop';
    }
  | {
      /** A key-value write. */
      kind: 'put';
      /** Client node id (the session, §8). */
      client: string;
      /** The client's request id (retries reuse it; §8). */
      reqId: number;
      /** Key. */
      key: string;
      /** Value. */
      value: string;
      /** The client's lowest request id still without an answer (older results can be forgotten). */
      ack: number;
    };

/** A log entry (Figure 2: "each entry contains command for state machine, and term when entry was received by leader"). */
export interface LogEntry {
  /** Term in which a leader created it. */
  term: number;
  /** The command for the state machine. */
  command: Command;
  /** Checker-only: hash of the creating leader's log through this entry (see chainHash). */
  chain: number;
}

/** The per-client table of applied requests, part of the state machine (§8). */
export interface Session {
  /** Highest `ack` seen: every request id below it was applied and answered. */
  ack: number;
  /** Applied request ids at or above `ack`, ascending. */
  done: number[];
}

/** The state machine's key-value store. */
export type KeyValueStore = Record<string, string>;

/** A snapshot (§7, Figure 12): the state machine after applying entries 1..lastIncludedIndex. */
export interface Snapshot {
  /** The index of the last entry the snapshot replaces (0: no snapshot). */
  lastIncludedIndex: number;
  /** The term of that entry. */
  lastIncludedTerm: number;
  /** Checker-only: the chain hash of that entry. */
  chain: number;
  /** The key-value store after applying 1..lastIncludedIndex. */
  kv: KeyValueStore;
  /** Client sessions after applying 1..lastIncludedIndex. */
  sessions: Record<string, Session>;
}

/** The snapshot of a server that has taken none. */
export function noSnapshot(): Snapshot {
  return { lastIncludedIndex: 0, lastIncludedTerm: 0, chain: 0, kv: {}, sessions: {} };
}

/** What the log helpers read of a server. */
export interface LogHolder {
  /** The entries after the snapshot. */
  log: readonly LogEntry[];
  /** The snapshot. */
  snapshot: Snapshot;
}

/** Index of the last entry (in the log, or the snapshot's when the log is empty). */
export function lastLogIndex(s: LogHolder): number {
  return s.snapshot.lastIncludedIndex + s.log.length;
}

/** Entry i, or undefined when it is in the snapshot or beyond the end. */
export function entryAt(s: LogHolder, i: number): LogEntry | undefined {
  return i > s.snapshot.lastIncludedIndex ? s.log[i - s.snapshot.lastIncludedIndex - 1] : undefined;
}

/** Term of entry i: 0 for index 0, -1 when compacted away or beyond the end. */
export function termAt(s: LogHolder, i: number): number {
  if (i === s.snapshot.lastIncludedIndex) return s.snapshot.lastIncludedTerm;
  return entryAt(s, i)?.term ?? -1;
}

/** Term of the last entry. */
export function lastLogTerm(s: LogHolder): number {
  return termAt(s, lastLogIndex(s));
}

/** Entries from..to (inclusive), those that are stored (above the snapshot, up to the end). */
export function entriesBetween(s: LogHolder, from: number, to: number): LogEntry[] {
  const offset = s.snapshot.lastIncludedIndex + 1;
  return s.log.slice(Math.max(from, offset) - offset, Math.max(0, to - offset + 1));
}

/**
 * §5.4.1: true when a log whose last entry has term `t` and index `i` is at least as
 * up-to-date as s's: the later last term wins; with equal last terms, the longer log.
 */
export function upToDate(s: LogHolder, t: number, i: number): boolean {
  const myTerm = lastLogTerm(s);
  return t > myTerm || (t === myTerm && i >= lastLogIndex(s));
}

// ------------------------------------------------------------ checker-only hashes

/** Chain hash of entry i (the snapshot's for its last index); -1 when compacted away or beyond the end. */
export function chainAt(s: LogHolder, i: number): number {
  if (i === s.snapshot.lastIncludedIndex) return s.snapshot.chain;
  return entryAt(s, i)?.chain ?? -1;
}

/*
 * Hashes are 30-bit (the top 30 bits of each 32-bit mix): V8 stores integers below 2^30 in an
 * object's own fields and returns them from a call without allocating a number.
 */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 2;
}

/** FNV-1a, continued from `h` over the characters of `text` and a separator. */
function fnv(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return Math.imul(h, 0x01000193);
}

/** Hash of a command (30 bits). */
export function commandHash(command: Command): number {
  if (command.kind === 'noop') return 0x1b9bdbdc; // 'noop' (0x6e6f6f70) >>> 2
  const h = fnv(fnv(0x811c9dc5, command.client), command.key);
  return mix(Math.imul(h ^ command.reqId, 0x01000193) ^ fnv(0x811c9dc5, command.value));
}

/** The chain hash of an entry of `term` with `command`, after an entry whose chain hash is `prev`. */
export function chainHash(prev: number, term: number, command: Command): number {
  return mix((mix(prev ^ 0x9e3779b9) + Math.imul(term, 0x27d4eb2f)) ^ commandHash(command));
}

/** A new entry to append after s's last one (what a leader creates, §5.3). */
export function newEntry(s: LogHolder, term: number, command: Command): LogEntry {
  return { term, command, chain: chainHash(chainAt(s, lastLogIndex(s)), term, command) };
}
