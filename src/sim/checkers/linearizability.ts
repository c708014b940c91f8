/**
 * Linearizability checker for key-value histories.
 *
 * Algorithm: Wing & Gong's backtracking search ("Testing and verifying concurrent objects",
 * JPDC 1993) with Lowe's memoisation of (set of linearized operations, model state)
 * configurations ("Testing for linearizability", Concurrency and Computation 2017), in the
 * doubly-linked-list form used by Porcupine (A. Athalye, github.com/anishathalye/porcupine).
 * A key-value map is a product of independent registers, so by locality (Herlihy & Wing,
 * "Linearizability: a correctness condition for concurrent objects", TOPLAS 1990, Thm. 1) and
 * P-compositionality (Horn & Kroening, "Faster linearizability checking via
 * P-compositionality", FORTE 2015) every key is checked on its own.
 *
 * Semantics (see docs/linearizability.md for the long form):
 * - every key starts missing (null); `get` returns the value or null when missing;
 * - `put` sets the value; `append` sets it to (current ?? '') + value;
 * - `cas` succeeds (output 'ok', value := `value`) iff the current value equals `expected`
 *   (undefined/null expected = "key missing"), otherwise it fails (output 'fail') and changes
 *   nothing;
 * - outputs of put and append are ignored;
 * - an operation takes effect atomically at one instant in [callUs, returnUs]; intervals are
 *   closed, so operations whose intervals touch (a.returnUs === b.callUs) are concurrent;
 * - `returnUs: null` marks an operation that never returned (timeout, crash). It may or may
 *   not have taken effect, at any instant after its call; its output is unknown and ignored.
 *
 * Pure and deterministic: no clocks, no randomness, no I/O. Map iteration is insertion-ordered
 * and every tie is broken by operation id, so the result depends only on the set of operations.
 */

export type KvOpKind = 'get' | 'put' | 'cas' | 'append';

export type KvOp = {
  /** Unique within the history. */
  id: number;
  /** The client (process) that issued the operation; used only in messages. */
  client: number;
  kind: KvOpKind;
  key: string;
  /** put/append: the value written; cas: the new value installed on success. */
  value?: string;
  /** cas only: the value the key must hold for the cas to succeed; undefined or null = missing. */
  expected?: string | null;
  /** get: the value read (null = missing); cas: 'ok' | 'fail'; put/append: ignored. */
  output?: string | null;
  callUs: number;
  /** null = never returned: may or may not have taken effect (Jepsen's :info). */
  returnUs: number | null;
};

export type LinOptions = {
  /**
   * Budget of distinct search configurations for each key on its own. A key that runs out of
   * it is undecided ('exhausted'); the other keys are still checked. Default DEFAULT_MAX_STATES.
   */
  maxStates?: number;
  /**
   * Memory one key's search may hold, bytes (its table of configurations and the distinct
   * values it met). Past it the key is undecided, as when maxStates runs out. Keys are searched
   * one at a time, so this bounds the checker's memory. Default DEFAULT_MAX_MEMORY_BYTES.
   */
  maxMemoryBytes?: number;
};

/**
 * What became of one key: a linearization was found, it is illegal (a definite violation), the
 * search ran out of budget or memory ('exhausted': undecided), or it was never finished because
 * another key had already proved the history illegal ('unchecked').
 */
export type KeyVerdict = 'linearizable' | 'illegal' | 'exhausted' | 'unchecked';

export type KeyReport = {
  key: string;
  verdict: KeyVerdict;
  /** Configurations stored by this key's searches, restarts included. */
  states: number;
  /** For 'exhausted': what ran out. */
  reason?: 'states' | 'memory';
};

export type LinFailure = {
  key: string;
  /**
   * The operation that could not be placed, the writes it could have observed, the operations
   * concurrent with it and the last one to return before it was called; by call time. Empty
   * when exhausted.
   */
  ops: number[];
  message: string;
  /**
   * The same operations, each with a one-line account of its part: the one that could not be
   * placed (offending: true) and why, then the others (the writes it could have read, those
   * concurrent with it, the last to return before it was called). Empty when exhausted.
   */
  notes?: OpNote[];
};

/** One operation of a failure and its part in it (LinFailure.notes). */
export type OpNote = { op: number; offending: boolean; why: string };

export type LinResult = {
  /** true only when a linearization was found for every key. */
  ok: boolean;
  /** Keys decided (linearizable or illegal) or given up on (exhausted). */
  keysChecked: number;
  /**
   * (Linearized set, state) configurations stored, over all keys and all rounds: a
   * deterministic measure of the work done.
   */
  statesExplored: number;
  /**
   * No key is illegal but at least one ran out of budget or memory: the history is neither
   * proven ok nor proven wrong. `keys` says which.
   */
  exhausted?: boolean;
  /** Present when ok is false: the violation, or (with exhausted) where the search gave up. */
  failure?: LinFailure;
  /** Every key, in sorted order, with what became of it. */
  keys: KeyReport[];
  /**
   * When ok: a witness order (operation ids) per key. Pending operations that the witness
   * does not need are left out: they are taken never to have had an effect.
   */
  linearization?: Record<string, number[]>;
};

export const DEFAULT_MAX_STATES = 1_000_000;
/**
 * 256 MiB, counted as the search's tables (configurations, values, append memo). A search that
 * stops at DEFAULT_MAX_STATES on an append-heavy key counts about 170 MB (measured); the
 * process grows by about twice what is counted (garbage of earlier rounds, arrays doubling).
 */
