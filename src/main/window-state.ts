/** Remembers the window's size and position across launches, and keeps it on a screen. */
import { z } from 'zod';

export const WindowBoundsSchema = z.object({
  /** Left edge, in screen pixels. */
  x: z.number().int(),
  /** Top edge, in screen pixels. */
  y: z.number().int(),
  /** Width in pixels. */
  width: z.number().int().min(400),
  /** Height in pixels. */
  height: z.number().int().min(300),
  /** Whether the window was maximized. */
  maximized: z.boolean(),
});
export type WindowBounds = z.infer<typeof WindowBoundsSchema>;

/** A display's usable area. */
export interface WorkArea {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_SIZE = { width: 1440, height: 900 };

/**
 * Returns saved bounds if at least a 100×50 strip of the title bar is on some display (a
 * monitor may have been unplugged since); otherwise undefined, and the window is centred.
 */
export function restoreBounds(saved: unknown, displays: readonly WorkArea[]): WindowBounds | undefined {
  const parsed = WindowBoundsSchema.safeParse(saved);
  if (!parsed.success) return undefined;
  const b = parsed.data;
  const visible = displays.some((d) => {
    const overlapX = Math.min(b.x + b.width, d.x + d.width) - Math.max(b.x, d.x);
    const overlapY = Math.min(b.y + 50, d.y + d.height) - Math.max(b.y, d.y);
    return overlapX >= 100 && overlapY >= 50;
  });
  return visible ? b : undefined;
}
