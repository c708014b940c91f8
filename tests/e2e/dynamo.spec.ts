// CAP in the app: the Dynamo quick start (AP, a partition from 1 s to 3 s) answers through the
// partition, and when the run ends the Checkers tab shows the linearizability checker broken
// while the protocol's own invariants hold.
import { expect, test } from './fixtures';
import { runButton } from './run-helpers';

test('dynamo AP under a partition: linearizability is broken at the end, the invariants hold', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic).not.toHaveValue('');
  await topic.selectOption('cap');
  const picker = page.getByRole('combobox', { name: 'Protocol' });
  await picker.selectOption('dynamo');
  await expect(picker).toHaveValue('dynamo');
  await expect(page.getByText('Dynamo, AP: a partition from 1 s to 3 s')).toBeVisible();
  await page.getByRole('slider', { name: 'Speed' }).focus();
  await page.keyboard.press('End');
  await runButton(page, 'Play').click();
  await expect(page.getByText('Run: ended')).toBeVisible({ timeout: 90_000 });
  await page.getByRole('tab', { name: 'Checkers' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Checkers' });
  const verdict = (id: string) => panel.locator('.verdict', { has: page.locator('code', { hasText: id }) });
  await expect(verdict('linearizability')).toHaveAttribute('data-state', 'lesson');
  await expect(verdict('strict-quorum')).toHaveAttribute('data-state', 'ok');
  await expect(verdict('versions-never-go-back')).toHaveAttribute('data-state', 'ok');
  await expect(verdict('hints-handed-back')).toHaveAttribute('data-state', 'ok');
});
