/** Calls a refresh while a view is shown: now, then at most every `ms` while `key` changes. */
import { useEffect, useRef } from 'react';

export function useThrottledRefresh(
  fn: () => Promise<void> | void,
  key: unknown,
  active: boolean,
  ms: number,
): void {
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  // biome-ignore lint/correctness/useExhaustiveDependencies: key is the trigger on purpose.
  useEffect(() => {
    if (!active) return;
    const run = () => {
      timer.current = null;
      last.current = performance.now();
      void fnRef.current();
    };
    const wait = ms - (performance.now() - last.current);
    if (wait <= 0) run();
    else if (!timer.current) timer.current = setTimeout(run, wait);
  }, [key, active, ms]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
}
