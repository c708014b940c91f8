/**
 * Side by side: `npm run bench -- --vs REF` (REF a commit, tag or branch; default the commit
 * `migration-base` names in bench/versus-base.txt). Checks REF out into a temporary git
 * worktree, loads both builds' simulators into this one process and times them in turn
 * (base, this, base, this ...), so both sides see the same machine in the same minutes:
 * - ping-pong events per CPU second on 2, 50 and 1,000 nodes (best of 5 alternating rounds);
 * - Raft events per CPU second, the loaded 5-server cluster of bench/raft.ts (best of 5);
 * - step back at event 1,000,000 (ping-pong, 50 nodes; median of 7, the better of 2 rounds);
 * - memory (heap and buffers a run keeps: trace, checkpoints, history) per million trace
 *   events (rows), 50-node ping-pong and the Raft cluster, as bench/run.ts (d).
 * Prints each figure for both builds and the ratio this/base. Used for the protocol-contract
 * migration's "at least 0.9 of before" check (docs/benchmarks.md).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RAFT_BENCH_CHECKPOINTS, RAFT_BENCH_CLUSTER } from './raft';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What the bench needs of one build's simulator. */
interface SimLike {
  eventIndex: number;
  traceRows: number;
  runFor(n: number): unknown;
  runUntil(us: number, max?: number): unknown;
  seek(e: number): unknown;
  stepBack(n: number): unknown;
}
interface Build {
  name: string;
  pingPong(nodes: number): SimLike;
  raft(maxTimeUs: number): SimLike;
}

async function loadBuild(name: string, dir: string): Promise<Build> {
  const url = (p: string) => pathToFileURL(join(dir, p)).href;
  const simMod = await import(url('src/sim/simulation.ts'));
  const scMod = await import(url('src/sim/scenarios.ts'));
  const raftMod = await import(url('src/sim/protocols/consensus/raft/scenario.ts'));
  const Simulation = simMod.Simulation as new (sc: unknown, o?: unknown) => SimLike;
  return {
    name,
    pingPong: (nodes) => new Simulation(scMod.pingPongStar(nodes)),
    raft: (maxTimeUs) =>
      // This build's cluster options, built by each build's own raftScenario.
      new Simulation(raftMod.raftScenario({ ...RAFT_BENCH_CLUSTER, maxTimeUs }), RAFT_BENCH_CHECKPOINTS),
  };
}

function cpuMs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** Events per CPU second of `events` events after a warm-up on the same simulation. */
function rate(sim: SimLike, warm: number, events: number): number {
  sim.runFor(warm);
  gc();
  const e0 = sim.eventIndex;
  const ms = cpuMs(() => sim.runFor(events));
  return (sim.eventIndex - e0) / (ms / 1000);
}

function raftRate(b: Build): number {
  const sim = b.raft(1e12);
  sim.runUntil(60_000_000); // warm-up: a virtual minute
  gc();
  const e0 = sim.eventIndex;
  const ms = cpuMs(() => sim.runUntil(120_000_000));
  return (sim.eventIndex - e0) / (ms / 1000);
}

/** Median of 7 step backs at event `at` (one garbage collection can triple a single one). */
function stepBackMedianMs(b: Build, at: number): number {
  const sim = b.pingPong(50);
  sim.seek(at);
  sim.stepBack(1); // compiles the restore path
  const times: number[] = [];
  for (let r = 0; r < 7; r++) {
    sim.seek(at);
    times.push(cpuMs(() => sim.stepBack(1)));
  }
  return times.sort((x, y) => x - y)[3]!;
}

function mbPerMillionRows(make: () => SimLike, events: number): number {
  gc();
  gc();
  const m0 = process.memoryUsage();
  const sim = make();
  sim.runFor(events);
  gc();
  gc();
  const m1 = process.memoryUsage();
  const grown = m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers);
  const mb = grown / 1e6 / (sim.traceRows / 1e6);
  if (sim.eventIndex < 0) console.log(sim); // keeps sim alive until measured
  return mb;
}

/** Runs fn for base and this build in turn, `rounds` times; returns [base, this] of the best (or worst). */
function alternate(
  builds: [Build, Build],
  rounds: number,
  fn: (b: Build) => number,
  pick: 'max' | 'min',
): [number, number] {
  const best: [number, number] = pick === 'max' ? [0, 0] : [Infinity, Infinity];
  for (let r = 0; r < rounds; r++)
    for (let k = 0; k < 2; k++) {
      const v = fn(builds[k]!);
      best[k] = pick === 'max' ? Math.max(best[k]!, v) : Math.min(best[k]!, v);
    }
  return best;
}

/** A worktree of ref beside this checkout's node_modules; removed at exit. */
function checkout(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dslab-vs-'));
  execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', '-f', dir, ref], { stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  process.on('exit', () => {
    try {
      execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', dir], { stdio: 'ignore' });
    } catch {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return dir;
}

export async function benchVersus(ref: string, quick: boolean): Promise<void> {
  const baseDir = existsSync(ref) ? resolve(ref) : checkout(ref);
  const builds: [Build, Build] = [await loadBuild(`base ${ref}`, baseDir), await loadBuild('this', root)];
  const s = quick ? 0.25 : 1;
  const rows: [string, [number, number], string][] = [];
  const log = (m: string) => process.stderr.write(`${m}\n`);
  // Memory first, while the process holds little else (as bench/run.ts (d) does).
  log('memory...');
  const mp = alternate(builds, 1, (b) => mbPerMillionRows(() => b.pingPong(50), 1_000_000 * s), 'min');
  rows.push(['ping-pong 50 nodes: MB per million trace events (all kept)', mp, 'lower']);
  const mr = alternate(builds, 1, (b) => mbPerMillionRows(() => b.raft(1e12), 1_000_000 * s), 'min');
  rows.push(['Raft cluster: MB per million trace events (all kept)', mr, 'lower']);
  for (const n of [2, 50, 1000]) {
    log(`ping-pong ${n} nodes...`);
    const r = alternate(builds, 5, (b) => rate(b.pingPong(n), 200_000 * s, 1_000_000 * s), 'max');
    rows.push([`ping-pong, ${n} nodes (M events per CPU s)`, [r[0] / 1e6, r[1] / 1e6], 'higher']);
  }
  log('raft...');
  const rr = alternate(builds, quick ? 2 : 5, raftRate, 'max');
  rows.push(['Raft, 5 servers + 2 clients (M events per CPU s)', [rr[0] / 1e6, rr[1] / 1e6], 'higher']);
  log('step back...');
  const at = quick ? 200_000 : 1_000_000;
  const sb = alternate(builds, 2, (b) => stepBackMedianMs(b, at), 'min');
  rows.push([`step back at event ${at.toLocaleString('en')} (median of 7, ms)`, sb, 'lower']);

  console.log(
    `DSLab side by side (${process.version}${quick ? ', quick' : ''}): base = ${ref}, this = ${root}`,
  );
  for (const [name, [a, b], better] of rows)
    console.log(
      `${name.padEnd(66)} base ${a.toFixed(2).padStart(8)}  this ${b.toFixed(2).padStart(8)}  this/base ${(b / a).toFixed(3)} (${better} is better)`,
    );
}

/** The commit the contract-v2 migration is measured against. */
export function migrationBase(): string {
  return readFileSync(join(root, 'bench/versus-base.txt'), 'utf8').trim();
}
