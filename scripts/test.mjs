#!/usr/bin/env node
// `npm test`: every suite that can run on this machine, in order, then one summary line
// `N passed, N failed, N skipped` summed over all of them. Exit code 1 if anything failed.
//   lint (biome) and typecheck count as one check each; vitest and Playwright count tests.
//   --only unit,e2e,...   run a subset (lint, typecheck, unit, e2e)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, run } from './lib.mjs';

const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg ? new Set(onlyArg.split(',')) : null;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
const skippedReasons = [];

function section(name) {
  console.log(`\n━━ ${name} ━━`);
}

function check(name, cmd, args, group = name) {
  if (only && !only.has(group)) return;
  section(name);
  const ok = run(cmd, args) === 0;
  totals[ok ? 'passed' : 'failed'] += 1;
  lines.push(`${name}: ${ok ? 'ok' : 'FAILED'}`);
}

function unit() {
  if (only && !only.has('unit')) return;
  section('unit (vitest)');
  const out = path.join(tmp, 'vitest.json');
  const code = run(bin('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  let r = null;
  try {
    r = JSON.parse(fs.readFileSync(out, 'utf8'));
  } catch {}
  if (!r) {
    totals.failed += 1;
    lines.push(`unit: FAILED to run (exit ${code})`);
    return;
  }
  const failed = r.numFailedTests + (code !== 0 && r.numFailedTests === 0 ? 1 : 0);
  totals.passed += r.numPassedTests;
  totals.failed += failed;
  totals.skipped += r.numPendingTests + r.numTodoTests;
  lines.push(
    `unit: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
  );
}

function e2e() {
  if (only && !only.has('e2e')) return;
  section('e2e (Playwright: web mode in Chromium; Electron where a binary exists)');
  const out = path.join(tmp, 'playwright.json');
  const code = run(bin('playwright'), ['test', '--reporter=list,json'], {
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out },
  });
  let r = null;
  try {
    r = JSON.parse(fs.readFileSync(out, 'utf8'));
  } catch {}
  if (!r) {
    totals.failed += 1;
    lines.push(`e2e: FAILED to run (exit ${code})`);
    return;
  }
  const s = r.stats;
  const passed = s.expected + s.flaky;
  const failed = s.unexpected + (code !== 0 && s.unexpected === 0 ? 1 : 0);
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += s.skipped;
  lines.push(`e2e: ${passed} passed, ${failed} failed, ${s.skipped} skipped`);
  const walk = (suite) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? [])
        if (t.status === 'skipped')
          for (const a of t.annotations ?? [])
            if (a.type === 'skip') skippedReasons.push(`${spec.title}: ${a.description}`);
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of r.suites ?? []) walk(suite);
}

check('lint', bin('biome'), ['check', '.']);
// Three programs: node-side code, the renderer (DOM, preload types only), the e2e suites.
for (const project of ['tsconfig.node.json', 'tsconfig.web.json', 'tsconfig.e2e.json']) {
  check(`typecheck ${project}`, bin('tsc'), ['-p', project, '--noEmit'], 'typecheck');
}
unit();
e2e();

console.log('\n━━ summary ━━');
for (const l of lines) console.log(l);
for (const r of skippedReasons) console.log(`skipped: ${r}`);
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