export const DEFAULT_MAX_MEMORY_BYTES = 256 * 1024 * 1024;
/**
 * Round budgets per key (see checkLinearizable): maxStates, a ROUND_GROWTH-th of it before
 * that, and so on down to the smallest that is at least FIRST_ROUND_STATES.
 */
const FIRST_ROUND_STATES = 10_000;
const ROUND_GROWTH = 4;

/** The budgets of the rounds, ascending; the last is maxStates. */
function roundBudgets(maxStates: number): number[] {
  const out = [maxStates];
  while (out[0]! / ROUND_GROWTH >= FIRST_ROUND_STATES) out.unshift(Math.floor(out[0]! / ROUND_GROWTH));
  return out;
}

const GET = 0;
const PUT = 1;
const CAS = 2;
const APPEND = 3;
const KIND_CODE: Record<KvOpKind, number> = { get: GET, put: PUT, cas: CAS, append: APPEND };

/** Validates the history and throws on malformed input (a bug in the caller, not a violation). */
function validate(history: readonly KvOp[]): void {
  const seen = new Set<number>();
  for (const op of history) {
    const where = `operation ${String(op.id)}`;
    if (typeof op.id !== 'number' || !Number.isFinite(op.id))
      throw new Error(`${where}: id must be a finite number`);
    if (seen.has(op.id)) throw new Error(`${where}: duplicate id`);
    seen.add(op.id);
    if (typeof op.key !== 'string') throw new Error(`${where}: key must be a string`);
    if (!Object.hasOwn(KIND_CODE, op.kind)) throw new Error(`${where}: unknown kind ${String(op.kind)}`);
    if (!Number.isFinite(op.callUs)) throw new Error(`${where}: callUs must be finite`);
    if (op.returnUs !== null) {
      if (!Number.isFinite(op.returnUs)) throw new Error(`${where}: returnUs must be finite or null`);
      if (op.returnUs < op.callUs) throw new Error(`${where}: returnUs < callUs`);
    }
    const completed = op.returnUs !== null;
    if (op.kind !== 'get' && typeof op.value !== 'string') {
      throw new Error(`${where}: ${op.kind} needs a string value`);
    }
    if (
      op.kind === 'cas' &&
      op.expected !== undefined &&
      op.expected !== null &&
      typeof op.expected !== 'string'
    ) {
      throw new Error(`${where}: cas expected must be a string, null or undefined`);
    }
    if (completed && op.kind === 'get' && op.output !== null && typeof op.output !== 'string') {
      throw new Error(`${where}: a completed get needs output (string, or null for missing)`);
    }
    if (completed && op.kind === 'cas' && op.output !== 'ok' && op.output !== 'fail') {
      throw new Error(`${where}: a completed cas needs output 'ok' or 'fail'`);
    }
  }
}

