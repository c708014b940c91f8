import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/cli/run-seed';
import { cli, fixture, ROOT } from './helpers';

const SHA = /^[0-9a-f]{16}$/;

async function runJson(...args: string[]): Promise<{ code: number; result: RunResult; stderr: string }> {
  const r = await cli('run', ...args, '--json');
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  return { code: r.code, result: JSON.parse(lines[0]!) as RunResult, stderr: r.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-cli-run-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('dslab run', () => {
  it('--json prints one object of the documented shape', async () => {
    const { code, result } = await runJson(fixture('ping-pong.json'), '--seed', '7');
    expect(code).toBe(0);
    expect(Object.keys(result)).toEqual([
      'seed',
      'events',
      'simulatedMs',
      'stopReason',
      'traceHash',
      'metrics',
      'invariants',
      'violation',
    ]);
    expect(result.seed).toBe(7);
    expect(result.events).toBeGreaterThan(100);
    expect(result.simulatedMs).toBeGreaterThan(900);
    expect(result.simulatedMs).toBeLessThanOrEqual(1000);
    expect(result.stopReason).toBe('time-limit');
    expect(result.traceHash).toMatch(SHA);
    expect(result.metrics.counters.sent).toBeGreaterThan(0);
    expect(Object.keys(result.metrics)).toEqual(['counters', 'gauges', 'series']);
    expect(result.metrics.series.rounds).toMatchObject({ unit: 'rounds' });
    expect(result.invariants).toEqual([
      {
        id: 'rounds-le-pings',
        kind: 'invariant',
        ok: true,
        message: 'A node never counts more rounds than pings it sent',
        atEvent: null,
      },
      {
        // The liveness property is checked from 20 retry intervals (1 s) after the last fault:
        // a 1 s run ends before.
        id: 'rounds-complete',
        kind: 'liveness',
        ok: null,
        message: 'checked once the faults have stopped for long enough',
        atEvent: null,
      },
    ]);
    expect(result.violation).toBeNull();
  });

  it('gives the same trace hash twice and a different one for another seed', async () => {
    const a = await runJson(fixture('broadcast.json'), '--seed', '11');
    const b = await runJson(fixture('broadcast.json'), '--seed', '11');
    const c = await runJson(fixture('broadcast.json'), '--seed', '12');
    expect(b.result).toEqual(a.result);
    expect(c.result.traceHash).not.toBe(a.result.traceHash);
  });

  it("defaults to the scenario's own seed", async () => {
    const scenario = JSON.parse(fs.readFileSync(fixture('ping-pong.json'), 'utf8')) as { seed: number };
    const { result } = await runJson(fixture('ping-pong.json'));
    expect(result.seed).toBe(scenario.seed);
  });

  it('prints a readable summary with the seed', async () => {
    const r = await cli('run', fixture('ping-pong.json'), '--seed', '3');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('scenario    Ping-pong, 1 s (ping-pong)');
    expect(lines[1]).toBe('seed        3');
    expect(r.stdout).toMatch(/^events {6}[\d,]+$/m);
    expect(r.stdout).toMatch(/^simulated {3}[\d,.]+ ms \(time limit reached\)$/m);
    expect(r.stdout).toMatch(/^trace hash {2}[0-9a-f]{16}$/m);
    expect(r.stdout).toMatch(/^invariants {2}1 of 2 held, 1 not evaluated$/m);
    expect(r.stdout).not.toMatch(/VIOLATION|reproduce/);
  });

  it('on a violation names the invariant, message, event, time and the reproduce line; exit 1', async () => {
    const file = fixture('broadcast-no-dedupe.json');
    const r = await cli('run', file, '--seed', '3');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^VIOLATION {3}no-duplication: n\d delivered n\d:\d+ twice$/m);
    expect(r.stdout).toMatch(/^at {10}event \d+, [\d.]+ ms, node n\d$/m);
    expect(r.stdout).toContain(`reproduce with: npx dslab run ${path.relative(ROOT, file)} --seed 3\n`);

    const j = await runJson(file, '--seed', '3');
    expect(j.code).toBe(1);
    expect(j.result.stopReason).toBe('violation');
    expect(j.result.violation).toMatchObject({ invariant: 'no-duplication', node: expect.any(String) });
    const broken = j.result.invariants.find((v) => v.ok === false)!;
    expect(broken.id).toBe('no-duplication');
    expect(broken.atEvent).toBe(j.result.violation!.atEvent);
    expect(broken.atEvent).toBe(j.result.events);
    // stdout stays one JSON object; the reproduce line goes to stderr.
    expect(j.stderr).toContain(`reproduce with: npx dslab run ${path.relative(ROOT, file)} --seed 3`);
  });

  it('--until-ms stops early', async () => {
    const full = await runJson(fixture('ping-pong.json'));
    const part = await runJson(fixture('ping-pong.json'), '--until-ms', '250');
    expect(part.result.stopReason).toBe('until');
    expect(part.result.simulatedMs).toBeLessThanOrEqual(250);
    expect(part.result.events).toBeLessThan(full.result.events);
  });

  it('--set changes the scenario before it runs, and the reproduce line carries it', async () => {
    const base = await runJson(fixture('broadcast.json'));
    const set = await runJson(fixture('broadcast.json'), '--set', 'params.bugNoDedupe=true');
    expect(set.code).toBe(1);
    expect(set.result.violation?.invariant).toBe('no-duplication');
    expect(set.stderr).toContain('--set params.bugNoDedupe=true');
    expect(base.result.violation).toBeNull();

    const lossy = await runJson(
      fixture('ping-pong.json'),
      '--set',
      'topology.links.0.lossRate=0.3',
      '--set',
      'limits.maxTimeUs=500000',
    );
    expect(lossy.result.metrics.counters.droppedLoss).toBeGreaterThan(0);
    expect(lossy.result.simulatedMs).toBeLessThanOrEqual(500);

    // Objects missing from the file are created; defaults fill the rest.
    const nem = await runJson(
      fixture('ping-pong.json'),
      '--set',
      'nemesis.enabled=true',
      '--set',
      'nemesis.crashRatePerS=5',
    );
    expect(nem.code).toBe(0);
    expect(nem.result.traceHash).not.toBe((await runJson(fixture('ping-pong.json'))).result.traceHash);
  });

  it('reads the library wrapper (.dslab.json) like the plain scenario inside it', async () => {
    const plain = await runJson(fixture('broadcast.json'), '--seed', '5');
    const wrapped = await runJson(fixture('broadcast.dslab.json'), '--seed', '5');
    expect(wrapped.result).toEqual(plain.result);
  });

  it('reads a file relative to the working folder and one with a byte-order mark', async () => {
    const bom = path.join(tmp, 'bom.json');
    fs.writeFileSync(bom, `\ufeff${fs.readFileSync(fixture('ping-pong.json'), 'utf8')}`);
    const a = await runJson(bom);
    const b = await runJson(path.join('tests', 'cli', 'fixtures', 'ping-pong.json'));
    expect(a.result).toEqual(b.result);
  });
});

describe('dslab run: a history checker that could not decide', () => {
  it('says "undecided" and prints what the checker found, without failing the run', async () => {
    const { summaryText } = await import('../../src/cli/commands/run');
    const { failed } = await import('../../src/cli/run-seed');
    const r: RunResult = {
      seed: 1,
      events: 10,
      simulatedMs: 1,
      stopReason: 'quiescent',
      traceHash: '0123456789abcdef',
      metrics: { counters: {}, gauges: {}, series: {} },
      invariants: [
        { id: 'safety', kind: 'invariant', ok: true, message: 'safe', atEvent: null },
        {
          id: 'linearizability',
          kind: 'history',
          ok: null,
          message: 'undecided: Gave up on key "0" after 1000000 states',
          atEvent: 10,
        },
      ],
      violation: null,
    };
    const text = summaryText(r, 'kv (raft)');
    expect(text).toMatch(/^invariants {2}1 of 2 held, 1 undecided$/m);
    expect(text).toMatch(/^history {5}linearizability: undecided: Gave up on key "0"/m);
    expect(failed(r)).toBe(false);
  });
});
