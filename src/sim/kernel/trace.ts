import type { Interner } from './intern';
import { fnv1a } from './rng';

/** What a trace row records. Numbering is part of the trace hash: append only. */
export const TraceKind = {
  start: 0,
  restart: 1,
  send: 2,
  deliver: 3,
  drop: 4,
  timer: 5,
  client: 6,
  reply: 7,
  note: 8,
  fault: 9,
  violation: 10,
  /** Reserved for limit notices; hosts already list it. The kernel does not write it yet. */
  limit: 11,
} as const;
/** A trace row kind's name. */
export type TraceKindName = keyof typeof TraceKind;
/** Kind names by number. */
export const TRACE_KIND_NAMES: readonly TraceKindName[] = Object.keys(TraceKind) as TraceKindName[];

/** One trace row as plain data (what windows and NDJSON export return). */
export interface TraceEvent {
  /** Row number in the trace, from 0. */
  row: number;
  /** Kernel event index (1-based) that produced the row; 0 for rows before the first event. */
  index: number;
  /** Virtual time, microseconds. */
  timeUs: number;
  /** Row kind. */
  kind: TraceKindName;
  /** Node the row is about ('' for none). */
  node: string;
  /** The other node: destination of a send, sender of a delivery. */
  peer?: string;
  /** Message type of a send, delivery or drop. */
  msgType?: string;
  /** Id tying a delivery or drop to its send. */
  sendId?: number;
  /** Free text: drop reason, timer name, note, fault. */
  detail?: string;
}

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/**
 * Columnar, append-only trace in fixed-size typed-array chunks (33 bytes a row, no copying
 * when it grows). Strings (node ids, message types, details) are interned. Truncation (after
 * a step back) only moves the length; the next appends overwrite.
 */
/** A node id by index (null for none), as rows name it. */
function nameOf(ids: readonly string[], i: number): string | null {
  return i < 0 ? null : (ids[i] ?? '');
}

/** An interned string by id (null for none). */
function stringOf(strings: Interner, i: number): string | null {
  return i < 0 ? null : strings.get(i);
}

export class Trace {
  /** Number of rows. */
  length = 0;
  private index: Uint32Array[] = [];
  private time: Float64Array[] = [];
  private kind: Uint8Array[] = [];
  private node: Int32Array[] = [];
  private peer: Int32Array[] = [];
  private msgType: Int32Array[] = [];
  private sendId: Int32Array[] = [];
  private detail: Int32Array[] = [];

  constructor(
    /** Interned strings (shared with the kernel). */
    readonly strings: Interner,
    /** Node index to id. */
    private readonly nodeIds: () => readonly string[],
  ) {}

  /** Appends a row. node/peer are node indexes (-1 none); msgType/detail interned ids (-1 none). */
  push(
    index: number,
    timeUs: number,
    kind: number,
    node: number,
    peer: number,
    msgType: number,
    sendId: number,
    detail: number,
  ): void {
    const r = this.length++;
    if (this.length > this.written) this.written = this.length;
    const c = r >>> CHUNK_BITS;
    if (c !== this.curChunk) this.selectChunk(c);
    const o = r & MASK;
    this.cIndex[o] = index;
    this.cTime[o] = timeUs;
    this.cKind[o] = kind;
    this.cNode[o] = node;
    this.cPeer[o] = peer;
    this.cMsgType[o] = msgType;
    this.cSendId[o] = sendId;
    this.cDetail[o] = detail;
  }

  // The chunk being appended to, cached so push does one typed-array store per column.
  private curChunk = -1;
  private cIndex: Uint32Array = new Uint32Array(0);
  private cTime: Float64Array = new Float64Array(0);
  private cKind: Uint8Array = new Uint8Array(0);
  private cNode: Int32Array = new Int32Array(0);
  private cPeer: Int32Array = new Int32Array(0);
  private cMsgType: Int32Array = new Int32Array(0);
  private cSendId: Int32Array = new Int32Array(0);
  private cDetail: Int32Array = new Int32Array(0);

  private selectChunk(c: number): void {
    while (c >= this.index.length) this.addChunk();
    this.curChunk = c;
    this.cIndex = this.index[c]!;
    this.cTime = this.time[c]!;
    this.cKind = this.kind[c]!;
    this.cNode = this.node[c]!;
    this.cPeer = this.peer[c]!;
    this.cMsgType = this.msgType[c]!;
    this.cSendId = this.sendId[c]!;
    this.cDetail = this.detail[c]!;
  }

  private addChunk(): void {
    this.index.push(new Uint32Array(CHUNK));
    this.time.push(new Float64Array(CHUNK));
    this.kind.push(new Uint8Array(CHUNK));
    this.node.push(new Int32Array(CHUNK));
    this.peer.push(new Int32Array(CHUNK));
    this.msgType.push(new Int32Array(CHUNK));
    this.sendId.push(new Int32Array(CHUNK));
    this.detail.push(new Int32Array(CHUNK));
  }

  /** Rows ever written (rows past `length` are kept: they are the future a replay rewrites). */
  private written = 0;

  /**
   * Moves the end of the trace (a restore). Rows past the new end stay in memory, so a forward
   * restore to a checkpoint of the same future needs no replay; a diverging future overwrites them.
   */
  setLength(length: number): void {
    if (length > this.written) throw new Error(`trace has ${this.written} rows, cannot set length ${length}`);
    this.length = length;
  }

