#!/usr/bin/env node
// `npm run web -- [--port N] [--data DIR]`: builds the renderer, then serves DSLab on
// 127.0.0.1 for a browser (see src/server). Pass --no-build to reuse out/.
import { buildApp, root, runForever } from './lib.mjs';

const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
if (!noBuild) buildApp();
runForever(
  process.execPath,
  ['--import', 'tsx', 'src/server/main.ts', ...args.filter((a) => a !== '--no-build')],
  {
    cwd: root,
  },
);
