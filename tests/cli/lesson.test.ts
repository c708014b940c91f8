import { describe, expect, it } from 'vitest';
import { summaryText } from '../../src/cli/commands/run';
import { failed, runSeed } from '../../src/cli/run-seed';
import { builtinScenarios } from '../../src/sim/scenarios';

describe('dslab run: a check that fails as the lesson', () => {
  it('is reported with its reason and the operations, and does not fail the run', () => {
    // Broadcast's reads return one node's copy: linearizability is not promised, and it fails.
    const sc = builtinScenarios().find((s) => s.name.startsWith('broadcast with closed-loop'))!;
    const r = runSeed(sc, 1);
    const v = r.invariants.find((x) => x.id === 'linearizability')!;
    expect(v.ok).toBe(false);
    expect(v.lesson).toMatch(/local copy/);
    expect(v.details!.length).toBeGreaterThan(0);
    expect(r.violation).toBeNull();
    expect(failed(r)).toBe(false);
    const text = summaryText(r, 'broadcast');
    expect(text).toMatch(/^invariants {2}\d+ of \d+ held, 1 failed as the lesson(, \d+ not evaluated)?$/m);
    expect(text).toMatch(/^lesson {6}linearizability: .*op #\d+.* \(reads return the local copy/m);
    expect(text).not.toMatch(/BROKEN|VIOLATION/);
  });
});
