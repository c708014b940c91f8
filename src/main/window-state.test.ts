import { describe, expect, it } from 'vitest';
import { restoreBounds } from './window-state';

const screen = { x: 0, y: 0, width: 1920, height: 1080 };

describe('window bounds are remembered', () => {
  it('restores bounds that are on a screen', () => {
    const saved = { x: 100, y: 80, width: 1200, height: 800, maximized: false };
    expect(restoreBounds(saved, [screen])).toEqual(saved);
  });
  it('drops bounds left on a monitor that is gone', () => {
    expect(
      restoreBounds({ x: 2500, y: 100, width: 1200, height: 800, maximized: false }, [screen]),
    ).toBeUndefined();
  });
  it('keeps bounds on a second monitor', () => {
    const second = { x: 1920, y: 0, width: 2560, height: 1440 };
    const saved = { x: 2500, y: 100, width: 1200, height: 800, maximized: true };
    expect(restoreBounds(saved, [screen, second])).toEqual(saved);
  });
  it('ignores garbage', () => {
    expect(restoreBounds({ x: 'a' }, [screen])).toBeUndefined();
    expect(restoreBounds(undefined, [screen])).toBeUndefined();
    expect(restoreBounds({ x: 0, y: 0, width: 10, height: 10, maximized: false }, [screen])).toBeUndefined();
  });
});
