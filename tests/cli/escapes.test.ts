/**
 * Names and messages that come from a file reach the terminal with their control characters
 * escaped: a name like "x\u001b[2J\u001b]0;pwned\u0007" must not clear the screen or retitle
 * the window through `dslab library list`, `library import`, `run`, `check` or an error line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failureText } from '../../src/cli/commands/check';
import { violationLines } from '../../src/cli/format';
import type { RunResult } from '../../src/cli/run-seed';
import { printable } from '../../src/shared/printable';
import { cli, fixture } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-cli-escapes-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const EVIL = 'x\u001b[2J\u001b]0;pwned\u0007\u202e\u009b31m';
const SHOWN = 'x\\x1b[2J\\x1b]0;pwned\\x07\\u202e\\x9b31m';
/** Any control character a terminal might act on, except the newline that ends a line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

function scenario(name: string, change: (s: Record<string, unknown>) => void = () => {}): string {
  const s = JSON.parse(fs.readFileSync(fixture('ping-pong.json'), 'utf8')) as Record<string, unknown>;
  s.name = name;
  change(s);
  const file = path.join(tmp, `${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(s));
  return file;
}

describe('control characters from files', () => {
  it('printable escapes C0, DEL, C1, bidi controls and line separators, and nothing else', () => {
    expect(printable(EVIL)).toBe(SHOWN);
    expect(printable('tab\there\nnew\u2028line\u0000')).toBe('tab\\there\\nnew\\u2028line\\x00');
    expect(printable('Raft — élection 選挙 ✓')).toBe('Raft — élection 選挙 ✓');
  });

  it('library import and list print the name escaped', async () => {
    const data = path.join(tmp, 'data');
    const file = path.join(tmp, 'evil.dslab.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        format: 'dslab',
        kind: 'scenario',
        schemaVersion: 1,
        scenario: JSON.parse(fs.readFileSync(scenario(EVIL), 'utf8')),
      }),
    );
    const imported = await cli('library', 'import', file, '--data', data);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(SHOWN);
    expect(imported.stdout).not.toMatch(RAW);
    const listed = await cli('library', 'list', '--data', data);
    expect(listed.stdout).toContain(SHOWN.slice(0, 30));
    expect(listed.stdout).not.toMatch(RAW);
    // --json stays JSON: the exact name, as JSON escapes it.
    const json = await cli('library', 'list', '--json', '--search', 'pwned', '--data', data);
    expect((JSON.parse(json.stdout) as { name: string }[]).map((i) => i.name)).toEqual([EVIL]);
  });

  it('run prints the scenario name escaped', async () => {
    const r = await cli('run', scenario(EVIL), '--until-ms', '5');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`scenario    ${SHOWN} (ping-pong)\n`);
    expect(r.stdout).not.toMatch(RAW);
  });

  it('an error line quoting a value from the file is escaped (run, library import)', async () => {
    const wrapper = path.join(tmp, 'kind.dslab.json');
    fs.writeFileSync(wrapper, JSON.stringify({ format: 'dslab', kind: '\u009b2J', schemaVersion: 1 }));
    const r = await cli('run', wrapper);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`dslab: ${wrapper}: kind: expected scenario or exercise (got "\\x9b2J")\n`);
    const file = path.join(tmp, 'link.dslab.json');
    const bad = scenario('ok', (s) => {
      (s.topology as { links: unknown[] }).links.push({ id: 'l9', a: 'n1', b: 'n\u001b]0;pwned\u0007' });
    });
    fs.writeFileSync(
      file,
      JSON.stringify({
        format: 'dslab',
        kind: 'scenario',
        schemaVersion: 1,
        scenario: JSON.parse(fs.readFileSync(bad, 'utf8')),
      }),
    );
    const imported = await cli('library', 'import', file, '--data', path.join(tmp, 'data2'));
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain('names unknown node n\\x1b]0;pwned\\x07');
    expect(imported.stderr.replace(/\n$/, '')).not.toMatch(RAW);
  });

  it('violation lines (run, check) escape what a protocol reports', () => {
    const r = {
      seed: 3,
      events: 9,
      simulatedMs: 1,
      stopReason: 'violation',
      traceHash: '',
      metrics: { counters: {}, gauges: {}, series: {} },
      invariants: [],
      violation: {
        invariant: 'linearizable',
        message: `key ${EVIL} read stale`,
        atEvent: 9,
        timeMs: 1,
        node: EVIL,
      },
    } as unknown as RunResult;
    for (const text of [violationLines(r), failureText(r)]) {
      expect(text).toContain(`key ${SHOWN} read stale`);
      expect(text.replaceAll('\n', '')).not.toMatch(RAW);
    }
  });
});
