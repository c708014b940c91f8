// A quick start's lesson is usually its fault: a crash, a partition, a clock step. Played at
// the protocol's own playback speed (Protocol.speed, the pace the app opens it at), that fault
// must come soon enough after Play that a learner who just watches sees it, not after a minute
// of waiting (docs/workbench.md "Playback speed": FIRST_FAULT_WALL_S).
import { describe, expect, it } from 'vitest';
import { defaultScenario, listProtocols } from './catalog';

/** The latest, in wall seconds after Play at the protocol's speed, that its first fault may come. */
const FIRST_FAULT_WALL_S = 20;

/** When the quick start's first fault comes, in virtual µs: a scripted one or the nemesis's start. */
function firstFaultUs(protocolId: string): number | undefined {
  const s = defaultScenario(protocolId);
  const times = s.faults.map((f) => f.atUs);
  if (s.nemesis.enabled) times.push(s.nemesis.startUs);
  return times.length === 0 ? undefined : Math.min(...times);
}

describe('quick starts: the fault comes within seconds at the default pace', () => {
  it(`every protocol's quick start has its first fault within ${FIRST_FAULT_WALL_S} s of Play`, () => {
    const late: string[] = [];
    for (const p of listProtocols()) {
      const atUs = firstFaultUs(p.id);
      if (atUs === undefined) continue;
      const wallS = atUs / 1e6 / p.speed;
      if (wallS > FIRST_FAULT_WALL_S)
        late.push(
          `${p.id}: first fault at ${atUs / 1e6} s virtual, ${wallS.toFixed(1)} s after Play at ${p.speed}x`,
        );
    }
    expect(late, late.join('\n')).toEqual([]);
  });

  it('the check sees the quick starts that have faults', () => {
    // Guards the test above against passing vacuously (no protocol with a fault found).
    const withFaults = listProtocols().filter((p) => firstFaultUs(p.id) !== undefined);
    expect(withFaults.length).toBeGreaterThan(5);
  });
});
