/**
 * Store benchmark: save and load a 1,000-node scenario (target ≤ 20 ms each), list 10,000
 * scenarios (≤ 50 ms) and search them (≤ 50 ms). Medians of repeated runs, in milliseconds,
 * on a fresh database in the OS temp folder; `…CpuMs` are the same operations' process CPU
 * time, steadier than wall time on a shared machine. No output: the bench runner prints.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Library } from '../src/main/store/library';
import { makeScenario } from '../tests/store/fixtures';

const WORDS = [
  'raft',
  'paxos',
  'gossip',
  'leader',
  'quorum',
  'shard',
  'clock',
  'drift',
  'kafka',
  'commit',
  'ring',
  'mesh',
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall and CPU medians of the last timing, in ms (CPU time is steadier on a busy machine). */
const cpu: Record<string, number> = {};

function time(runs: number, fn: (i: number) => void, name?: string): number {
  const wall: number[] = [];
  const used: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn(i);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    used.push((c.user + c.system) / 1000);
  }
  if (name) cpu[name] = Number(median(used).toFixed(3));
  return Number(median(wall).toFixed(3));
}

/** Runs the store benchmark; returns medians in ms (and the sizes used). */
export async function benchStore(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-bench-'));
  const lib = Library.open(dir);
  try {
    const big = makeScenario(1000, 'Thousand nodes');
    const bigRec = lib.createScenario(big);
    let revision = bigRec.revision;
    const save1000NodesMs = time(
      30,
      (i) => {
        revision = lib.save(bigRec.id, { ...big, seed: i + 2 }, revision).revision;
      },
      'save1000NodesCpuMs',
    );
    const load1000NodesMs = time(
      30,
      () => {
        lib.getScenario(bigRec.id);
      },
      'load1000NodesCpuMs',
    );
    const bigDocBytes = JSON.stringify(lib.getScenario(bigRec.id).scenario).length;

    // 10,000 small scenarios, imported as bundles of 1,000 (one transaction each).
    const importMs: number[] = [];
    for (let b = 0; b < 10; b++) {
      const scenarios = Array.from({ length: b === 0 ? 999 : 1000 }, (_, k) => {
        const n = b * 1000 + k;
        return {
          description: `${WORDS[n % WORDS.length]} and ${WORDS[(n * 7) % WORDS.length]} lab ${n}`,
          tags: [WORDS[(n * 3) % WORDS.length]!],
          scenario: makeScenario(3 + (n % 5), `Scenario ${n} ${WORDS[(n * 5) % WORDS.length]}`, n),
        };
      });
      const text = JSON.stringify({ format: 'dslab', kind: 'bundle', schemaVersion: 1, scenarios });
      const t0 = performance.now();
      lib.importFile(text);
      importMs.push(performance.now() - t0);
    }
    const total = lib.list({ limit: 1 }).total;
    const list10000Ms = time(
      20,
      () => {
        lib.list({ limit: 10_000 });
      },
      'list10000CpuMs',
    );
    const list10000ByNameMs = time(20, () => {
      lib.list({ limit: 10_000, sort: 'name' });
    });
    const listPage100Ms = time(50, (i) => {
      lib.list({ limit: 100, offset: (i * 100) % 9_900 });
    });
    const listByTagMs = time(20, () => {
      lib.list({ tag: 'raft', limit: 10_000 });
    });
    const searchWordMs = time(
      50,
      (i) => {
        lib.search(WORDS[i % WORDS.length]!, { limit: 50 });
      },
      'searchWordCpuMs',
    );
    const searchAllMatchesMs = time(20, (i) => {
      lib.search(WORDS[i % WORDS.length]!, { limit: 10_000 });
    });
    const searchPrefixMs = time(
      50,
      () => {
        lib.search('sc', { limit: 50 });
      },
      'searchPrefixCpuMs',
    );
    return {
      save1000NodesMs,
      load1000NodesMs,
      bigDocBytes,
      scenarios: total,
      import1000ItemsMs: Number(median(importMs).toFixed(3)),
      list10000Ms,
      list10000ByNameMs,
      listPage100Ms,
      listByTagMs,
      searchWordMs,
      searchAllMatchesMs,
      searchPrefixMs,
      ...cpu,
    };
  } finally {
    lib.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
