/**
 * The Electron security checklist, as data and pure predicates so tests can assert it
 * without an Electron binary (see docs/security.md).
 */
import type { Session } from 'electron';

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

/** The session calls that install permission handlers (Electron's Session; a fake in tests). */
export type PermissionSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
>;

/**
 * Denies every permission a page can ask for. Electron grants them all when no handler is
 * set (camera, microphone, geolocation, notifications, clipboard reading, HID, serial, USB,
 * openExternal, ...); DSLab's page needs none of them. The check handler answers
 * `navigator.permissions` and the checks most APIs make before they request; the device
 * handler refuses devices a page did not pick in a chooser.
 */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
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

/** What the IPC check reads of the frame that sent a message (Electron's WebFrameMain). */
export interface SenderFrame {
  /** The frame's current URL. */
  url: string;
  /** The frame's origin as Chromium serializes it: `file://` for file pages, `"null"` if opaque. */
  origin: string;
  /** True for the top frame of its page, false for any iframe (or a frame being unloaded). */
  isMainFrame: boolean;
}

/** The fields of Electron's WebFrameMain this module reads; a plain object in tests. */
export interface FrameLike {
  readonly url: string;
  readonly origin: string;
  readonly parent: unknown;
  readonly detached?: boolean;
}

/**
 * Reads what the sender check needs from `event.senderFrame`. Electron documents that
 * `senderFrame` is null once the frame navigated away or was destroyed, that a top frame's
 * `parent` is null, and that reading a disposed frame throws; all of these give null or a
 * frame that is not trusted, never an exception.
 */
export function senderFrameOf(frame: FrameLike | null | undefined): SenderFrame | null {
  if (!frame) return null;
  try {
    return {
      url: frame.url,
      origin: frame.origin,
      isMainFrame: frame.parent === null && frame.detached !== true,
    };
  } catch {
    return null;
  }
}

/**
 * The origin Chromium reports for a frame showing `appUrl`: `file://` for the packaged
 * app's file page (Electron's WebFrameMain.origin, unlike the WHATWG URL parser's "null"),
 * the URL's origin for the dev server, null when no frame can have it.
 */
export function appOrigin(appUrl: string): string | null {
  try {
    const url = new URL(appUrl);
    if (url.protocol === 'file:') return 'file://';
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}

/**
 * An IPC message is trusted only if it comes from the main frame of one of our own
 * windows, at our page's origin, showing our own page (Electron's security checklist,
 * "Validate the sender of all IPC messages"). An iframe never qualifies, even one showing
 * our page.
 */
export function isTrustedSender(
  sender: { windowId: number | null; frame: SenderFrame | null },
  ourWindowIds: readonly number[],
  appUrl: string,
): boolean {
  if (sender.windowId === null || !ourWindowIds.includes(sender.windowId)) return false;
  const frame = sender.frame;
  if (!frame?.isMainFrame) return false;
  const origin = appOrigin(appUrl);
  if (origin === null || frame.origin !== origin) return false;
  return isAllowedNavigation(frame.url, appUrl);
}
