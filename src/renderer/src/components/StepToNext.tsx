/**
 * "Step to next…": a small popover that runs to the next event of a kind or at a node
 * (sim.stepUntil). A non-modal dialog: Esc or a click outside closes it, focus returns.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { TraceRow } from '../../../shared/api';
import { type NextFilter, stepUntil } from '../app/run';
import { useListedNodes } from '../app/use-listed-nodes';
import { ChevronDownIcon, NextIcon } from './icons';

/** Kinds offered, with what each means to a learner. */
export const NEXT_KINDS: { kind: TraceRow['kind']; hint: string }[] = [
  { kind: 'send', hint: 'a node sends a message' },
  { kind: 'deliver', hint: 'a message arrives' },
  { kind: 'drop', hint: 'a message is lost or refused' },
  { kind: 'timer', hint: 'a timer fires' },
  { kind: 'fault', hint: 'a crash, partition, clock jump…' },
  { kind: 'client', hint: 'a client request' },
  { kind: 'note', hint: 'the protocol notes a change' },
];

export function StepToNext({ disabled }: { disabled: boolean }) {
  const [open, setOpen] = useState(false);
  const nodes = useListedNodes();
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    panel.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (!panel.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    window.addEventListener('mousedown', onDown);
    return () => window.removeEventListener('mousedown', onDown);
  }, [open]);

  const go = (filter: NextFilter) => {
    setOpen(false);
    button.current?.focus();
    void stepUntil(filter);
  };

  return (
    <span className="popover-anchor">
      <button
        ref={button}
        type="button"
        className="icon-btn wide"
        aria-label="Step to next…"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        title="Step to the next event of a kind or at a node"
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
      >
        <NextIcon />
        <ChevronDownIcon />
      </button>
      {open && (
        <div
          ref={panel}
          id={panelId}
          className="popover"
          role="dialog"
          aria-label="Step to next event"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              setOpen(false);
              button.current?.focus();
            }
          }}
        >
          <p className="popover-heading">Next event of kind</p>
          <div className="popover-grid">
            {NEXT_KINDS.map((k) => (
              <button
                key={k.kind}
                type="button"
                className="chip-btn"
                data-kind={k.kind}
                title={k.hint}
                aria-label={`Next ${k.kind}`}
                onClick={() => go({ kind: k.kind })}
              >
                <span className="kind-dot" data-kind={k.kind} aria-hidden="true" />
                {k.kind}
              </button>
            ))}
          </div>
          <p className="popover-heading">Next event at node</p>
          <div className="popover-grid">
            {nodes.map((n) => (
              <button
                key={n.id}
                type="button"
                className="chip-btn"
                aria-label={`Next event at ${n.name}`}
                onClick={() => go({ node: n.id })}
              >
                {n.name}
              </button>
            ))}
          </div>
        </div>
      )}
    </span>
  );
}
