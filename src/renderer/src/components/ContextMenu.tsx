/**
 * A context menu (WAI-ARIA menu pattern): arrow keys move, Home/End jump, Enter/Space pick,
 * Esc or a click elsewhere closes and focus returns to where it was.
 */
import { Fragment, useEffect, useLayoutEffect, useRef, useState } from 'react';

export interface MenuItem {
  /** Visible label and accessible name. */
  label: string;
  /** What it does. */
  run(): void;
  /** Greyed out, with the reason as a tooltip. */
  disabled?: string | false;
  /** Draws a separator above. */
  separated?: boolean;
  /** Red text for destructive actions. */
  danger?: boolean;
}

export function ContextMenu({
  x,
  y,
  label,
  items,
  onClose,
}: {
  x: number;
  y: number;
  label: string;
  items: MenuItem[];
  onClose(): void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ x, y });
  const opener = useRef<HTMLElement | null>(null);

  // Keep the menu inside the window.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const r = el.getBoundingClientRect();
    setPos({
      x: Math.max(4, Math.min(x, window.innerWidth - r.width - 4)),
      y: Math.max(4, Math.min(y, window.innerHeight - r.height - 4)),
    });
  }, [x, y]);

  useEffect(() => {
    opener.current = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus();
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    window.addEventListener('mousedown', onDown, true);
    return () => {
      window.removeEventListener('mousedown', onDown, true);
      opener.current?.focus?.();
    };
  }, [onClose]);

  const move = (delta: number | 'first' | 'last') => {
    const all = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const enabled = all.filter((el) => el.getAttribute('aria-disabled') !== 'true');
    if (enabled.length === 0) return;
    const i = enabled.indexOf(document.activeElement as HTMLElement);
    let next: number;
    if (delta === 'first') next = 0;
    else if (delta === 'last') next = enabled.length - 1;
    else next = (i + delta + enabled.length) % enabled.length;
    enabled[next]?.focus();
  };

  return (
    <div
      ref={ref}
      className="context-menu"
      role="menu"
      aria-label={label}
      style={{ left: pos.x, top: pos.y }}
      onContextMenu={(e) => e.preventDefault()}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'ArrowDown') move(1);
        else if (e.key === 'ArrowUp') move(-1);
        else if (e.key === 'Home') move('first');
        else if (e.key === 'End') move('last');
        else if (e.key === 'Escape' || e.key === 'Tab') onClose();
        else return;
        e.preventDefault();
      }}
    >
      <div className="context-menu-title" aria-hidden="true">
        {label}
      </div>
      {items.map((item) => (
        <Fragment key={item.label}>
          {item.separated && <hr className="context-sep" />}
          <button
            type="button"
            role="menuitem"
            className={`context-item${item.danger ? ' is-danger' : ''}`}
            aria-disabled={item.disabled ? true : undefined}
            title={item.disabled || undefined}
            tabIndex={-1}
            onClick={() => {
              if (item.disabled) return;
              onClose();
              item.run();
            }}
          >
            {item.label}
          </button>
        </Fragment>
      ))}
    </div>
  );
}
