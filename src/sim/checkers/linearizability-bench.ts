/**
 * Workload for benchmarking the linearizability checker. Pure: the bench harness (bench/)
 * does the timing; nothing here reads a clock.
 *
 * The generator simulates `clients` closed-loop clients against one atomic (hence
 * linearizable) key-value store: each operation takes effect at a random instant inside its
 * [call, return] interval, so the history is linearizable by construction while intervals of
 * different clients overlap the way they do against a real replicated store.
 */

import { checkLinearizable, type KvOp } from './linearizability';

/** mulberry32 (T. Ettinger, public domain): a tiny seeded 32-bit PRNG returning [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fraction of operations that time out (returnUs null); half of those still take effect. */
const PENDING_RATE = 0.005;

/**
 * A realistic concurrent history: `ops` operations (50% get, 25% put, 15% cas, 10% append)
 * by `clients` closed-loop clients over `keys` keys (k0, k1, ...). Latency 10–100µs with a 5%
 * slow tail (×5); think time 0–20µs; timestamps are integers. Deterministic in `seed`.
 */
export function makeBenchHistory(seed: number, ops = 1000, clients = 5, keys = 4): KvOp[] {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const free: number[] = [];
  for (let c = 0; c < clients; c++) free.push(int(0, 20));

  type Planned = { op: KvOp; lin: number; applies: boolean };
  const planned: Planned[] = [];
  for (let id = 0; id < ops; id++) {
    // The client that becomes free first issues the next operation (ties: lowest index).
    let c = 0;
    for (let j = 1; j < clients; j++) if (free[j]! < free[c]!) c = j;
    const callUs = free[c]! + int(0, 20);
    let latency = int(10, 100);
    if (rnd() < 0.05) latency *= 5;
    const returnUs = callUs + latency;
    const lin = int(callUs, returnUs);
    const r = rnd();
    const kind: KvOp['kind'] = r < 0.5 ? 'get' : r < 0.75 ? 'put' : r < 0.9 ? 'cas' : 'append';
    const key = `k${int(0, keys - 1)}`;
    const op: KvOp = { id, client: c, kind, key, callUs, returnUs };
    if (kind === 'put' || kind === 'cas') op.value = `v${id}`;
    if (kind === 'append') op.value = `${id};`;
    let applies = true;
    if (rnd() < PENDING_RATE) {
      // Timed out: the client gives up at returnUs and moves on (a fresh process, as in Jepsen).
      op.returnUs = null;
      applies = rnd() < 0.5;
    }
    free[c] = returnUs;
    planned.push({ op, lin, applies });
  }

  // Apply the operations atomically in linearization-point order to compute their outputs.
  planned.sort((a, b) => a.lin - b.lin || a.op.id - b.op.id);
  const store = new Map<string, string>();
  const written: string[] = [];
  for (const { op, applies } of planned) {
    const cur = store.get(op.key) ?? null;
    switch (op.kind) {
      case 'get':
        if (op.returnUs !== null) op.output = cur;
        break;
      case 'put':
        if (applies) store.set(op.key, op.value!);
        written.push(op.value!);
        break;
      case 'append':
        if (applies) store.set(op.key, (cur ?? '') + op.value!);
        break;
      case 'cas': {
        // A client usually guesses the current value (it read it recently), sometimes not.
        const guess = rnd();
        if (guess < 0.6) op.expected = cur;
        else if (guess < 0.8 || written.length === 0) op.expected = null;
        else op.expected = written[int(0, written.length - 1)]!;
        const success = cur === (op.expected ?? null);
        if (applies && success) store.set(op.key, op.value!);
        if (op.returnUs !== null) op.output = success ? 'ok' : 'fail';
        written.push(op.value!);
        break;
      }
    }
  }
  return planned.map((p) => p.op).sort((a, b) => a.id - b.id);
}

/**
 * One benchmark iteration: generate a history and check it. The harness measures the call;
 * `ms` is left for it to fill in.
 */
export function benchLinearizability(
  seed = 1,
  ops = 1000,
  clients = 5,
  keys = 4,
): { ops: number; ok: boolean; statesExplored: number; ms?: number } {
  const history = makeBenchHistory(seed, ops, clients, keys);
  const result = checkLinearizable(history);
  return { ops: history.length, ok: result.ok, statesExplored: result.statesExplored };
}

/**
 * makeKvBenchHistory's timing, calibrated on Porcupine's c50 logs: one operation in five is
 * slow (there, 20% take 100–2,400 log lines against a median of 13); a slow one takes effect
 * early (applied, but the answer was lost) or late (applied only after a retry), rarely in
 * between, as the first read that sees a slow append there shows.
 */
