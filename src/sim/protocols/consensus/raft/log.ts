/**
 * The replicated log of a Raft server (Ongaro & Ousterhout 2014, §5.3) with a compacted prefix
 * (§7): entries 1..snap.index live in the snapshot, entries snap.index+1..lastIndex in `log`.
 *
 * Every entry carries two checker-only hashes: `c` (of the command, fixed when the leader
 * creates the entry) and `h` (a chain: h(i) = mix(h(i-1), term(i), c(i))). The protocol never
 * reads them; the invariants compare hashes instead of whole logs, so log matching and state
 * machine safety cost O(1) per pair of servers per step.
 */

import type { Kv } from './kv';

/** A replicated command. */
export type Cmd =
  | {
      /** The no-op a leader appends at the start of its term (§8). */
      kind: 'noop';
    }
  | {
      /** A key-value write. */
      kind: 'put';
      /** Client node id (the session). */
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

/** A log entry. */
export interface Entry {
  /** Term in which a leader created it. */
  term: number;
  /** The command. */
  cmd: Cmd;
  /** Checker-only hash of the command. */
  c: number;
  /** Checker-only chain hash over the log up to this entry. */
  h: number;
}

/** The per-client dedupe table of the state machine (§8). */
export interface Session {
  /** Highest `ack` seen: every request id below it was applied and answered. */
  ack: number;
  /** Applied request ids at or above `ack`, ascending. */
  done: number[];
}

/** The state machine snapshot that replaces the log prefix (§7). */
export interface Snapshot {
  /** Last included index (0: no snapshot). */
  index: number;
  /** Term of that entry. */
  term: number;
  /** Chain hash of that entry (checker-only). */
  h: number;
  /** The key-value store after applying 1..index. */
  kv: Kv;
  /** Client sessions after applying 1..index. */
  sessions: Record<string, Session>;
}

/** The empty snapshot. */
export const EMPTY_SNAPSHOT: Snapshot = { index: 0, term: 0, h: 0, kv: {}, sessions: {} };

/** Entries per chunk of a Log. */
const CHUNK_BITS = 8;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;
/** Entries per piece of the chunk being filled. */
const PIECE_BITS = 4;
const PIECE = 1 << PIECE_BITS;
const PIECE_MASK = PIECE - 1;

/**
 * The stored entries, as an immutable chunked array: entries base..base+n-1, in full chunks of
 * 256, then the chunk being filled as full pieces of 16 followed by a tail of fewer than 16.
 * An append copies only the tail (and, once per 16 entries, the list of pieces; once per 256,
 * the list of chunks), so its cost does not grow with the log. Before the pieces, the tail
 * held up to 255 entries and every append copied about 128 references at each server, the
 * largest allocation of a loaded run. Compaction drops whole chunks, so a few entries at or
 * below the snapshot index may still be stored; they are never read (the snapshot answers for
 * them).
 */
export interface Log {
  /** Index of the first stored entry. */
  base: number;
  /** Full chunks of entries (256 each), shared between logs until the next one fills. */
  chunks: Entry[][];
  /** The chunk being filled: full pieces of 16 entries (fewer than 16 pieces). */
  pieces: Entry[][];
  /** The entries after the pieces (fewer than 16). */
  tail: Entry[];
  /** Number of stored entries. */
  n: number;
}

/** The empty log. */
export const EMPTY_LOG: Log = { base: 1, chunks: [], pieces: [], tail: [], n: 0 };

/** A log holding `entries` from index `base`. */
export function logOf(entries: readonly Entry[], base = 1): Log {
  return logAppend({ base, chunks: [], pieces: [], tail: [], n: 0 }, entries);
}

/**
 * a followed by b, in one array of exact size. A loop: Array.prototype.concat and flat are
 * generic builtins, several times (flat about 30 times) slower on these small arrays.
 */
function joined(a: readonly Entry[], b: readonly Entry[]): Entry[] {
  const m = a.length;
  const k = b.length;
  const out = new Array<Entry>(m + k);
  for (let i = 0; i < m; i++) out[i] = a[i]!;
  for (let i = 0; i < k; i++) out[m + i] = b[i]!;
  return out;
}

/** The entries of full pieces, in order, as one array (a full chunk). */
function flatten(pieces: readonly Entry[][]): Entry[] {
  let n = 0;
  for (let p = 0; p < pieces.length; p++) n += pieces[p]!.length;
  const out = new Array<Entry>(n);
  let o = 0;
  for (let p = 0; p < pieces.length; p++) {
    const piece = pieces[p]!;
    for (let i = 0; i < piece.length; i++) out[o++] = piece[i]!;
  }
  return out;
}

/** Appends entries. */
export function logAppend(log: Log, entries: readonly Entry[]): Log {
  if (entries.length === 0) return log;
  const n = log.n + entries.length;
  // Common case: the tail does not fill up; one exact-size copy of it.
  if (log.tail.length + entries.length < PIECE)
    return { base: log.base, chunks: log.chunks, pieces: log.pieces, tail: joined(log.tail, entries), n };
  let chunks = log.chunks;
  let pieces = log.pieces.slice();
  let tail = log.tail.slice();
  for (const e of entries) {
    tail.push(e);
    if (tail.length === PIECE) {
      pieces.push(tail);
      tail = [];
      if (pieces.length === CHUNK / PIECE) {
        if (chunks === log.chunks) chunks = chunks.slice();
        chunks.push(flatten(pieces));
        pieces = [];
      }
    }
  }
  return { base: log.base, chunks, pieces, tail, n };
}

/** The stored entry at offset k (0-based from base; k must be in 0..n-1). */
function at(log: Log, k: number): Entry {
  const c = k >>> CHUNK_BITS;
  if (c < log.chunks.length) return log.chunks[c]![k & MASK]!;
  const p = (k & MASK) >>> PIECE_BITS;
  return (p < log.pieces.length ? log.pieces[p]! : log.tail)[k & PIECE_MASK]!;
}

/** Keeps the entries with index <= last. */
export function logTruncate(log: Log, last: number): Log {
  const m = Math.max(0, Math.min(log.n, last - log.base + 1));
  if (m === log.n) return log;
  const full = m >>> CHUNK_BITS;
  const chunks = full === log.chunks.length ? log.chunks : log.chunks.slice(0, full);
  // The kept part of the chunk being cut, rebuilt as pieces and a tail (at most 255 entries).
  const part: Entry[] = [];
  for (let k = full << CHUNK_BITS; k < m; k++) part.push(at(log, k));
  return logAppend({ base: log.base, chunks, pieces: [], tail: [], n: full << CHUNK_BITS }, part);
}

/** Drops whole chunks at or below `snapIndex` (all of the log if it ends there). */
export function logCompact(log: Log, snapIndex: number): Log {
  if (log.base + log.n - 1 <= snapIndex)
    return { base: snapIndex + 1, chunks: [], pieces: [], tail: [], n: 0 };
  // The last chunk (the one being filled, or the last full chunk when none is) always stays.
  const last = log.chunks.length + (log.pieces.length > 0 || log.tail.length > 0 ? 1 : 0) - 1;
  let d = 0;
  while (d < last && log.base + (d + 1) * CHUNK - 1 <= snapIndex) d++;
  if (d === 0) return log;
  return {
    base: log.base + d * CHUNK,
    chunks: log.chunks.slice(d),
    pieces: log.pieces,
    tail: log.tail,
    n: log.n - d * CHUNK,
  };
}

/** Every stored entry, in order (for tests and inspection). */
export function logEntries(log: Log): Entry[] {
  return log.chunks.flat().concat(log.pieces.flat(), log.tail);
}

/** What the log helpers need of a server. */
export interface LogHolder {
  /** Stored entries. */
  log: Log;
  /** The snapshot. */
  snap: Snapshot;
}

/** Index of the last entry. */
export function lastIndex(s: LogHolder): number {
  return Math.max(s.snap.index, s.log.base + s.log.n - 1);
}

/** Entry i (undefined when compacted away or beyond the end). */
export function entryAt(s: LogHolder, i: number): Entry | undefined {
  if (i <= s.snap.index) return undefined;
  const k = i - s.log.base;
  if (k < 0 || k >= s.log.n) return undefined;
  return at(s.log, k);
}

/** Entries from..to (inclusive) that are stored and above the snapshot. */
export function entriesBetween(s: LogHolder, from: number, to: number): Entry[] {
  const lo = Math.max(from, s.snap.index + 1);
  const log = s.log;
  const a = lo - log.base;
  const b = Math.min(to, log.base + log.n - 1) - log.base;
  // Within one piece or the tail (the usual case): one exact-size slice.
  if (a >= 0 && b >= a && a >>> PIECE_BITS === b >>> PIECE_BITS) {
    const c = a >>> CHUNK_BITS;
    if (c < log.chunks.length) return log.chunks[c]!.slice(a & MASK, (b & MASK) + 1);
    const p = (a & MASK) >>> PIECE_BITS;
    return (p < log.pieces.length ? log.pieces[p]! : log.tail).slice(a & PIECE_MASK, (b & PIECE_MASK) + 1);
  }
  const out: Entry[] = [];
  for (let i = lo; i <= to; i++) {
    const e = entryAt(s, i);
    if (e === undefined) break;
    out.push(e);
  }
  return out;
}

/** Term of entry i; 0 for index 0, -1 when compacted away or beyond the end. */
export function termAt(s: LogHolder, i: number): number {
  if (i === s.snap.index) return s.snap.term;
  return entryAt(s, i)?.term ?? -1;
}

/** Chain hash of entry i; -1 when compacted away or beyond the end. */
export function hashAt(s: LogHolder, i: number): number {
  if (i === s.snap.index) return s.snap.h;
  return entryAt(s, i)?.h ?? -1;
}

/** Term of the last entry. */
export function lastTerm(s: LogHolder): number {
  return termAt(s, lastIndex(s));
}

/*
 * Hashes are 30-bit (the top 30 bits of each 32-bit mix): V8 keeps integers below 2^30 as small
 * integers, stored in an entry's own fields and returned from a function without allocating;
 * a 32-bit value above that is a boxed number, one allocation each time a check reads it
 * through a call (about 7 % of the bytes a Raft run allocated).
 */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 2;
}

