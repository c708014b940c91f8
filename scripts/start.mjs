#!/usr/bin/env node
// `npm start`: the Electron app where an Electron binary can be had; otherwise one clear
// line saying why, and web mode instead (same renderer, same API, in a browser).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildApp, electronBinary, electronInfo, nativeDir, root, run, runForever } from './lib.mjs';

const passthrough = process.argv.slice(2);

function fallBackToWeb(reason) {
  console.log(`DSLab: ${reason}; starting web mode instead (open the URL below in a browser).`);
  buildApp();
  runForever(process.execPath, ['--import', 'tsx', 'src/server/main.ts', ...passthrough]);
}

function obtainElectron() {
  let binary = electronBinary();
  if (binary) return { binary };
  const { version } = electronInfo();
  // Electron 45's package downloads its binary on first use; try once, quietly.
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron', 'install.js')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  binary = electronBinary();
  if (binary) return { binary };
  const detail = `${r.stderr ?? ''}\n${r.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('at ') && !l.startsWith('Downloading'));
  return {
    reason: `no Electron ${version} binary could be had here (${detail ?? (r.error ? r.error.message : 'download failed')})`,
  };
}

if (process.env.DSLAB_WEB === '1') {
  fallBackToWeb('DSLAB_WEB=1 is set');
} else {
  const got = obtainElectron();
  if (!got.binary) {
    fallBackToWeb(got.reason);
  } else {
    const { abi } = electronInfo();
    const native = path.join(nativeDir(abi), 'better_sqlite3.node');
    if (
      !fs.existsSync(native) &&
      run(process.execPath, [path.join(root, 'scripts', 'electron-native.mjs'), '--build']) !== 0
    ) {
      fallBackToWeb('the SQLite module could not be built for Electron');
    } else {
      buildApp();
      const env = { ...process.env };
      delete env.ELECTRON_RUN_AS_NODE;
      runForever(got.binary, ['.', ...passthrough], { env });
    }
  }
}
