// Web mode's limits as a learner meets them: a run that reaches its memory budget stops and
// says which budget and how to raise it (issue 16 item 3).
import { test as base, expect } from '@playwright/test';
import { BYTES_PER_TRACE_ROW } from '../../src/main/memory';
import { startLab } from './fixtures';
import { openOn, runButton } from './run-helpers';

const test = base;

test('a run that reaches its memory budget stops with a message saying how to raise it', async ({ page }) => {
  // A budget of 3,000 trace rows per run, so Play reaches it within a moment.
  const lab = await startLab(undefined, {
    budgets: { simBytes: 3_000 * BYTES_PER_TRACE_ROW, hostBytes: 64 * 1024 * 1024 * 1024 },
  });
  try {
    await openOn(page, lab.server.url, 'ping-pong');
    const speed = page.getByRole('banner').getByRole('slider', { name: 'Speed' });
    await speed.focus();
    await speed.press('End');
    await runButton(page, 'Play').click();
    await expect(page.getByTestId('run-state')).toHaveText('Run: stopped: memory budget', {
      timeout: 30_000,
    });
    await expect(page.getByTestId('run-state')).toHaveAttribute('title', /DSLAB_SIM_MEMORY_MB=N/);
    await expect(
      page.getByText(/This run reached its memory budget: its [\d,]+ trace rows take about/),
    ).toBeVisible();
  } finally {
    await lab.stop();
  }
});

test('a long experiment shows its trials as they go, and Cancel stops it', async ({ page }) => {
  // A trial per slice and 20 ms between slices: 500 trials take 10 s, whatever the machine.
  let now = 0;
  const lab = await startLab(undefined, {
    experimentClock: {
      nowMs: () => (now += 1000),
      yieldNow: () => new Promise((resolve) => setTimeout(resolve, 20)),
    },
  });
  try {
    await page.goto(lab.server.url);
    await expect(page.getByTestId('app-info')).toContainText('over web');
    await page.getByRole('combobox', { name: 'Topic' }).selectOption('consensus');
    await page.getByRole('combobox', { name: 'Protocol' }).selectOption('raft');
    await page.getByRole('tab', { name: 'Experiment' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Experiment' });
    await panel.getByRole('combobox', { name: 'Trials per range' }).selectOption('50');
    await panel.getByRole('button', { name: 'Run experiment' }).click();
    await expect(panel.getByRole('status')).toContainText(/\d+ of 500/);
    await panel.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByText(/The experiment was cancelled after \d+ of 500 trials/)).toBeVisible();
    await expect(panel.getByRole('button', { name: 'Run experiment' })).toBeEnabled();
    await expect(panel.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  } finally {
    await lab.stop();
  }
});
