/**
 * A protocol that throws (a bug in a protocol or the kernel) is reported per seed, with the
 * seed and a reproduce line, and counts as a failure (exit 1), not as bad input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSeed } from '../../src/cli/run-seed';
import { loadScenarioFile } from '../../src/cli/scenario-file';
import { type AnyProtocol, registerProtocol } from '../../src/sim/index';
import { pingPong } from '../../src/sim/protocols/ping-pong/ping-pong';
import { cli, fixture } from './helpers';

// Ping-pong whose 20th pong handling throws. Registered in this test process only.
const throwing: AnyProtocol = {
  ...pingPong,
  id: 'cli-test-throws',
  on(ctx, state, input) {
    if (input.kind === 'message' && input.msg.type === 'pong' && input.msg.seq >= 20)
      throw new Error('boom at seq 20');
    pingPong.on(ctx, state, input);
  },
};
registerProtocol(throwing);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-cli-throw-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const file = path.join(tmp, 'throws.json');
const scenario = JSON.parse(fs.readFileSync(fixture('ping-pong.json'), 'utf8'));
fs.writeFileSync(file, JSON.stringify({ ...scenario, protocol: 'cli-test-throws' }));

describe('a simulation that throws', () => {
  it('becomes a result with error set', () => {
    const r = runSeed(loadScenarioFile(file).scenario, 5);
    expect(r).toMatchObject({ seed: 5, stopReason: 'error', error: 'boom at seq 20', violation: null });
    expect(r.events).toBeGreaterThan(0);
  });

  it('run and check exit 1 naming the seed and the error', async () => {
    const run = await cli('run', file, '--seed', '5');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ERROR {7}the simulation threw: boom at seq 20$/m);
    expect(run.stdout).toContain(`reproduce with: npx dslab run ${file} --seed 5`);
    const check = await cli('check', file, '--seeds', '5..6');
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(
      /^ERROR {6}seed 5: the simulation threw at event \d+ \([\d.]+ ms\): boom at seq 20$/m,
    );
  });
});
