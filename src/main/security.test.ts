import fs from 'node:fs';
import path from 'node:path';
import type { WebContents } from 'electron';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  denyAllPermissions,
  isAllowedNavigation,
  isExternalLinkAllowed,
  isTrustedSender,
  type PermissionSession,
  senderFrameOf,
} from './security';

// Electron security checklist: https://www.electronjs.org/docs/latest/tutorial/security
// The window's options are written out where it is made (so scanners read them); this reads
// them back from the source with TypeScript's parser, the way a scanner does.
const mainSources = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => path.join(__dirname, f));

/** Every `new BrowserWindow(...)` in src/main, with its file. */
function windowsMade(): { file: string; sf: ts.SourceFile; node: ts.NewExpression }[] {
  const found: { file: string; sf: ts.SourceFile; node: ts.NewExpression }[] = [];
  for (const file of mainSources) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isNewExpression(node) && node.expression.getText(sf) === 'BrowserWindow')
        found.push({ file, sf, node });
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

/** The webPreferences object literal: literal values as values, anything else as its source text. */
function literalWebPreferences(sf: ts.SourceFile, node: ts.NewExpression): Record<string, unknown> {
  const options = node.arguments?.[0];
  if (!options || !ts.isObjectLiteralExpression(options))
    throw new Error('BrowserWindow options are not a literal');
  const prefs = options.properties.find((p) => p.name?.getText(sf) === 'webPreferences');
  if (!prefs || !ts.isPropertyAssignment(prefs) || !ts.isObjectLiteralExpression(prefs.initializer)) {
    throw new Error('webPreferences is not an object literal');
  }
  const out: Record<string, unknown> = {};
  for (const p of prefs.initializer.properties) {
    if (!ts.isPropertyAssignment(p)) throw new Error(`webPreferences has a ${ts.SyntaxKind[p.kind]}`);
    const v = p.initializer;
    out[p.name.getText(sf)] =
      v.kind === ts.SyntaxKind.TrueKeyword
        ? true
        : v.kind === ts.SyntaxKind.FalseKeyword
          ? false
          : ts.isStringLiteral(v)
            ? v.text
            : `<${v.getText(sf)}>`;
  }
  return out;
}

/** The one window src/main makes: its webPreferences, read from the source. */
function windowPreferences(): Record<string, unknown> {
  const made = windowsMade();
  if (made.length !== 1 || !made[0]) throw new Error(`expected one new BrowserWindow, found ${made.length}`);
  return literalWebPreferences(made[0].sf, made[0].node);
}

