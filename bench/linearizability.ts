/**
 * Linearizability benchmark (called from bench/run.ts as (f); also runnable alone:
 * `npx tsx bench/linearizability.ts [--json]`).
 * - the checker on a 1,000-operation, 5-client history (makeBenchHistory);
 * - the checker on the kv histories shaped like Porcupine's hardest test logs
 *   (makeKvBenchHistory: 50 clients, 10 keys, 2,000 get / put / append operations), once
 *   linearizable and once with a violation on three keys: each must be decided (not
 *   "undecided") within a second, and the bad one at one of its bad keys.
 * Times are CPU time of this process (user + system), best of 3, as in bench/run.ts.
 */
import { fileURLToPath } from 'node:url';
import { checkLinearizable, type LinResult } from '../src/sim/checkers/linearizability';
import { makeBenchHistory, makeKvBenchHistory } from '../src/sim/checkers/linearizability-bench';

function bestCpuMs(reps: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best;
}

/** One measured check. */
export interface LinFigure {
  ms: number;
  ops: number;
  /** linearizable, illegal or undecided. */
  verdict: 'linearizable' | 'illegal' | 'undecided';
  /** The key that decided an illegal history. */
  key?: string;
  statesExplored: number;
}

function figure(history: Parameters<typeof checkLinearizable>[0]): LinFigure {
  let r: LinResult | undefined;
  const ms = bestCpuMs(3, () => {
    r = checkLinearizable(history);
  });
  const res = r!;
  return {
    ms,
    ops: history.length,
    verdict: res.ok ? 'linearizable' : res.exhausted ? 'undecided' : 'illegal',
    ...(res.failure && !res.exhausted ? { key: res.failure.key } : {}),
    statesExplored: res.statesExplored,
  };
}

/** The figures of (f). */
export interface LinBench {
  small: LinFigure;
  kvOk: LinFigure;
  kvBad: LinFigure & { badKeys: string[] };
  /** Both kv histories decided right (ok linearizable, bad illegal at a bad key), each ≤ 1 s. */
  kvWithin1s: boolean;
}

export function benchLinearizabilityAll(): LinBench {
  const small = figure(makeBenchHistory(1, 1000, 5));
  const kvOk = figure(makeKvBenchHistory(1).history);
  const bad = makeKvBenchHistory(1, { badKeys: 3 });
  const kvBad = { ...figure(bad.history), badKeys: bad.badKeys };
  const kvWithin1s =
    kvOk.verdict === 'linearizable' &&
    kvBad.verdict === 'illegal' &&
    bad.badKeys.includes(kvBad.key ?? '') &&
    kvOk.ms <= 1000 &&
    kvBad.ms <= 1000;
  return { small, kvOk, kvBad, kvWithin1s };
}

/** The report lines of (f). */
export function linLines(b: LinBench): string[] {
  const f = (x: LinFigure) =>
    `${x.ms.toFixed(0)} ms (${x.verdict}${x.key === undefined ? '' : ` at key "${x.key}"`}, ${x.statesExplored.toLocaleString('en')} states)`;
  return [
    `(f) linearizability, 1,000 ops, 5 clients  ${b.small.ms.toFixed(1)} ms (ok=${b.small.verdict === 'linearizable'}, ${b.small.statesExplored} states)`,
    `    kv, 50 clients, 10 keys, 2,000 ops: ok ${f(b.kvOk)}`,
    `    the same with a violation on keys ${b.kvBad.badKeys.join(', ')}: ${f(b.kvBad)}`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const b = benchLinearizabilityAll();
  if (process.argv.includes('--json')) console.log(JSON.stringify(b, null, 2));
  else
    console.log(
      [...linLines(b), `target kv both decided within 1 s: ${b.kvWithin1s ? 'met' : 'MISSED'}`].join('\n'),
    );
}
