import { describe, expect, it } from 'vitest';
import type { LinkState } from '../stores/run-store';
import { healReason } from './faults';

/** "Heal" in a link's menu is offered only when it would change something on that link. */

const link = (over: Partial<LinkState>): LinkState => ({
  id: 'n1-n2',
  a: 'n1',
  b: 'n2',
  state: 'ok',
  cutDirection: null,
  cutBy: [],
  degraded: false,
  lossRate: 0,
  scenarioLossRate: 0,
  meanLatencyUs: 1000,
  scenarioMeanLatencyUs: 1000,
  ...over,
});

describe('healReason', () => {
  it('offers Heal for a cut-link fault, one way or both', () => {
    expect(healReason(link({ state: 'cut', cutBy: ['link'] }))).toBe(false);
    expect(healReason(link({ state: 'cut-one-way', cutDirection: 'a-to-b', cutBy: ['link'] }))).toBe(false);
    expect(healReason(link({ state: 'cut', cutBy: ['link', 'partition'] }))).toBe(false);
  });

  it('offers Heal for a degraded link (its scenario loss comes back)', () => {
    expect(healReason(link({ state: 'degraded', degraded: true, lossRate: 0.2 }))).toBe(false);
  });

  it('says why not when only a partition cuts the link, or nothing is wrong with it', () => {
    expect(healReason(link({ state: 'cut', cutBy: ['partition'] }))).toMatch(/partition/);
    expect(healReason(link({}))).toMatch(/neither cut nor degraded/);
  });

  it('leaves it to the host before a run exists', () => {
    expect(healReason(undefined)).toBe(false);
  });
});