describe('the window is created with the secure webPreferences', () => {
  it('is made in one place, with its webPreferences written out literally', () => {
    expect(windowsMade().map((m) => path.basename(m.file))).toEqual(['index.ts']);
    expect(() => windowPreferences()).not.toThrow();
  });
  it('isolates the page from Node and sandboxes it', () => {
    const prefs = windowPreferences();
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    // Every value but the preload path is a literal a scanner can read.
    const computed = Object.entries(prefs).filter(([, v]) => typeof v === 'string' && v.startsWith('<'));
    expect(computed.map(([k]) => k)).toEqual(['preload']);
  });
  it('loads a CommonJS preload (required by sandbox: true)', () => {
    expect(windowPreferences().preload).toMatch(/\.cjs'\)>$/);
  });
});

describe('the Content-Security-Policy', () => {
  it('allows scripts only from the app itself', () => {
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/object-src 'none'/);
  });
  it('is also the meta tag of index.html', () => {
    const html = fs.readFileSync(path.join(__dirname, '../renderer/index.html'), 'utf8');
    const meta = html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/);
    expect(meta?.[1]).toBeDefined();
    // Word for word, frame-ancestors included: browsers ignore it in a meta tag (the header
    // of web mode is what protects), but one policy in two places is easier to keep right.
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('navigation and new windows', () => {
  const app = 'file:///opt/dslab/out/renderer/index.html';
  it('allows only a reload of our own page', () => {
    expect(isAllowedNavigation(app, app)).toBe(true);
    expect(isAllowedNavigation('file:///etc/passwd', app)).toBe(false);
    expect(isAllowedNavigation('https://example.com/', app)).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)', app)).toBe(false);
    expect(isAllowedNavigation('not a url', app)).toBe(false);
  });
  it('in dev, allows the dev server origin only', () => {
    const dev = 'http://localhost:5173/';
    expect(isAllowedNavigation('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/', dev)).toBe(false);
  });
  it('sends only https links to the browser', () => {
    expect(isExternalLinkAllowed('https://raft.github.io/')).toBe(true);
    expect(isExternalLinkAllowed('http://raft.github.io/')).toBe(false);
    expect(isExternalLinkAllowed('file:///etc/passwd')).toBe(false);
    expect(isExternalLinkAllowed('smb://host/share')).toBe(false);
  });
});

describe('the IPC sender check', () => {
  const app = 'file:///opt/dslab/out/renderer/index.html';
  const top = { url: app, origin: 'file://', isMainFrame: true };
  it('trusts the main frame of our own window showing our page', () => {
    expect(isTrustedSender({ windowId: 1, frame: top }, [1], app)).toBe(true);
  });
  it('refuses other windows, no window, other pages and a gone frame', () => {
    expect(isTrustedSender({ windowId: 2, frame: top }, [1], app)).toBe(false);
    expect(isTrustedSender({ windowId: null, frame: top }, [1], app)).toBe(false);
    expect(isTrustedSender({ windowId: 1, frame: { ...top, url: 'https://evil.example/' } }, [1], app)).toBe(
      false,
    );
    expect(isTrustedSender({ windowId: 1, frame: null }, [1], app)).toBe(false);
  });
  it('refuses an iframe, even one showing our own page', () => {
    expect(isTrustedSender({ windowId: 1, frame: { ...top, isMainFrame: false } }, [1], app)).toBe(false);
  });
  it('refuses our page at another origin (an opaque, sandboxed one)', () => {
    expect(isTrustedSender({ windowId: 1, frame: { ...top, origin: 'null' } }, [1], app)).toBe(false);
    expect(
      isTrustedSender({ windowId: 1, frame: { ...top, origin: 'https://evil.example' } }, [1], app),
    ).toBe(false);
  });
  it('in dev, trusts the dev server origin only', () => {
    const dev = 'http://localhost:5173/';
    const frame = { url: 'http://localhost:5173/', origin: 'http://localhost:5173', isMainFrame: true };
    expect(isTrustedSender({ windowId: 1, frame }, [1], dev)).toBe(true);
    expect(
      isTrustedSender({ windowId: 1, frame: { ...frame, origin: 'http://localhost:5174' } }, [1], dev),
    ).toBe(false);
  });
});

describe('reading the sender frame from Electron', () => {
  const app = 'file:///opt/dslab/out/renderer/index.html';
  const mainFrame = { url: app, origin: 'file://', parent: null, detached: false };
  it('a top frame is the main frame', () => {
    expect(senderFrameOf(mainFrame)).toEqual({ url: app, origin: 'file://', isMainFrame: true });
  });
  it('a frame with a parent, or detached while unloading, is not', () => {
    expect(senderFrameOf({ ...mainFrame, parent: mainFrame })?.isMainFrame).toBe(false);
    expect(senderFrameOf({ ...mainFrame, detached: true })?.isMainFrame).toBe(false);
  });
  it('a frame that navigated away (null) or was disposed (throws on read) is no sender', () => {
    expect(senderFrameOf(null)).toBeNull();
    const disposed = {
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
      origin: 'file://',
      parent: null,
    };
    expect(senderFrameOf(disposed)).toBeNull();
  });
  it('an iframe showing our page is refused end to end', () => {
    const iframe = senderFrameOf({ ...mainFrame, parent: mainFrame });
    expect(isTrustedSender({ windowId: 1, frame: iframe }, [1], app)).toBe(false);
  });
});

describe('permissions', () => {
  type RequestHandler = NonNullable<Parameters<PermissionSession['setPermissionRequestHandler']>[0]>;
  type CheckHandler = NonNullable<Parameters<PermissionSession['setPermissionCheckHandler']>[0]>;
  type DeviceHandler = NonNullable<Parameters<PermissionSession['setDevicePermissionHandler']>[0]>;
  function installed() {
    const got: { request?: RequestHandler; check?: CheckHandler; device?: DeviceHandler } = {};
    const fake: PermissionSession = {
      setPermissionRequestHandler: (h) => {
        got.request = h ?? undefined;
      },
      setPermissionCheckHandler: (h) => {
        got.check = h ?? undefined;
      },
      setDevicePermissionHandler: (h) => {
        got.device = h ?? undefined;
      },
    };
    denyAllPermissions(fake);
    return got;
  }
  // A sample across Electron 45's list: devices, media, clipboard, notifications, the OS.
  const asked = [
    'media',
    'display-capture',
    'geolocation',
    'notifications',
    'clipboard-read',
    'clipboard-sanitized-write',
    'hid',
    'serial',
    'usb',
    'fileSystem',
    'fullscreen',
    'pointerLock',
    'openExternal',
    'unknown',
  ] as const;
  const page = {} as WebContents;
  it('installs a request, a check and a device handler', () => {
    const got = installed();
    expect(got.request).toBeTypeOf('function');
    expect(got.check).toBeTypeOf('function');
    expect(got.device).toBeTypeOf('function');
  });
  it('refuses every permission a page requests, answering each request once', () => {
    const { request } = installed();
    for (const permission of asked) {
      const answers: boolean[] = [];
      request?.(page, permission, (granted) => answers.push(granted), {
        isMainFrame: true,
        requestingUrl: 'file:///opt/dslab/out/renderer/index.html',
      });
      expect(answers, permission).toEqual([false]);
    }
  });
  it('answers every permission check with no, from any origin', () => {
    const { check } = installed();
    for (const permission of asked) {
      const details = { isMainFrame: true, requestingUrl: 'file:///opt/dslab/out/renderer/index.html' };
      expect(check?.(page, permission, 'file://', details), permission).toBe(false);
      expect(check?.(null, permission, 'https://evil.example', details), permission).toBe(false);
    }
  });
  it('refuses every device', () => {
    const { device } = installed();
    for (const deviceType of ['hid', 'serial', 'usb'] as const) {
      expect(device?.({ deviceType, origin: 'file://', device: {} as never })).toBe(false);
    }
  });
});