/** SplitMix32: fixed per-index Zobrist keys for the linearized-set hash. */
function zobrist(i: number): number {
  let z = (Math.imul(i + 1, 0x9e3779b9) + 0x7f4a7c15) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

/**
 * Set of visited configurations. A configuration (linearized set, state) is encoded by the
 * caller as a short canonical Int32 record (see `encode` in checkKey) and hashed (Zobrist XOR
 * of the linearized set mixed with the state). Records with equal hashes are compared
 * exactly, so a hash collision can never prune a live branch.
 *
 * Everything lives in typed arrays (a chained hash table: bucket heads, per-entry hash, chain
 * link and record offset, and one pool of records), not in a Map: V8 refuses a Map of more
 * than 2^24 entries (`RangeError: Map maximum size exceeded`), and typed arrays let the cache
 * count its own bytes. It never grows past `maxBytes`; `add` answers FULL instead.
 */
class ConfigCache {
  private pool = new Int32Array(4096);
  private used = 0;
  private table = new Int32Array(1024); // bucket -> entry + 1 (0: empty)
  private hashes = new Int32Array(256);
  private start = new Int32Array(256);
  private chain = new Int32Array(256); // entry -> next entry + 1 in its bucket (0: end)
  size = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes held by the typed arrays. */
  bytes(): number {
    return 4 * (this.pool.length + this.table.length + 3 * this.hashes.length);
  }

  /** Adds the record buf[0..len): ADDED, PRESENT, or FULL when it would pass maxBytes. */
  add(hash: number, buf: Int32Array, len: number): number {
    const pool = this.pool;
    let mask = this.table.length - 1;
    for (let e = this.table[hash & mask]! - 1; e !== -1; e = this.chain[e]! - 1) {
      if (this.hashes[e] !== hash) continue;
      const base = this.start[e]!;
      if (pool[base] !== len) continue;
      let same = true;
      for (let w = 0; w < len; w++) {
        if (pool[base + 1 + w] !== buf[w]) {
          same = false;
          break;
        }
      }
      if (same) return PRESENT;
    }
    if (!this.reserve(len + 1)) return FULL;
    mask = this.table.length - 1;
    const idx = this.size++;
    const base = this.used;
    this.pool[base] = len;
    for (let w = 0; w < len; w++) this.pool[base + 1 + w] = buf[w]!;
    this.used += len + 1;
    this.hashes[idx] = hash;
    this.start[idx] = base;
    this.chain[idx] = this.table[hash & mask]!;
    this.table[hash & mask] = idx + 1;
    return ADDED;
  }

  /** Makes room for one more entry of `words` pool words; false if that would pass maxBytes. */
  private reserve(words: number): boolean {
    let pool = this.pool.length;
    while (this.used + words > pool) pool *= 2;
    const entries = this.size === this.hashes.length ? this.hashes.length * 2 : this.hashes.length;
    const table = this.size + 1 > this.table.length ? this.table.length * 2 : this.table.length;
    if (4 * (pool + table + 3 * entries) > this.maxBytes) return false;
    try {
      if (pool !== this.pool.length) this.pool = grow(this.pool, pool);
      if (entries !== this.hashes.length) {
        this.hashes = grow(this.hashes, entries);
        this.start = grow(this.start, entries);
        this.chain = grow(this.chain, entries);
      }
      if (table !== this.table.length) this.rehash(table);
    } catch (e) {
      // The engine could not allocate (a RangeError): as full as it can get.
      if (e instanceof RangeError) return false;
      throw e;
    }
    return true;
  }

  private rehash(length: number): void {
    const table = new Int32Array(length);
    const mask = length - 1;
    for (let e = 0; e < this.size; e++) {
      const b = this.hashes[e]! & mask;
      this.chain[e] = table[b]!;
      table[b] = e + 1;
    }
    this.table = table;
  }
}

const ADDED = 1;
const PRESENT = 0;
const FULL = -1;

function grow(a: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(length);
  b.set(a);
  return b;
}

type KeyOutcome =
  | { kind: 'ok'; states: number; order: number[] }
  | { kind: 'fail'; states: number; failure: LinFailure }
  | { kind: 'exhausted'; states: number; reason: 'states' | 'memory' };

/** Entries of the append memo before it is dropped and started again (it is only a memo). */
const APPEND_MEMO_MAX = 1 << 20;
/** What one entry of the append memo holds, bytes (measured, rounded up). */
const MEMO_ENTRY_BYTES = 48;
/** Distinct values of one key, well under V8's limit of 2^24 entries in a Map. */
const MAX_INTERNED = 1 << 23;

const MAX_RECORDED_STATES = 8;

function fmtValue(v: string | null): string {
  return v === null ? 'missing' : JSON.stringify(v);
}

function fmtInterval(op: KvOp): string {
  return op.returnUs === null ? `called ${op.callUs}µs, never returned` : `${op.callUs}–${op.returnUs}µs`;
}

function fmtOp(op: KvOp): string {
  const k = JSON.stringify(op.key);
  switch (op.kind) {
    case 'get':
      return `get(${k})`;
    case 'put':
      return `put(${k}, ${JSON.stringify(op.value)})`;
    case 'append':
      return `append(${k}, ${JSON.stringify(op.value)})`;
    case 'cas':
      return `cas(${k}, ${fmtValue(op.expected ?? null)} → ${JSON.stringify(op.value)})`;
  }
}

function describeOp(op: KvOp): string {
  return `${fmtOp(op)} by client ${op.client} (op #${op.id}, ${fmtInterval(op)})`;
}

/**
 * One key's search, resumable: each call does at most `work` steps of the search (a step tries
 * one operation in one configuration) and answers the outcome once there is one, else null.
 */
type KeySearch = (work: Work) => KeyOutcome | null;

/** Steps of search a caller allows; each step takes one off `left` (see LinCheck.advance). */
type Work = { left: number };

/**
 * Checks one key's operations (all with op.key === key), storing at most `budget` search
 * configurations and holding at most about `maxBytes` of memory (the cache's typed arrays plus
 * the distinct values met); past either it answers 'exhausted'. The search is returned ready
 * to run a piece at a time (KeySearch), so a host can do it between other work.
 */
function searchKey(key: string, all: readonly KvOp[], budget: number, maxBytes: number): KeySearch {
  // Pending gets have no effect and an unknown output: they constrain nothing. Drop them.
  const ops = all.filter((op) => !(op.kind === 'get' && op.returnUs === null));
  const n = ops.length;

  // States are value ids: 0 is "missing"; every other id is a distinct string.
  const values = new Values();
  const intern = (v: string | null | undefined): number => values.of(v);

  const kind = new Uint8Array(n);
  const pending = new Uint8Array(n);
  const argA = new Int32Array(n); // put/append: value id; cas: expected id; get: output id
  const argB = new Int32Array(n); // cas: new value id
  const casOut = new Int8Array(n); // cas: 1 ok, 0 fail, -1 unknown (pending)
  let completedCount = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    const k = KIND_CODE[op.kind];
    kind[i] = k;
    pending[i] = op.returnUs === null ? 1 : 0;
    if (op.returnUs !== null) completedCount++;
    if (k === GET) argA[i] = intern(op.output);
    else if (k === PUT || k === APPEND) argA[i] = intern(op.value);
    else {
      argA[i] = intern(op.expected);
      argB[i] = intern(op.value);
      casOut[i] = op.returnUs === null ? -1 : op.output === 'ok' ? 1 : 0;
    }
  }
  const appendMemo = new Map<number, number>();

  /** Sequential specification: the state after op i from state s, or -1 if i cannot run in s. */
  const step = (i: number, s: number): number => {
    switch (kind[i]) {
      case GET:
        return argA[i] === s ? s : -1;
      case PUT:
        return argA[i]!;
      case APPEND: {
        const memoKey = s * n + i;
        let r = appendMemo.get(memoKey);
        if (r === undefined) {
          r = values.concat(s, argA[i]!);
          if (appendMemo.size >= APPEND_MEMO_MAX) appendMemo.clear();
          appendMemo.set(memoKey, r);
        }
        return r;
      }
      default: {
        const match = argA[i] === s;
        const out = casOut[i]!;
        if (out === -1) return match ? argB[i]! : s;
        if (out === 1) return match ? argB[i]! : -1;
        return match ? -1 : s;
      }
    }
  };
  const isWrite = (i: number, s: number): boolean =>
    kind[i] === PUT || kind[i] === APPEND || (kind[i] === CAS && argA[i] === s);

  // Events: nodes 1..2n (0 is the head sentinel). Sorted by time; at equal times calls come
  // before returns (touching intervals overlap); then by op id for determinism.
  type Ev = { t: number; ret: number; id: number; op: number };
  const evs: Ev[] = [];
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    evs.push({ t: op.callUs, ret: 0, id: op.id, op: i });
    evs.push({ t: op.returnUs ?? Number.POSITIVE_INFINITY, ret: 1, id: op.id, op: i });
  }
  evs.sort((a, b) => a.t - b.t || a.ret - b.ret || a.id - b.id || 0);
  const m = 2 * n + 1;
  const nxt = new Int32Array(m);
  const prv = new Int32Array(m);
  const nodeOp = new Int32Array(m);
  const isCall = new Uint8Array(m);
  const match = new Int32Array(m);
  const callNode = new Int32Array(n);
  const retNode = new Int32Array(n);
  for (let j = 0; j < evs.length; j++) {
    const e = evs[j]!;
    const node = j + 1;
    nodeOp[node] = e.op;
    isCall[node] = e.ret === 0 ? 1 : 0;
    if (e.ret === 0) callNode[e.op] = node;
    else retNode[e.op] = node;
  }
  for (let i = 0; i < n; i++) match[callNode[i]!] = retNode[i]!;
  for (let node = 0; node < m; node++) {
    nxt[node] = node + 1 < m ? node + 1 : -1;
    prv[node] = node - 1;
  }

  const lift = (c: number): void => {
    const r = match[c]!;
    nxt[prv[c]!] = nxt[c]!;
    if (nxt[c] !== -1) prv[nxt[c]!] = prv[c]!;
    nxt[prv[r]!] = nxt[r]!;
    if (nxt[r] !== -1) prv[nxt[r]!] = prv[r]!;
  };
  const unlift = (c: number): void => {
    const r = match[c]!;
    nxt[prv[r]!] = r;
    if (nxt[r] !== -1) prv[nxt[r]!] = r;
    nxt[prv[c]!] = c;
    if (nxt[c] !== -1) prv[nxt[c]!] = c;
  };

  // Configuration encoding. Completed ops are numbered in call order; the frontier f is the
  // first completed op not yet linearized. Everything before f is linearized, and since an op
  // can only be linearized if it was called before every outstanding op returned (f's return
  // included), the linearized ops beyond f lie in a short window. A record is
  //   [state, f, window bits after f..., pending-op bits...]
  // which is canonical and O(concurrency) long instead of O(n).
  const cOrder: number[] = []; // completed op indices in call order
  const cIdx = new Int32Array(n).fill(-1);
  const pIdx = new Int32Array(n).fill(-1);
  let pendingCount = 0;
  for (let i = 0; i < n; i++) {
    if (pending[i]) pIdx[i] = pendingCount++;
    else {
      cIdx[i] = cOrder.length;
      cOrder.push(i);
    }
  }
  const pendingWords = (pendingCount + 31) >>> 5;
  const pendingBits = new Int32Array(pendingWords);
  const linFlag = new Uint8Array(n);
  let frontier = 0;
  let linCompleted = 0;
  const buf = new Int32Array(2 + ((completedCount + 31) >>> 5) + pendingWords + 1);
  /** Marks op i linearized; returns the previous frontier for `unmark`. */
  const mark = (i: number): number => {
    const before = frontier;
    linFlag[i] = 1;
    const p = pIdx[i]!;
    if (p >= 0) pendingBits[p >>> 5]! |= 1 << (p & 31);
    else {
      linCompleted++;
      if (cIdx[i] === frontier) {
        while (frontier < completedCount && linFlag[cOrder[frontier]!]) frontier++;
      }
    }
    return before;
  };
  const unmark = (i: number, before: number): void => {
    linFlag[i] = 0;
    const p = pIdx[i]!;
    if (p >= 0) pendingBits[p >>> 5]! &= ~(1 << (p & 31));
    else linCompleted--;
    frontier = before;
  };
  const encode = (s: number): number => {
    let len = 0;
    buf[len++] = s;
    buf[len++] = frontier;
    let beyond = linCompleted - frontier;
    let word = 0;
    let bit = 0;
    for (let c = frontier + 1; beyond > 0; c++) {
      if (linFlag[cOrder[c]!]) {
        word |= 1 << bit;
        beyond--;
      }
      if (++bit === 32) {
        buf[len++] = word;
        word = 0;
        bit = 0;
      }
    }
    if (bit > 0) buf[len++] = word;
    for (let w = 0; w < pendingWords; w++) buf[len++] = pendingBits[w]!;
    return len;
  };

  const zob = new Int32Array(n);
  for (let i = 0; i < n; i++) zob[i] = zobrist(i);
  const cache = new ConfigCache(maxBytes);
  /** Why the search must stop now, or null: the budget, or memory (cache + values). */
  const overBudget = (): 'states' | 'memory' | null => {
    if (cache.size >= budget) return 'states';
    const bytes = cache.bytes() + values.bytes + MEMO_ENTRY_BYTES * appendMemo.size;
    if (values.size >= MAX_INTERNED || bytes > maxBytes) return 'memory';
    return null;
  };
  const exhausted = (reason: 'states' | 'memory'): KeyOutcome => ({
    kind: 'exhausted',
    states: cache.size,
    reason,
  });
  const hashOf = (z: number, s: number): number => {
    let h = z ^ Math.imul(s + 1, 0x27d4eb2d);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    h ^= h >>> 13;
    return h & 0x3fffffff;
  };

  // Backtracking stack: the call node lifted; the state, last writer and frontier before it.
  const stackNode = new Int32Array(n);
  const stackState = new Int32Array(n);
  const stackWriter = new Int32Array(n);
  const stackFrontier = new Int32Array(n);
  const stackForced = new Uint8Array(n);
  let depth = 0;
  let state = 0;
  let writer = -1; // op index of the last applied write in the current prefix
  let zhash = 0;

  // Diagnostics: the deepest dead end, and the states in which each op was refused.
  let bestDepth = -1;
  let stuckOp = -1;
  const refused: (number[] | undefined)[] = new Array(n);
  const placed = new Uint8Array(n); // 1 once the op has been linearized in some branch
  const recordRefusal = (i: number, s: number, w: number): void => {
    let rec = refused[i];
    if (rec === undefined) {
      rec = [];
      refused[i] = rec;
    }
    if (rec.length >= 2 * MAX_RECORDED_STATES) return;
    for (let r = 0; r < rec.length; r += 2) if (rec[r] === s) return;
    rec.push(s, w);
  };

  /**
   * Identity ops: a completed get, or a completed cas that failed. Wherever they are legal
   * they leave the state unchanged, so if one is a candidate and legal in configuration C, C
   * has a completion iff C + op has one (move the op to the front of any completion of C: no
   * other op's state changes, and being a candidate it is not preceded in real time by any
   * op still outstanding). Such an op is therefore linearized as a forced move, without
   * branching on the alternatives (a partial-order reduction; see docs/linearizability.md).
   */
  const isIdentityLegal = (i: number, s: number): boolean =>
    pending[i] === 0 &&
    (kind[i] === GET ? argA[i] === s : kind[i] === CAS && casOut[i] === 0 && argA[i] !== s);

  const fail = (): KeyOutcome => ({
    kind: 'fail',
    states: cache.size,
    failure: explain(key, all, ops, stuckOp, refused, placed, values),
  });
  /**
   * Linearizes the op at call node `c`, reaching state `next`, if that configuration is new:
   * ADDED; PRESENT if it was seen before; FULL if the cache may not grow.
   */
  const tryLift = (c: number, next: number, forced: number): number => {
    const i = nodeOp[c]!;
    const before = mark(i);
    const z = zhash ^ zob[i]!;
    const added = cache.add(hashOf(z, next), buf, encode(next));
    if (added !== ADDED) {
      unmark(i, before);
      return added;
    }
    stackNode[depth] = c;
    stackState[depth] = state;
    stackWriter[depth] = writer;
    stackFrontier[depth] = before;
    stackForced[depth] = forced;
    depth++;
    if (isWrite(i, state)) writer = i;
    placed[i] = 1;
    state = next;
    zhash = z;
    lift(c);
    return ADDED;
  };
  /** Pops frames until one leaves alternatives to try; returns the node to resume at, or -1. */
  const backtrack = (): number => {
    while (depth > 0) {
      depth--;
      const c = stackNode[depth]!;
      const i = nodeOp[c]!;
      state = stackState[depth]!;
      writer = stackWriter[depth]!;
      unmark(i, stackFrontier[depth]!);
      zhash ^= zob[i]!;
      unlift(c);
      if (!stackForced[depth]) return nxt[c]!;
      // A forced move has no alternatives: its configuration failing means the parent fails.
    }
    return -1;
  };

  let entry = nxt[0]!;
  let fresh = true; // entry === nxt[0] in a configuration not yet scanned for forced moves
  const search = (work: Work): KeyOutcome | null => {
    while (linCompleted < completedCount) {
      if (work.left <= 0) return null; // more to do: the caller resumes here
      work.left--;
      if (fresh) {
        fresh = false;
        let forcedNode = -1;
        for (let e = nxt[0]!; e !== -1 && isCall[e]; e = nxt[e]!) {
          if (isIdentityLegal(nodeOp[e]!, state)) {
            forcedNode = e;
            break;
          }
        }
        if (forcedNode !== -1) {
          const stop = overBudget();
          if (stop !== null) return exhausted(stop);
          const added = tryLift(forcedNode, state, 1);
          if (added === FULL) return exhausted('memory');
          if (added === ADDED) {
            entry = nxt[0]!;
            fresh = true;
            continue;
          }
          // Seen before, hence failed; so does this configuration.
          entry = backtrack();
          if (entry === -1) return fail();
          continue;
        }
      }
      if (isCall[entry]) {
        const i = nodeOp[entry]!;
        const next = step(i, state);
        if (next >= 0) {
          const stop = overBudget();
          if (stop !== null) return exhausted(stop);
          const added = tryLift(entry, next, 0);
          if (added === FULL) return exhausted('memory');
          if (added === ADDED) {
            entry = nxt[0]!;
            fresh = true;
            continue;
          }
        } else {
          recordRefusal(i, state, writer);
        }
        entry = nxt[entry]!;
      } else {
        // The earliest outstanding return: that op had to be linearized by now and was not.
        if (depth > bestDepth) {
          bestDepth = depth;
          stuckOp = nodeOp[entry]!;
        }
        entry = backtrack();
        if (entry === -1) return fail();
      }
    }
    const order: number[] = [];
    for (let d = 0; d < depth; d++) order.push(ops[nodeOp[stackNode[d]!]!]!.id);
    return { kind: 'ok', states: cache.size, order };
  };
  return search;
}

