/**
 * How far a row of controls has to fold to fit its box: the "priority+" pattern. The row
 * renders everything, and while its content is wider than its box (scrollWidth > clientWidth)
 * the level goes up by one, each level folding one more thing away (a label hidden, a control
 * moved into a menu). Measured rather than set by media queries because the widths depend on
 * the fonts of the platform and on the content (the protocol's title, the time readout).
 *
 * The level is worked out before the browser paints: the layout effect runs after every render
 * and a level change renders again at once. It starts again from 0 when the box's width or
 * `resetKey` changes, and goes on folding when something inside grows (a watched element
 * resizes). The box's own width must not depend on the level (or it would never settle).
 */
import { type RefObject, useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';
import { flushSync } from 'react-dom';

export function useFold(
  box: RefObject<HTMLElement | null>,
  watched: RefObject<HTMLElement | null>[],
  max: number,
  resetKey = '',
): number {
  const [level, setLevel] = useState(0);
  const [, remeasure] = useReducer((n: number) => n + 1, 0);
  const key = useRef(resetKey);

  useLayoutEffect(() => {
    if (key.current !== resetKey) {
      // New content (another protocol, other tabs): fold again from nothing.
      key.current = resetKey;
      setLevel(0);
      remeasure();
      return;
    }
    const el = box.current;
    if (el && level < max && el.scrollWidth > el.clientWidth) setLevel(level + 1);
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: the refs are stable; observed once.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let width = el.clientWidth;
    const observer = new ResizeObserver(() => {
      // Synchronously, so a fold never shows clipped for a frame.
      flushSync(() => {
        if (el.clientWidth !== width) {
          width = el.clientWidth;
          setLevel(0);
        }
        remeasure(); // renders even when the level was 0 already, so the layout effect measures
      });
    });
    observer.observe(el);
    for (const w of watched) if (w.current) observer.observe(w.current);
    return () => observer.disconnect();
  }, []);

  return level;
}
