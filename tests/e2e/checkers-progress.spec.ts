// A long history check of a finished run, as a person meets it: the Checkers tab says how far
// the check got while the host works in slices, and the line goes once the verdicts arrive.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, shot, test } from './fixtures';
import { canvasNode, runButton } from './run-helpers';

test('the Checkers tab shows a long history check under way, then its verdict', async ({ page, lab }) => {
  test.setTimeout(180_000);
  // Raft with 30 requests outstanding on one key for a second: its linearizability check
  // explores many states, seconds of work done in slices (tests/server/long-calls.test.ts).
  const file = JSON.parse(fs.readFileSync('resources/library/raft-quick-start.dslab.json', 'utf8'));
  delete file.key;
  file.scenario.name = 'Raft, a long history';
  file.scenario.faults = [];
  file.scenario.workload = {
    kind: 'closed',
    concurrency: 30,
    readFraction: 0.5,
    keys: { pattern: 'k{i}', count: 1, distribution: 'uniform', zipfS: 1.1 },
  };
  file.scenario.limits = { ...file.scenario.limits, maxTimeUs: 1_000_000 };
  const where = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-checking-')), 'long.dslab.json');
  fs.writeFileSync(where, JSON.stringify(file));

  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles(where);
  await expect(page.getByTestId('doc-state')).toContainText('Raft, a long history');
  await expect(canvasNode(page, 's1')).toBeVisible();

  // Fastest speed, Play to the end of the run's second.
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  await page.keyboard.press('End');
  await runButton(page, 'Play').click();
  await expect(runButton(page, 'Play')).toHaveAttribute('aria-pressed', 'false', { timeout: 120_000 });

  await page.getByRole('tab', { name: 'Checkers' }).click();
  const line = page.getByRole('status').filter({ hasText: 'Checking the run’s history' });
  await expect(line).toContainText('linearizability', { timeout: 30_000 });
  await expect(line.getByRole('progressbar', { name: 'Checking linearizability' })).toBeVisible();
  await page.screenshot({ path: shot('checkers-progress-light.png') });
  // Once the host answers, the line goes and the check has its verdict.
  await expect(line).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByRole('list', { name: 'Checkers' })).toContainText('linearizab');
});