/** Builds the human-readable account of why `stuck` could not be placed. */
function explain(
  key: string,
  all: readonly KvOp[],
  ops: readonly KvOp[],
  stuck: number,
  refused: readonly (number[] | undefined)[],
  placed: Uint8Array,
  values: Values,
): LinFailure {
  const op = ops[stuck];
  if (op === undefined) {
    return {
      key,
      ops: [],
      message: `No ordering of the operations on ${JSON.stringify(key)} is consistent with real time.`,
    };
  }
  const rec = refused[stuck] ?? [];
  const seen: { value: string | null; writer: KvOp | undefined }[] = [];
  for (let r = 0; r < rec.length; r += 2) {
    const w = rec[r + 1]!;
    seen.push({ value: values.text(rec[r]!), writer: w >= 0 ? ops[w] : undefined });
  }
  seen.sort((a, b) => {
    if (a.writer === undefined || b.writer === undefined) return a.writer === undefined ? -1 : 1;
    return a.writer.callUs - b.writer.callUs || a.writer.id - b.writer.id;
  });
  const k = JSON.stringify(key);
  const alts = seen
    .map(({ value, writer }) =>
      writer === undefined
        ? `${fmtValue(value)} (nothing written yet)`
        : `${fmtValue(value)} (last written by op #${writer.id}, ${fmtOp(writer)} at client ${writer.client})`,
    )
    .join(' or ');
  const more = rec.length >= 2 * MAX_RECORDED_STATES ? ' (or others)' : '';
  // The same alternatives in short, for a label drawn beside the operation.
  const vals = [...new Set(seen.map((s) => fmtValue(s.value)))].join(' or ') + more;
  let why: string;
  // If the op did fit somewhere, the orderings in which it fits all dead-end later on.
  const fitsSomewhere = placed[stuck] === 1;
  let message: string;
  if (seen.length === 0) {
    why = 'no ordering consistent with real time has room for it';
    message = `${describeOp(op)} could not be placed in any ordering consistent with real time.`;
  } else if (op.kind === 'get') {
    const out = op.output ?? null;
    const outStr = out === null ? 'null (key missing)' : JSON.stringify(out);
    // Appends build values from fragments, so "never written" is only claimed without them.
    const everWritten =
      out === null || all.some((o) => o.kind === 'append' || (o.kind !== 'get' && o.value === out));
    why = `got ${fmtValue(out)}, but ${k} was ${vals} wherever it could take effect`;
    message =
      `${describeOp(op)} returned ${outStr}, but no ordering consistent with real time allows that: ` +
      `wherever it could take effect, ${k} was ${alts}${more}` +
      (fitsSomewhere ? `; the orderings in which it does read ${outStr} cannot be completed` : '') +
      (everWritten ? '.' : `; no operation ever wrote ${outStr}.`);
  } else if (op.kind === 'cas' && op.output === 'ok') {
    why = `cas succeeded, but ${k} was ${vals}, not ${fmtValue(op.expected ?? null)}`;
    message =
      `${describeOp(op)} returned ok, but wherever it could take effect ${k} was ${alts}${more}, ` +
      `not the expected ${fmtValue(op.expected ?? null)}` +
      (fitsSomewhere ? '; the orderings in which it succeeds cannot be completed.' : '.');
  } else if (op.kind === 'cas') {
    why = `cas failed, but ${k} held the expected ${vals}`;
    message =
      `${describeOp(op)} returned fail, but wherever it could take effect ${k} held the expected ` +
      `value ${alts}${more}, so it must have succeeded` +
      (fitsSomewhere ? '; the orderings in which it fails cannot be completed.' : '.');
  } else {
    why = 'no ordering consistent with real time has room for it';
    message = `${describeOp(op)} could not be placed in any ordering consistent with real time.`;
  }

  // Involved: the op, the writes it could have seen, the ops concurrent with it, and the last
  // op to return before it was called (the real-time barrier it cannot be ordered before).
  const involved = new Set<KvOp>([op]);
  for (const s of seen) if (s.writer) involved.add(s.writer);
  const end = op.returnUs ?? Number.POSITIVE_INFINITY;
  let barrier: KvOp | undefined;
  for (const o of ops) {
    if (o.callUs <= end && op.callUs <= (o.returnUs ?? Number.POSITIVE_INFINITY)) involved.add(o);
    if (o.returnUs !== null && o.returnUs < op.callUs) {
      if (
        barrier === undefined ||
        o.returnUs > barrier.returnUs! ||
        (o.returnUs === barrier.returnUs && o.id > barrier.id)
      ) {
        barrier = o;
      }
    }
  }
  if (barrier !== undefined) involved.add(barrier);
  const sorted = [...involved].sort((a, b) => a.callUs - b.callUs || a.id - b.id);
  const writers = new Set(seen.map((s) => s.writer));
  const notes: OpNote[] = [{ op: op.id, offending: true, why }];
  for (const o of sorted) {
    if (o === op) continue;
    const part = writers.has(o)
      ? `wrote ${fmtValue(o.value ?? null)}, which ${k} held where op #${op.id} could take effect`
      : o === barrier
        ? `the last to return before op #${op.id} was called`
        : `concurrent with op #${op.id}`;
    notes.push({ op: o.id, offending: false, why: part });
  }
  return { key, ops: sorted.map((o) => o.id), message, notes };
}

