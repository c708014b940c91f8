// `dslab check` finds a bug switch's violation under the consensus nemesis and prints its seed;
// that seed, opened in the workbench the way a person would (library item, bug switch, seed,
// Play), stops at the same event with the same invariant.
import { execFileSync } from 'node:child_process';
import { expect, test } from './fixtures';
import { eventIndex, runButton } from './run-helpers';

const FILE = 'resources/library/raft-nemesis.dslab.json';
const BUG = 'bugForgetVoteOnRestart'; // first found on a seed other than the default 1

/** Runs `dslab check` like a person at a terminal; returns the seed and event it reports. */
function cliCheck(): { seed: number; event: number; invariant: string } {
  let out = '';
  try {
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'check',
        FILE,
        '--seeds',
        '1..20',
        '--set',
        `params.${BUG}=true`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? '');
  }
  const m = /VIOLATION\s+seed (\d+): (\S+) broke at event ([\d,]+)/.exec(out);
  if (m === null) throw new Error(`dslab check found no violation:\n${out}`);
  return { seed: Number(m[1]), invariant: m[2]!, event: Number(m[3]!.replace(/,/g, '')) };
}

test('a seed dslab check reports replays to the same violation in the workbench', async ({ page, lab }) => {
  const found = cliCheck();

  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  const item = page.getByRole('listitem', { name: 'Raft under the consensus nemesis', exact: true });
  await item.locator('.lib-item-main').click();
  await item.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('doc-state')).toContainText('Raft under the consensus nemesis');

  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await inspector.getByRole('checkbox', { name: /votedFor is not persisted/ }).check();
  const seed = page.getByRole('banner').getByRole('spinbutton', { name: 'Seed' });
  await seed.fill(String(found.seed));
  await seed.press('Enter');
  const speed = page.getByRole('banner').getByRole('slider', { name: 'Speed' });
  await speed.focus();
  await speed.press('End');
  await runButton(page, 'Play').click();

  const alert = page.getByRole('tabpanel', { name: 'Checkers' }).getByRole('alert');
  await expect(alert).toContainText(found.invariant, { timeout: 30_000 });
  await expect(alert).toContainText(`${found.seed}`);
  expect(await eventIndex(page)).toBe(found.event);
});
