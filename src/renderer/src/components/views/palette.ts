/**
 * The theme's colours as values, for SVG views that must also look right when exported (a
 * saved .svg has no stylesheet, so colours are attributes, not var(--…)). Read from the same
 * tokens the canvas uses (--msg-0..7, the message-type palette in styles.css), per theme.
 */
import { useEffect, useState } from 'react';
import type { TimelineViewData } from '../../../../shared/api/views';

export interface ViewPalette {
  /** Background of the panel (the exported image's background too). */
  bg: string;
  /** Lane / plot band. */
  band: string;
  text: string;
  muted: string;
  faint: string;
  border: string;
  accent: string;
  danger: string;
  /** Tones of timeline bars besides accent and danger: done / under way, caution. */
  good: string;
  warn: string;
  /** The eight message-type colours, slot 0..7. */
  msg: string[];
}

function read(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

function readPalette(): ViewPalette {
  const s = getComputedStyle(document.documentElement);
  return {
    bg: read(s, '--panel', '#ffffff'),
    band: read(s, '--panel-2', '#f6f7f9'),
    text: read(s, '--text', '#1c2128'),
    muted: read(s, '--text-muted', '#555e69'),
    faint: read(s, '--text-faint', '#6a737d'),
    border: read(s, '--border', '#dfe2e6'),
    accent: read(s, '--accent', '#0b63ce'),
    danger: read(s, '--danger', '#c21c2a'),
    good: read(s, '--role-2', '#1a7f37'),
    warn: read(s, '--role-4', '#b54708'),
    msg: Array.from({ length: 8 }, (_, i) => read(s, `--msg-${i}`, '#888888')),
  };
}

/**
 * The palette of the theme shown now. Re-read when <html data-theme> changes: the frame sets
 * it in an effect that runs after its children's, so a theme selector alone would read too early.
 */
export function useViewPalette(): ViewPalette {
  const [palette, setPalette] = useState(readPalette);
  useEffect(() => {
    const root = document.documentElement;
    const mo = new MutationObserver(() => setPalette(readPalette()));
    mo.observe(root, { attributes: true, attributeFilter: ['data-theme'] });
    setPalette(readPalette());
    return () => mo.disconnect();
  }, []);
  return palette;
}

/** The font the views draw text in (kept in the exported file). */
export const VIEW_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** A colour hint of the generic views (timeline bars, graph boxes, legends): one tone set, one mapping. */
type Tone = TimelineViewData['bars'][number]['tone'];

/** The palette colour of a view's tone: info is the accent, neutral the faint grey. */
export function toneColour(p: ViewPalette, tone: Tone): string {
  switch (tone) {
    case 'info':
      return p.accent;
    case 'good':
      return p.good;
    case 'warn':
      return p.warn;
    case 'bad':
      return p.danger;
    default:
      return p.faint;
  }
}