/** Two odd multipliers for the polynomial hashes of values (mod 2^32). */
const B1 = 0x01000193;
const B2 = 0x5bd1e995;

/** b^e mod 2^32. */
function powMod(b: number, e: number): number {
  let r = 1;
  let x = b;
  for (let k = e; k > 0; k >>>= 1) {
    if (k & 1) r = Math.imul(r, x);
    x = Math.imul(x, x);
  }
  return r;
}

/**
 * The distinct values of one key, as small integer ids: 0 is "missing"; every other id is a
 * distinct string. A value made by an append is stored as (value before, appended value), not
 * as a string, with two polynomial hashes and its length, so an append costs O(1) however long
 * the value grows (the strings of an append-heavy key run to thousands of characters). Values
 * with equal hashes and length are compared character by character (`text`), so two different
 * values never share an id: a hash collision costs time, never a wrong verdict.
 */
class Values {
  private readonly str: (string | null | undefined)[] = [null];
  private readonly parent: number[] = [0];
  private readonly tail: number[] = [0];
  private readonly len: number[] = [0];
  private readonly h1: number[] = [0];
  private readonly h2: number[] = [0];
  private readonly p1: number[] = [1];
  private readonly p2: number[] = [1];
  private readonly next: number[] = [-1];
  private readonly heads = new Map<number, number>();
  /** Rough bytes held (measured): 128 per value plus the characters of the strings kept whole. */
  bytes = 0;

