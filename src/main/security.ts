/**
 * The Electron security checklist, as data and pure predicates so tests can assert it
 * without an Electron binary (see docs/security.md).
 */
import type { WebPreferences } from 'electron';

/** Content-Security-Policy for the renderer; mirrored by the meta tag in index.html. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  // ws: for web mode's API socket on 127.0.0.1 only.
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The only webPreferences DSLab's window is ever created with. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/**
 * Navigation is allowed only to the page the window was opened on (a reload), never to
 * another origin or file; everything else is denied. `appUrl` is the renderer's entry URL.
 */
export function isAllowedNavigation(targetUrl: string, appUrl: string): boolean {
  try {
    const target = new URL(targetUrl);
    const app = new URL(appUrl);
    if (target.protocol === 'file:' && app.protocol === 'file:') return target.pathname === app.pathname;
    return target.origin === app.origin && target.origin !== 'null';
  } catch {
    return false;
  }
}

/** External links open in the user's browser only when they are plain https. */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * An IPC message is trusted only if it comes from the main frame of one of our own
 * windows, showing our own page (electron/fiddle's check, plus the frame's URL).
 */
export function isTrustedSender(
  sender: { windowId: number | null; frameUrl: string | null },
  ourWindowIds: readonly number[],
  appUrl: string,
): boolean {
  if (sender.windowId === null || !ourWindowIds.includes(sender.windowId)) return false;
  if (!sender.frameUrl) return false;
  return isAllowedNavigation(sender.frameUrl, appUrl);
}
