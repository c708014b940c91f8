/** A modal built on <dialog>: the browser traps focus, Esc closes, focus returns on close. */
import { type ReactNode, useEffect, useRef } from 'react';
import { CloseIcon } from './icons';

export function Modal({ label, onClose, children }: { label: string; onClose(): void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) {
      dialog.showModal();
      // Start on the content (scrollable by keyboard) rather than ringing the Close button.
      dialog.querySelector<HTMLElement>('.modal-body')?.focus();
    }
    return () => {
      dialog?.close();
      opener?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-label={label}
      onCancel={(e) => {
        // Esc: let React state close it, so the store and the element agree.
        e.preventDefault();
        onClose();
      }}
      onMouseDown={(e) => {
        // A press on the backdrop (the dialog element itself, outside its card) closes.
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="modal-card">
        <div className="modal-head">
          <h2 className="modal-title">{label}</h2>
          <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
            <CloseIcon />
          </button>
        </div>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (axe scrollable-region-focusable). */}
        <div className="modal-body" tabIndex={0}>
          {children}
        </div>
      </div>
    </dialog>
  );
}