const SLOW_RATE = 0.2;
const EARLY_RATE = 0.4;
const FAST_US = [200, 1500] as const;
const SLOW_US = [5000, 40_000] as const;
const THINK_US = 500;

/** Options of makeKvBenchHistory. */
export type KvBenchOptions = {
  /** Closed-loop clients (default 50). */
  clients?: number;
  /** Keys "0", "1", ... (default 10). */
  keys?: number;
  /** Operations (default 2,000). */
  ops?: number;
  /** Keys given a violation (default 0: linearizable by construction). */
  badKeys?: number;
};

/**
 * A key-value history in the shape of Porcupine's hardest kv test logs (`c50-ok`, `c50-bad`:
 * 50 clients of a replicated key-value service, 10 keys, about 2,000 operations: 45% get, 50%
 * append, 5% put, values "x <client> <n> y"). Clients are closed loops against one atomic
 * store, each operation taking effect at one instant of its interval. Most operations take
 * 0.2–1.5 ms; one in five takes 5–40 ms and takes effect near its start or near its end (see
 * SLOW_RATE), so a key has a few operations outstanding at once and now and then a dozen.
 *
 * With `badKeys` > 0 the store has the classic bug of a replicated key-value service that
 * forgets a client's retry was already applied: on that many keys one append takes effect
 * twice, and a later get sees its text twice. Fragments are unique, so no order of the
 * operations produces that value: the history is not linearizable, at exactly those keys. The
 * operations and their timing are the same as without the bug (same seed). Deterministic in
 * `seed`; pure (the bench harness times the check).
 */
export function makeKvBenchHistory(
  seed: number,
  o: KvBenchOptions = {},
): { history: KvOp[]; badKeys: string[] } {
  const clients = o.clients ?? 50;
  const keyCount = o.keys ?? 10;
  const total = o.ops ?? 2000;
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const free: number[] = [];
  const seq: number[] = [];
  for (let c = 0; c < clients; c++) {
    free.push(int(0, 2000));
    seq.push(0);
  }
  type Planned = { op: KvOp; lin: number };
  const planned: Planned[] = [];
  for (let id = 0; id < total; id++) {
    let c = 0;
    for (let j = 1; j < clients; j++) if (free[j]! < free[c]!) c = j;
    const callUs = free[c]! + int(0, THINK_US);
    const slow = rnd() < SLOW_RATE;
    const latency = slow ? int(SLOW_US[0], SLOW_US[1]) : int(FAST_US[0], FAST_US[1]);
    const returnUs = callUs + latency;
    const where = slow ? rnd() : -1;
    const r = rnd();
    const kind: KvOp['kind'] = r < 0.45 ? 'get' : r < 0.95 ? 'append' : 'put';
    const op: KvOp = { id, client: c, kind, key: String(int(0, keyCount - 1)), callUs, returnUs };
    if (kind !== 'get') op.value = `x ${c} ${seq[c]!++} y`;
    free[c] = returnUs;
    const lin =
      where < 0
        ? int(callUs, returnUs)
        : where < EARLY_RATE
          ? int(callUs, callUs + FAST_US[1])
          : int(returnUs - FAST_US[1], returnUs);
    planned.push({ op, lin });
  }
  planned.sort((a, b) => a.lin - b.lin || a.op.id - b.op.id);

  // The keys to break, and on each the append to apply twice: one followed by a get before
  // the next put, so that the duplicate is seen.
  const bad = new Map<string, number>();
  const want = Math.min(o.badKeys ?? 0, keyCount);
  const order = Array.from({ length: keyCount }, (_, k) => String(k));
  for (let k = order.length - 1; k > 0; k--) {
    const j = int(0, k);
    [order[k], order[j]] = [order[j]!, order[k]!];
  }
  for (const key of order) {
    if (bad.size === want) break;
    const onKey = planned.filter((p) => p.op.key === key);
    for (let i = Math.floor(onKey.length / 2); i < onKey.length; i++) {
      if (onKey[i]!.op.kind !== 'append') continue;
      const next = onKey.slice(i + 1).find((p) => p.op.kind !== 'append');
      if (next?.op.kind === 'get') {
        bad.set(key, onKey[i]!.op.id);
        break;
      }
    }
  }

  const store = new Map<string, string>();
  for (const { op } of planned) {
    const cur = store.get(op.key) ?? null;
    if (op.kind === 'get') op.output = cur;
    else if (op.kind === 'put') store.set(op.key, op.value!);
    else {
      const twice = bad.get(op.key) === op.id;
      store.set(op.key, (cur ?? '') + op.value! + (twice ? op.value! : ''));
    }
  }
  return {
    history: planned.map((p) => p.op).sort((a, b) => a.id - b.id),
    badKeys: [...bad.keys()].sort(),
  };
}