  /** Replaces this trace's rows with a copy of the first `rows` rows of another (fork). */
  copyFrom(other: Trace, rows: number): void {
    const chunks = Math.ceil(rows / CHUNK);
    this.index = other.index.slice(0, chunks).map((a) => a.slice());
    this.time = other.time.slice(0, chunks).map((a) => a.slice());
    this.kind = other.kind.slice(0, chunks).map((a) => a.slice());
    this.node = other.node.slice(0, chunks).map((a) => a.slice());
    this.peer = other.peer.slice(0, chunks).map((a) => a.slice());
    this.msgType = other.msgType.slice(0, chunks).map((a) => a.slice());
    this.sendId = other.sendId.slice(0, chunks).map((a) => a.slice());
    this.detail = other.detail.slice(0, chunks).map((a) => a.slice());
    this.length = rows;
    this.written = rows;
    this.curChunk = -1;
  }

  /** Bytes held by the columns. */
  bytes(): number {
    return this.index.length * CHUNK * 33;
  }

  /** Kind number of row r. */
  kindAt(r: number): number {
    return this.kind[r >>> CHUNK_BITS]![r & MASK]!;
  }
  /** Node index of row r. */
  nodeAt(r: number): number {
    return this.node[r >>> CHUNK_BITS]![r & MASK]!;
  }
  /** Message type id of row r. */
  msgTypeAt(r: number): number {
    return this.msgType[r >>> CHUNK_BITS]![r & MASK]!;
  }
  /** Event index of row r. */
  indexAt(r: number): number {
    return this.index[r >>> CHUNK_BITS]![r & MASK]!;
  }
  /** Time of row r. */
  timeAt(r: number): number {
    return this.time[r >>> CHUNK_BITS]![r & MASK]!;
  }

  /**
   * Whether row r of this trace and row r of `other` record the same happening: event index,
   * time, kind, node, peer, message type and detail (names and strings by content; the send id
   * is left out). No allocation, for comparing long traces (Simulation.divergence).
   */
  sameRowAs(other: Trace, r: number): boolean {
    const c = r >>> CHUNK_BITS;
    const o = r & MASK;
    if (this.index[c]![o] !== other.index[c]![o] || this.time[c]![o] !== other.time[c]![o]) return false;
    if (this.kind[c]![o] !== other.kind[c]![o]) return false;
    const ids = this.nodeIds();
    const oids = other.nodeIds();
    if (nameOf(ids, this.node[c]![o]!) !== nameOf(oids, other.node[c]![o]!)) return false;
    if (nameOf(ids, this.peer[c]![o]!) !== nameOf(oids, other.peer[c]![o]!)) return false;
    if (stringOf(this.strings, this.msgType[c]![o]!) !== stringOf(other.strings, other.msgType[c]![o]!))
      return false;
    return stringOf(this.strings, this.detail[c]![o]!) === stringOf(other.strings, other.detail[c]![o]!);
  }

  /** Row r as plain data. */
  row(r: number): TraceEvent {
    const c = r >>> CHUNK_BITS;
    const o = r & MASK;
    const ids = this.nodeIds();
    const peer = this.peer[c]![o]!;
    const mt = this.msgType[c]![o]!;
    const sid = this.sendId[c]![o]!;
    const det = this.detail[c]![o]!;
    const ev: TraceEvent = {
      row: r,
      index: this.index[c]![o]!,
      timeUs: this.time[c]![o]!,
      kind: TRACE_KIND_NAMES[this.kind[c]![o]!] ?? 'note',
      node: ids[this.node[c]![o]!] ?? '',
    };
    if (peer >= 0) ev.peer = ids[peer] ?? '';
    if (mt >= 0) ev.msgType = this.strings.get(mt);
    if (sid >= 0) ev.sendId = sid;
    if (det >= 0) ev.detail = this.strings.get(det);
    return ev;
  }

  /** First row whose event index is >= index (binary search; the column is sorted). */
  rowOfIndex(index: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.indexAt(mid) < index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First row whose time is >= timeUs. */
  rowOfTime(timeUs: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < timeUs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Rows [fromRow, toRow) as plain data, at most `max` of them. */
  rows(fromRow: number, toRow: number, max = 10_000): TraceEvent[] {
    const out: TraceEvent[] = [];
    const end = Math.min(toRow, this.length, fromRow + max);
    for (let r = Math.max(0, fromRow); r < end; r++) out.push(this.row(r));
    return out;
  }

  /**
   * A stable hash of rows [0, length): two FNV-1a-style 32-bit lanes with different mixing
   * over every column, strings hashed by content (not by intern id), so the hash depends only
   * on what happened. 16 hex digits.
   */
  hash(): string {
    const strHash = new Map<number, number>();
    const sh = (id: number): number => {
      if (id < 0) return 0x9e3779b9;
      let h = strHash.get(id);
      if (h === undefined) {
        h = fnv1a(this.strings.get(id));
        strHash.set(id, h);
      }
      return h;
    };
    const ids = this.nodeIds();
    const nodeHash = ids.map((s) => fnv1a(s));
    const nh = (i: number): number => (i < 0 ? 0x7f4a7c15 : (nodeHash[i] ?? 0));
    let h1 = 0x811c9dc5;
    let h2 = 0x01234567;
    const mix = (v: number): void => {
      h1 = Math.imul(h1 ^ v, 0x01000193);
      h2 = Math.imul(h2 ^ v, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    };
    for (let r = 0; r < this.length; r++) {
      const c = r >>> CHUNK_BITS;
      const o = r & MASK;
      const t = this.time[c]![o]!;
      mix(this.index[c]![o]!);
      mix(t >>> 0);
      mix(Math.floor(t / 4294967296));
      mix(this.kind[c]![o]!);
      mix(nh(this.node[c]![o]!));
      mix(nh(this.peer[c]![o]!));
      mix(sh(this.msgType[c]![o]!));
      mix(this.sendId[c]![o]!);
      mix(sh(this.detail[c]![o]!));
    }
    return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
  }
}
