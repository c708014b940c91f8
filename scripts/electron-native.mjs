#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into .native/, apart from the Node build in
// node_modules, so tests/CLI/web mode (Node) and the app (Electron) both work from one
// checkout in any order. See docs/native-modules.md.
//   --build   make it if missing (prebuilt download first, else compile with node-gyp)
//   --force   rebuild even if present
//   --check   exit 0 if present, 1 if not
import fs from 'node:fs';
import path from 'node:path';
import { bin, electronInfo, nativeDir, root, run } from './lib.mjs';

const args = new Set(process.argv.slice(2));
const { version, abi } = electronInfo();
const outDir = nativeDir(abi);
const target = path.join(outDir, 'better_sqlite3.node');

if (args.has('--check')) {
  console.log(fs.existsSync(target) ? `present: ${target}` : `missing: ${target}`);
  process.exit(fs.existsSync(target) ? 0 : 1);
}
if (fs.existsSync(target) && !args.has('--force')) {
  console.log(
    `DSLab: better-sqlite3 for Electron ${version} (ABI ${abi}) is ready at ${path.relative(root, target)}`,
  );
  process.exit(0);
}

const source = path.join(root, 'node_modules', 'better-sqlite3');
const stage = path.join(root, '.native', `stage-abi${abi}`);
fs.rmSync(stage, { recursive: true, force: true });
fs.cpSync(source, stage, { recursive: true, filter: (src) => !src.startsWith(path.join(source, 'build')) });
console.log(
  `DSLab: building better-sqlite3 for Electron ${version} (ABI ${abi}) in ${path.relative(root, stage)}`,
);

const built = path.join(stage, 'build', 'Release', 'better_sqlite3.node');
const common = {
  cwd: stage,
  env: { ...process.env, npm_config_runtime: 'electron', npm_config_target: version },
};
let ok =
  run(
    bin('prebuild-install'),
    ['--runtime', 'electron', '--target', version, '--arch', process.arch, '--platform', process.platform],
    common,
  ) === 0 && fs.existsSync(built);
if (!ok) {
  console.log(
    'DSLab: no prebuilt binary; compiling with node-gyp (needs Electron headers from the network).',
  );
  ok =
    run(
      bin('node-gyp'),
      [
        'rebuild',
        '--release',
        '--runtime=electron',
        `--target=${version}`,
        '--dist-url=https://electronjs.org/headers',
      ],
      common,
    ) === 0 && fs.existsSync(built);
}
if (!ok) {
  fs.rmSync(stage, { recursive: true, force: true });
  console.error(
    `DSLab: could not build better-sqlite3 for Electron ${version}; the app needs it (web mode and tests do not).`,
  );
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });
fs.copyFileSync(built, target);
fs.rmSync(stage, { recursive: true, force: true });
console.log(`DSLab: better-sqlite3 for Electron is at ${path.relative(root, target)}`);
