/** Non-blocking messages in the corner; each goes away by itself. */
import { useEffect } from 'react';
import { type Toast, useUi } from '../stores/ui-store';
import { CloseIcon } from './icons';

function ToastView({ toast }: { toast: Toast }) {
  const dismiss = useUi((s) => s.dismissToast);
  useEffect(() => {
    const t = setTimeout(() => dismiss(toast.id), toast.tone === 'error' ? 8000 : 4000);
    return () => clearTimeout(t);
  }, [toast, dismiss]);
  return (
    <div className={`toast is-${toast.tone}`}>
      <span>{toast.text}</span>
      <button type="button" className="icon-btn small" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
        <CloseIcon />
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  return (
    <div className="toasts" role="status" aria-live="polite" aria-label="Notifications">
      {toasts.map((t) => (
        <ToastView key={t.id} toast={t} />
      ))}
    </div>
  );
}