/** FNV-1a of a string, its top 30 bits. */
function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 2;
}

/** Checker-only hash of a command. */
export function cmdHash(cmd: Cmd): number {
  return cmd.kind === 'noop'
    ? 0x1b9bdbdc // 'noop' (0x6e6f6f70) >>> 2
    : fnv(`${cmd.client}\u0000${cmd.reqId}\u0000${cmd.key}\u0000${cmd.value}`);
}

/** The chain hash of an entry given its predecessor's. */
export function chainHash(prevH: number, term: number, c: number): number {
  return mix((mix(prevH ^ 0x9e3779b9) + Math.imul(term, 0x27d4eb2f)) ^ c);
}

/**
 * The first index in lo..hi whose entry does not chain onto its predecessor (whose chain hash
 * is `prevH` for lo), or -1 when every one does; lo..hi must be stored entries.
 */
export function firstBrokenLink(s: LogHolder, lo: number, hi: number, prevH: number): number {
  const log = s.log;
  const k = lo - log.base;
  if (k < 0 || hi - log.base >= log.n) throw new RangeError(`entries ${lo}..${hi} are not stored`);
  let h = prevH;
  for (let i = lo; i <= hi; i++) {
    const e = at(log, i - log.base);
    if (e.h !== chainHash(h, e.term, e.c)) return i;
    h = e.h;
  }
  return -1;
}

/** A new entry appended after the log's last one. */
export function newEntry(s: LogHolder, term: number, cmd: Cmd): Entry {
  const c = cmdHash(cmd);
  return { term, cmd, c, h: chainHash(hashAt(s, lastIndex(s)), term, c) };
}

/** True when a log with (lastTerm, lastIndex) = (t, i) is at least as up-to-date as s (§5.4.1). */
export function upToDate(s: LogHolder, t: number, i: number): boolean {
  const myTerm = lastTerm(s);
  return t > myTerm || (t === myTerm && i >= lastIndex(s));
}
