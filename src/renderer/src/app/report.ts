/**
 * Reporting a failed call: a toast, and the lab keeps going. Its own module, imported by the
 * app's action modules (actions, files, library, run, compare, editor) without importing any
 * of them back, so they form no import circle.
 */
import { useUi } from '../stores/ui-store';

/** The message of an error, or the thing thrown as text. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Reports a failed call as a toast; the lab keeps going. */
export function reportError(what: string, err: unknown): void {
  useUi.getState().toast(`${what}: ${errorText(err)}`, 'error');
}
