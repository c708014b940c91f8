import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SimNode, SimStatusInfo } from '../../../shared/api';
import { NODE_REFRESH_MS, useCanvasNodes, useRun } from './run-store';

const node = (rounds: number) =>
  ({ n1: { id: 'n1', badge: { text: `${rounds} rounds`, tone: 'good' } } }) as unknown as Record<
    string,
    SimNode
  >;
const status = (playing: boolean) => ({ playing, eventIndex: 1, nowUs: 0 }) as unknown as SimStatusInfo;
const shown = () => useCanvasNodes.getState().nodes.n1?.badge.text;

describe('the canvas nodes follow the run', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    useRun.getState().clear();
  });
  afterEach(() => {
    useRun.getState().clear();
    vi.useRealTimers();
  });

  it('at once when the run is paused or stepped', () => {
    useRun.getState().set({ status: status(false), nodes: node(1) });
    expect(shown()).toBe('1 rounds');
    useRun.getState().set({ nodes: node(2) });
    expect(shown()).toBe('2 rounds');
  });

  it('at most every NODE_REFRESH_MS while playing, ending on the latest nodes', () => {
    useRun.getState().set({ status: status(true), nodes: node(1) });
    expect(shown()).toBe('1 rounds');
    useRun.getState().set({ nodes: node(2) });
    useRun.getState().set({ nodes: node(3) });
    expect(shown()).toBe('1 rounds');
    vi.advanceTimersByTime(NODE_REFRESH_MS);
    expect(shown()).toBe('3 rounds');
  });

  it('shows a pending update as soon as the run stops', () => {
    useRun.getState().set({ status: status(true), nodes: node(1) });
    useRun.getState().set({ nodes: node(2) });
    expect(shown()).toBe('1 rounds');
    useRun.getState().set({ status: status(false) });
    expect(shown()).toBe('2 rounds');
  });
});