  get size(): number {
    return this.len.length;
  }

  /** The id of a string (0 for null/undefined: missing). */
  of(v: string | null | undefined): number {
    if (v === null || v === undefined) return 0;
    let h1 = 0;
    let h2 = 0;
    for (let k = 0; k < v.length; k++) {
      const c = v.charCodeAt(k);
      h1 = (Math.imul(h1, B1) + c) | 0;
      h2 = (Math.imul(h2, B2) + c) | 0;
    }
    const found = this.find(h1, h2, v.length, () => v);
    if (found >= 0) return found;
    this.bytes += 2 * v.length;
    return this.add(v, 0, 0, v.length, h1, h2);
  }

  /** The id of (value s) + (value t), appended: an append to a missing value starts from ''. */
  concat(s: number, t: number): number {
    const lt = this.len[t]!;
    if (lt === 0) return s === 0 ? this.of('') : s;
    if (s === 0 || this.len[s] === 0) return t === 0 ? this.of('') : t;
    const len = this.len[s]! + lt;
    const h1 = (Math.imul(this.h1[s]!, this.pow(t, 1)) + this.h1[t]!) | 0;
    const h2 = (Math.imul(this.h2[s]!, this.pow(t, 2)) + this.h2[t]!) | 0;
    const found = this.find(h1, h2, len, () => this.text(s)! + this.text(t)!);
    if (found >= 0) return found;
    return this.add(undefined, s, t, len, h1, h2);
  }

