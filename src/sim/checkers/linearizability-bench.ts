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
