// Helpers shared by the project's scripts (Node, no TypeScript, no dependencies).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bin = (name) =>
  path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

/** Runs a command to completion with inherited stdio; returns its exit code. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    cwd: root,
    shell: process.platform === 'win32',
    ...opts,
  });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** Starts a long-running child that shares our stdio and forwards our exit signals. */
export function runForever(cmd, args, opts = {}) {
  const child = spawn(cmd, args, {
    stdio: 'inherit',
    cwd: root,
    shell: process.platform === 'win32',
    ...opts,
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}

/** Builds main, preload and renderer into out/ (electron-vite; needs no Electron binary). */
export function buildApp() {
  const code = run(bin('electron-vite'), ['build', '--logLevel', 'warn']);
  if (code !== 0) {
    console.error('DSLab: the build failed (see above).');
    process.exit(code);
  }
}

/** The Electron binary path if this checkout has one, without triggering a download. */
export function electronBinary() {
  const pkgDir = path.join(root, 'node_modules', 'electron');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  let name = null;
  try {
    name = fs.readFileSync(path.join(pkgDir, 'path.txt'), 'utf8');
  } catch {}
  if (override) {
    const p = path.join(override, name || 'electron');
    return fs.existsSync(p) ? p : null;
  }
  if (!name) return null;
  const p = path.join(pkgDir, 'dist', name);
  return fs.existsSync(p) ? p : null;
}

/** Electron's version and module ABI from its package (no binary needed). */
export function electronInfo() {
  const pkgDir = path.join(root, 'node_modules', 'electron');
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  const abi = fs.readFileSync(path.join(pkgDir, 'abi_version'), 'utf8').trim();
  return { version, abi };
}

/** Same naming as src/main/native.ts. */
export function nativeDir(abi, platform = process.platform, arch = process.arch) {
  return path.join(root, '.native', `electron-abi${abi}-${platform}-${arch}`);
}