  /** The value as a string (null: missing). */
  text(id: number): string | null {
    const own = this.str[id];
    if (own !== undefined) return own;
    const parts: string[] = [];
    let v = id;
    for (; this.str[v] === undefined; v = this.parent[v]!) parts.push(this.text(this.tail[v]!)!);
    parts.push(this.str[v] ?? '');
    return parts.reverse().join('');
  }

  /** B^len(t), memoised per value. */
  private pow(t: number, which: 1 | 2): number {
    const memo = which === 1 ? this.p1 : this.p2;
    let p = memo[t]!;
    if (p === 0) {
      p = powMod(which === 1 ? B1 : B2, this.len[t]!);
      memo[t] = p;
    }
    return p;
  }

  private bucket(h1: number, h2: number, len: number): number {
    return (h1 ^ Math.imul(h2, 0x9e3779b1) ^ Math.imul(len, 0x85ebca6b)) & 0x3fffffff;
  }

  private find(h1: number, h2: number, len: number, full: () => string): number {
    const head = this.heads.get(this.bucket(h1, h2, len));
    if (head === undefined) return -1;
    let text: string | undefined;
    for (let e = head; e !== -1; e = this.next[e]!) {
      if (this.h1[e] !== h1 || this.h2[e] !== h2 || this.len[e] !== len) continue;
      text ??= full();
      if (this.text(e) === text) return e;
    }
    return -1;
  }

  private add(
    str: string | undefined,
    parent: number,
    tail: number,
    len: number,
    h1: number,
    h2: number,
  ): number {
    const id = this.len.length;
    const b = this.bucket(h1, h2, len);
    this.str.push(str);
    this.parent.push(parent);
    this.tail.push(tail);
    this.len.push(len);
    this.h1.push(h1);
    this.h2.push(h2);
    this.p1.push(0);
    this.p2.push(0);
    this.next.push(this.heads.get(b) ?? -1);
    this.heads.set(b, id);
    this.bytes += 128;
    return id;
  }
}

/** The engine refusing memory (an array, a string or a Map too big) is a search out of memory. */
const OUT_OF_MEMORY: KeyOutcome = { kind: 'exhausted', states: 0, reason: 'memory' };

/** Runs a step of a key's search, turning an allocation failure of the engine into 'exhausted'. */
function runSafely(step: () => KeyOutcome | null): KeyOutcome | null {
  try {
    return step();
  } catch (e) {
    if (e instanceof RangeError) return OUT_OF_MEMORY;
    throw e;
  }
}

function quoteKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, 8).map((k) => JSON.stringify(k));
  return keys.length > 8 ? `${shown.join(', ')} and ${keys.length - 8} more` : shown.join(', ');
}

/** A linearizability check under way (startLinearizabilityCheck). */
export interface LinCheck {
  /**
   * Goes on with the check for at most about `work` steps of search (a step tries one
   * operation in one configuration; preparing a key's search counts as one step). Answers the
   * result once the check is decided, else null: call again to go on.
   */
  advance(work: number): LinResult | null;
  /** Keys decided so far (linearizable, illegal or given up on), of all keys. */
  progress(): { done: number; total: number };
}

