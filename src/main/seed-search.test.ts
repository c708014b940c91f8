import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { failed, runSeed } from '../cli/run-seed';
import type { SearchStatus } from '../shared/api';
import { fileItems } from '../shared/files/format';
import { parseFile } from '../shared/files/parse';
import { ScenarioSchema } from '../shared/scenario/schema';
import { defaultScenario } from '../sim';
import { SeedSearchHost } from './seed-search';

/** A host whose ticks run when the test says (a queue instead of timers). */
function host() {
  const queue: (() => void)[] = [];
  const emitted: SearchStatus[] = [];
  const h = new SeedSearchHost({
    emit: (s) => emitted.push(s),
    schedule: (fn) => {
      queue.push(fn);
      return 0 as unknown as ReturnType<typeof setTimeout>;
    },
    cancel: () => {},
  });
  const tick = () => queue.shift()?.();
  const drain = () => {
    for (let i = 0; i < 100_000 && queue.length > 0; i++) tick();
  };
  return { h, emitted, tick, drain, queue };
}

function raftNemesis(bug: string) {
  const text = fs.readFileSync(path.resolve('resources/library/raft-nemesis.dslab.json'), 'utf8');
  const parsed = parseFile(text);
  if (!parsed.ok) throw new Error(parsed.message);
  const s = fileItems(parsed.file).scenarios[0]!.scenario;
  return ScenarioSchema.parse({ ...s, params: { ...s.params, [bug]: true } });
}

describe('seed search', () => {
  it('stops at the first seed `dslab check` reports, with its check and event', () => {
    const scenario = raftNemesis('bugForgetVoteOnRestart');
    const { h, emitted, drain } = host();
    const started = h.start(scenario, 1, 20);
    expect(started.state).toBe('running');
    drain();
    const last = emitted.at(-1)!;
    // What the CLI's check finds over the same range, seed by seed.
    let want = null as ReturnType<typeof runSeed> | null;
    for (let seed = 1; seed <= 20 && want === null; seed++) {
      const r = runSeed(scenario, seed);
      if (failed(r)) want = r;
    }
    expect(want, 'the bug is found within 20 seeds').not.toBeNull();
    expect(last.state).toBe('found');
    expect(last.found).toEqual({
      seed: want!.seed,
      invariant: want!.violation!.invariant,
      message: want!.violation!.message,
      eventIndex: want!.violation!.atEvent,
    });
    expect(last.done).toBe(want!.seed);
  });

  it('runs every seed of a range that passes, and says so', () => {
    const { h, emitted, drain } = host();
    h.start(defaultScenario('ping-pong'), 5, 7);
    drain();
    expect(emitted.at(-1)).toMatchObject({ state: 'none', done: 3, seed: 7, found: null });
  });

  it('a cancelled search stops where it is and runs no more', () => {
    const { h, emitted, tick, queue } = host();
    const { searchId } = h.start(defaultScenario('raft'), 1, 1000);
    tick();
    const stopped = h.cancel(searchId);
    expect(stopped.state).toBe('cancelled');
    expect(emitted.at(-1)?.state).toBe('cancelled');
    const count = emitted.length;
    while (queue.length > 0) tick();
    expect(emitted).toHaveLength(count);
    expect(stopped.done).toBeLessThan(1000);
  });

  it('refuses a scenario that cannot run, naming it', () => {
    const { h } = host();
    const bad = ScenarioSchema.parse({ ...defaultScenario('ping-pong'), params: { retryUs: -5 } });
    expect(() => h.start(bad, 1, 2)).toThrow(/cannot run/);
  });
});
