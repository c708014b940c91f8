/**
 * What every renderer of a protocol's view shares: the view's data from `sim.view`, refreshed
 * while the tab is shown (at most every `refreshMs`) and dropped when the run changes, and the
 * width of the box it is drawn in.
 */
import { type RefObject, useEffect, useRef, useState } from 'react';
import type { ViewData } from '../../../../shared/api';
import { call } from '../../api/client';
import { useThrottledRefresh } from '../../app/use-throttled';
import { useRun } from '../../stores/run-store';
import { useUi } from '../../stores/ui-store';

/** The view's data (null before the first answer, or when it has nothing to show), its box and width. */
export function useProtocolView<K extends ViewData['kind']>(
  viewId: string,
  kind: K,
  refreshMs: number,
  what: string,
): {
  simId: string | null;
  event: number;
  data: Extract<ViewData, { kind: K }> | null;
  box: RefObject<HTMLDivElement | null>;
  width: number;
} {
  const simId = useRun((s) => s.simId);
  const event = useRun((s) => s.status?.eventIndex ?? 0);
  const [got, setGot] = useState<{ simId: string; data: Extract<ViewData, { kind: K }> } | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(720);

  useThrottledRefresh(
    async () => {
      if (!simId) return;
      try {
        const r = await call('sim.view', { simId, view: viewId });
        if (useRun.getState().simId === simId)
          setGot(r?.kind === kind ? { simId, data: r as Extract<ViewData, { kind: K }> } : null);
      } catch (err) {
        if (useRun.getState().simId === simId)
          useUi
            .getState()
            .toast(`Could not read ${what}: ${err instanceof Error ? err.message : String(err)}`, 'error');
      }
    },
    `${simId}:${event}:${viewId}`,
    simId !== null,
    refreshMs,
  );

  const data = got && got.simId === simId ? got.data : null;
  const shown = data !== null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the box is a different element once the view is shown.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, [shown]);

  return { simId, event, data, box, width };
}