/** Checks `history` in one piece: startLinearizabilityCheck run to its end. */
export function checkLinearizable(history: readonly KvOp[], opts: LinOptions = {}): LinResult {
  return startLinearizabilityCheck(history, opts).advance(Number.POSITIVE_INFINITY)!;
}

/**
 * Checks that `history` is linearizable with respect to a sequential key-value map (see the
 * module comment for the exact semantics). Throws on malformed input (duplicate ids,
 * returnUs < callUs, a completed get without output, a completed cas without 'ok'/'fail').
 *
 * Keys are independent (P-compositionality), so each has its own budget, and they are searched
 * in rounds: every key still undecided gets a search of at least FIRST_ROUND_STATES
 * configurations, then ROUND_GROWTH times more, and so on up to maxStates (roundBudgets). A key proven illegal decides the history
 * at once; a key that needs many states delays the others by at most about ROUND_GROWTH times
 * what they need themselves, and one that runs out of budget hides nothing: every other key
 * still gets its own full budget. A round starts a key's search afresh (its table of
 * configurations is dropped between rounds), so only one key's search is in memory at a time;
 * the repeated work is at most 1/(ROUND_GROWTH - 1) of the last round's.
 *
 * The check is returned ready to run a piece at a time (LinCheck.advance), so a host can do it
 * between other work; checkLinearizable runs it in one piece. Either way the result is the same.
 */
export function startLinearizabilityCheck(history: readonly KvOp[], opts: LinOptions = {}): LinCheck {
  validate(history);
  const maxStates = Math.max(1, opts.maxStates ?? DEFAULT_MAX_STATES);
  const maxBytes = opts.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES;
  const byKey = new Map<string, KvOp[]>();
  for (const op of history) {
    let list = byKey.get(op.key);
    if (list === undefined) {
      list = [];
      byKey.set(op.key, list);
    }
    list.push(op);
  }
  const keys = [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const opsOf = new Map<string, KvOp[]>();
  for (const key of keys) {
    opsOf.set(
      key,
      byKey
        .get(key)!
        .slice()
        .sort((a, b) => a.callUs - b.callUs || a.id - b.id),
    );
  }
  const reports = new Map<string, KeyReport>();
  for (const key of keys) reports.set(key, { key, verdict: 'unchecked', states: 0 });
  const keyList = (): KeyReport[] => keys.map((k) => reports.get(k)!);
  let statesExplored = 0;
  let keysChecked = 0;
  const linearization: Record<string, number[]> = {};

  // The rounds of checkLinearizable's comment, as a state machine that can stop between steps:
  // round `round` checks undecided[at], whose search (if started) is `search`.
  const budgets = roundBudgets(maxStates);
  let round = 0;
  let undecided = keys;
  let again: string[] = [];
  let at = 0;
  let search: KeySearch | null = null;
  let result: LinResult | null = null;

  const startKey = (key: string, budget: number): KeySearch => {
    try {
      return searchKey(key, opsOf.get(key)!, budget, maxBytes);
    } catch (e) {
      if (e instanceof RangeError) return () => OUT_OF_MEMORY;
      throw e;
    }
  };

  const advance = (steps: number): LinResult | null => {
    const work: Work = { left: steps };
    while (result === null) {
      if (at >= undecided.length) {
        if (again.length === 0) {
          result = finish();
          break;
        }
        undecided = again;
        again = [];
        at = 0;
        round++;
        continue;
      }
      if (work.left <= 0) return null;
      const key = undecided[at]!;
      const budget = budgets[round]!;
      if (search === null) {
        work.left--;
        search = startKey(key, budget);
      }
      const s = search;
      const outcome = runSafely(() => s(work));
      if (outcome === null) return null;
      search = null;
      at++;
      const report = reports.get(key)!;
      report.states += outcome.states;
      statesExplored += outcome.states;
      if (outcome.kind === 'fail') {
        report.verdict = 'illegal';
        keysChecked++;
        result = { ok: false, keysChecked, statesExplored, failure: outcome.failure, keys: keyList() };
      } else if (outcome.kind === 'ok') {
        report.verdict = 'linearizable';
        keysChecked++;
        linearization[key] = outcome.order;
      } else if (outcome.reason === 'memory' || budget === maxStates) {
        // Out of memory does not get better with a bigger budget.
        report.verdict = 'exhausted';
        report.reason = outcome.reason;
        keysChecked++;
      } else {
        again.push(key);
      }
    }
    return result;
  };

  const finish = (): LinResult => {
    const out = keyList().filter((r) => r.verdict === 'exhausted');
    if (out.length === 0) return { ok: true, keysChecked, statesExplored, linearization, keys: keyList() };
    const first = out[0]!;
    const decided = keyList()
      .filter((r) => r.verdict === 'linearizable')
      .map((r) => r.key);
    const why =
      first.reason === 'memory'
        ? `its search reached the memory bound (maxMemoryBytes = ${maxBytes})`
        : `${maxStates} states (maxStates, per key)`;
    return {
      ok: false,
      keysChecked,
      statesExplored,
      exhausted: true,
      failure: {
        key: first.key,
        ops: [],
        message:
          `Gave up on key ${JSON.stringify(first.key)} after ${why}` +
          (out.length > 1 ? `, and on ${quoteKeys(out.slice(1).map((r) => r.key))}` : '') +
          `; ${decided.length === 0 ? 'no key was' : `${decided.length} of ${keys.length} keys were`} proven ` +
          'linearizable and none illegal, so the history is neither proven linearizable nor proven wrong.',
      },
      keys: keyList(),
    };
  };

  return { advance, progress: () => ({ done: keysChecked, total: keys.length }) };
}
