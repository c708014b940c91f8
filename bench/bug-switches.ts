/**
 * Bug-switch sweep (a measurement, not a test): every bug switch of every protocol, turned on in
 * its nemesis scenario (or the built-in scenario that fits it best), run over a seed range with
 * the seed runner `dslab check` and `dslab sweep` use (src/cli/seed-runner.ts). For each switch
 * it counts the seeds on which a check fails, by check (invariant, liveness property or history
 * checker), and keeps apart the runs whose only failure is a history checker that gave up
 * ("verdict unknown": not a catch) and runs that threw. With --baseline it also runs the same
 * seeds with the switch off: a check that fails there is a false alarm, not a catch.
 * docs/protocols/bug-switches.md is this script's output.
 *
 *   npx tsx bench/bug-switches.ts [--seeds 1..500] [--workers K] [--only id,id] [--baseline] [--json]
 *
 * `--only` takes switch ids as listed by `--list` (`<protocol>.<param>`), or protocol ids.
 * Progress goes to stderr; the table (or --json) to stdout.
 */
import { availableParallelism } from 'node:os';
import { parseSeedRange } from '../src/cli/args';
import type { RunResult } from '../src/cli/run-seed';
import { runSeeds } from '../src/cli/seed-runner';
import type { Scenario } from '../src/shared/scenario/schema';
import { listProtocols } from '../src/sim';
import { type Subject, subjects } from './bug-switch-plan';

/** What one seed range of one scenario gave. */
interface Tally {
  seeds: number;
  /** Seeds whose first failure is this check (a history checker that gave up is not counted here). */
  caught: Record<string, number>;
  /** Seeds on which some check failed. */
  failing: number;
  /** Seeds whose only failure was a history checker that gave up (verdict unknown). */
  unknown: number;
  /** Seeds on which the simulation threw. */
  errors: number;
  /** The first failing seed, with its check. */
  first: { seed: number; check: string } | null;
  events: number;
  seconds: number;
}

const isUnknown = (r: RunResult) =>
  r.violation !== null && /verdict unknown/.test(r.violation.message) && r.violation.node === null;

async function tally(s: Scenario, from: number, to: number, workers: number, label: string): Promise<Tally> {
  const t: Tally = {
    seeds: 0,
    caught: {},
    failing: 0,
    unknown: 0,
    errors: 0,
    first: null,
    events: 0,
    seconds: 0,
  };
  const t0 = Date.now();
  let lastLog = t0;
  await runSeeds(s, { from, to }, { workers }, (r) => {
    t.seeds++;
    t.events += r.events;
    if (r.error !== undefined) t.errors++;
    else if (isUnknown(r)) t.unknown++;
    else if (r.violation !== null) {
      t.failing++;
      t.caught[r.violation.invariant] = (t.caught[r.violation.invariant] ?? 0) + 1;
      if (t.first === null) t.first = { seed: r.seed, check: r.violation.invariant };
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      process.stderr.write(`  ${label}: ${t.seeds}/${to - from + 1} seeds, ${t.failing} failing\n`);
    }
    return true;
  });
  t.seconds = (Date.now() - t0) / 1000;
  return t;
}

function pct(n: number, of: number): string {
  return `${n} of ${of} (${((100 * n) / of).toFixed(1)}%)`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const all = subjects();
  if (argv.includes('--list')) {
    for (const s of all) process.stdout.write(`${s.id}\t${s.scenario}\n`);
    return;
  }
  // Every switch of every protocol has a row: a switch added without one is said at once.
  const known = new Set(all.map((s) => s.id));
  const missing = listProtocols().flatMap((p) =>
    p.bugs.map((b) => `${p.id}.${b.param}`).filter((id) => !known.has(id)),
  );
  if (missing.length > 0) throw new Error(`bench/bug-switches.ts has no scenario for ${missing.join(', ')}`);
  const range = parseSeedRange(opt('--seeds') ?? '1..500');
  const workers = Number(opt('--workers') ?? Math.max(1, Math.min(availableParallelism(), 8)));
  const only = opt('--only')?.split(',');
  const chosen = all.filter((s) => only === undefined || only.includes(s.id) || only.includes(s.protocol));
  const baseline = argv.includes('--baseline');
  const json = argv.includes('--json');

  const rows: { subject: Subject; on: Tally; off: Tally | null }[] = [];
  // With every switch off a scenario is the same run whichever switch it was loaded for.
  const offRuns = new Map<string, Tally>();
  for (const subject of chosen) {
    process.stderr.write(`${subject.id} on ${subject.scenario}, seeds ${range.from}..${range.to}\n`);
    const on = await tally(subject.load(true), range.from, range.to, workers, `${subject.id} on`);
    let off: Tally | null = null;
    if (baseline) {
      const plain = subject.load(false);
      const key = JSON.stringify(plain);
      off = offRuns.get(key) ?? (await tally(plain, range.from, range.to, workers, `${subject.id} off`));
      offRuns.set(key, off);
    }
    rows.push({ subject, on, off });
    process.stderr.write(
      `  caught on ${pct(on.failing, on.seeds)} ${JSON.stringify(on.caught)}, unknown ${on.unknown}, errors ${on.errors}, ${on.seconds.toFixed(0)} s` +
        (off ? `; switch off: ${off.failing} failing, unknown ${off.unknown}, errors ${off.errors}` : '') +
        '\n',
    );
  }
  if (json) {
    process.stdout.write(
      `${JSON.stringify(
        rows.map((r) => ({
          id: r.subject.id,
          scenario: r.subject.scenario,
          seeds: range,
          on: r.on,
          off: r.off,
        })),
        null,
        2,
      )}\n`,
    );
    return;
  }
  const seeds = `${range.from}..${range.to}`;
  const lines = [
    `| switch | scenario | check that catches it | seeds caught (${seeds}) | first seed | switch off |`,
    '|---|---|---|---|---|---|',
  ];
  for (const { subject, on, off } of rows) {
    const checks = Object.entries(on.caught)
      .sort((a, b) => b[1] - a[1])
      .map(([id, n]) => `${id} (${n})`)
      .join(', ');
    const extra = [on.unknown > 0 ? `${on.unknown} unknown` : '', on.errors > 0 ? `${on.errors} threw` : '']
      .filter((x) => x !== '')
      .join(', ');
    const offText =
      off === null
        ? 'not run'
        : off.failing + off.errors === 0
          ? `0 failing${off.unknown > 0 ? ` (${off.unknown} unknown)` : ''}`
          : `${off.failing} failing ${JSON.stringify(off.caught)}${off.errors > 0 ? `, ${off.errors} threw` : ''}`;
    lines.push(
      `| ${subject.protocol} \`${subject.bug}\` | ${subject.scenario} | ${checks || '**none**'} | ${pct(on.failing, on.seeds)}${extra ? `; ${extra}` : ''} | ${on.first ? `${on.first.seed}` : '-'} | ${offText} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
