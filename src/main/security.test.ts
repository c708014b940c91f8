import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  isAllowedNavigation,
  isExternalLinkAllowed,
  isTrustedSender,
  secureWebPreferences,
} from './security';

// Electron security checklist: https://www.electronjs.org/docs/latest/tutorial/security
describe('the window is created with the secure webPreferences', () => {
  const prefs = secureWebPreferences('/app/out/preload/index.cjs');
  it('isolates the page from Node and sandboxes it', () => {
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
  it('loads a CommonJS preload (required by sandbox: true)', () => {
    expect(prefs.preload).toMatch(/\.cjs$/);
  });
  it('is the only source of webPreferences in main', () => {
    const src = fs.readFileSync(path.join(__dirname, 'index.ts'), 'utf8');
    expect(src).toMatch(/webPreferences: secureWebPreferences\(/);
    expect(src.match(/webPreferences/g)).toHaveLength(1);
    expect(src).not.toMatch(/sandbox:\s*false|contextIsolation:\s*false|nodeIntegration:\s*true/);
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
    // frame-ancestors is ignored in a meta tag, so the header carries it alone.
    const fromHeader = CONTENT_SECURITY_POLICY.split('; ').filter((d) => !d.startsWith('frame-ancestors'));
    expect(meta?.[1]?.split('; ')).toEqual(fromHeader);
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
  it('trusts our own window showing our page', () => {
    expect(isTrustedSender({ windowId: 1, frameUrl: app }, [1], app)).toBe(true);
  });
  it('refuses other windows, no window, and other pages', () => {
    expect(isTrustedSender({ windowId: 2, frameUrl: app }, [1], app)).toBe(false);
    expect(isTrustedSender({ windowId: null, frameUrl: app }, [1], app)).toBe(false);
    expect(isTrustedSender({ windowId: 1, frameUrl: 'https://evil.example/' }, [1], app)).toBe(false);
    expect(isTrustedSender({ windowId: 1, frameUrl: null }, [1], app)).toBe(false);
  });
});
