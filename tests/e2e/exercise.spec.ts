// An exercise in web mode, as a learner does it: open the built-in "Break reliable broadcast",
// read the instructions and goals, run it untouched and see it graded not passed, do what the
// instructions ask (more writes at once) until the checker catches the duplicate after enough
// traffic, and see it graded passed; a learner's name picks their own variant (seed and params).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { ExerciseSchema } from '../../src/shared/exercise/schema';
import { variantFor } from '../../src/shared/exercise/variant';
import { expect, shot, test } from './fixtures';

const FILE = JSON.parse(fs.readFileSync('resources/library/broadcast-break-dedupe.dslab.json', 'utf8')) as {
  exercise: unknown;
};
const EXERCISE = ExerciseSchema.parse(FILE.exercise);

async function openExercise(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  const item = page.getByRole('listitem', { name: 'Break reliable broadcast', exact: true });
  await item.locator('.lib-item-main').click();
  await item.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('doc-state')).toContainText('Break reliable broadcast');
  await expect(page.getByRole('tab', { name: 'Exercise' })).toHaveAttribute('aria-selected', 'true');
}

const exercisePanel = (page: Page) => page.getByRole('tabpanel', { name: 'Exercise' });

test('the exercise shows instructions, goals, hints and locks; a submitted run is graded goal by goal', async ({
  page,
  lab,
}) => {
  await openExercise(page, lab.server.url);
  const panel = exercisePanel(page);
  // Instructions rendered from Markdown (headings, lists, emphasis), not as raw text.
  await expect(panel.getByRole('heading', { name: 'Break reliable broadcast' })).toBeVisible();
  await expect(panel.locator('.ex-instructions ol > li')).toHaveCount(3);
  await expect(panel.locator('.ex-instructions strong').first()).toHaveText('no duplication');
  await expect(panel.getByText('# Break')).toHaveCount(0);

  const goals = panel.getByRole('list', { name: 'Goals', exact: true });
  await expect(goals.getByRole('listitem')).toHaveCount(EXERCISE.goals.length);
  await expect(goals).toContainText('A node delivers some message twice');
  // Before any run every goal says what it checks, the untitled ones too.
  for (const title of await goals.locator('.ex-goal-title').all()) await expect(title).toHaveText(/\S/);
  await expect(goals.locator('.ex-goal-title').nth(1)).toHaveText(
    'invariant no-creation holds for the whole run',
  );
  await expect(panel.getByRole('button', { name: 'Submit run' })).toBeDisabled();

  // Hints one at a time; the second waits for failed runs.
  await panel.getByRole('button', { name: /Show hint 1 of 2/ }).click();
  await expect(panel.locator('.ex-hints li')).toHaveCount(1);
  await expect(panel).toContainText('Another hint after 2 failed runs');
  // Locks are listed.
  await expect(panel).toContainText('the topology (nodes and links)');
  await expect(panel).toContainText('parameter bugNoDedupe');
  // The topology is locked, so the palette offers no parts.
  await page.getByRole('tab', { name: 'Parts' }).click();
  await expect(page.getByRole('button', { name: 'Add Switch' })).toBeDisabled();
  // ...and a node cannot be deleted from the canvas either.
  const nodes = page.locator('.react-flow__node');
  const count = await nodes.count();
  await nodes.first().click();
  await page.keyboard.press('Delete');
  await expect(nodes).toHaveCount(count);
  await page.getByRole('tab', { name: 'Library' }).click();

  // Run fast, untouched, until the checker stops the run at the duplicate.
  const speed = page.getByRole('slider', { name: 'Speed' });
  await speed.focus();
  await page.keyboard.press('End');
  const play = page.getByRole('button', { name: 'Play', exact: true });
  await play.click();
  await expect(page.getByTestId('run-state')).toContainText('no-duplication broken', { timeout: 30_000 });

  // The checkers tab opened on the violation; back to the exercise: the live status agrees.
  // The duplicate came with the first write, too early for the traffic goal.
  await page.getByRole('tab', { name: 'Exercise' }).click();
  await expect(goals.locator('.ex-goal').first()).toHaveClass(/is-pass/);
  await expect(goals.locator('.ex-goal').nth(2)).toHaveClass(/is-open/);
  await panel.getByRole('button', { name: 'Submit run' }).click();
  const result = panel.getByRole('status', { name: 'Grade' });
  await expect(result).toContainText('Not passed yet.');
  const graded = result.getByRole('list', { name: 'Graded goals' }).getByRole('listitem');
  await expect(graded.nth(2)).toHaveClass(/is-fail/);
  await expect(graded.nth(2)).toContainText('needed at least 8');

  // The intended solution: many writes under way at once (the workload's rate, in the
  // inspector), so 8 messages are delivered before the first relayed copy lands.
  await page.locator('.react-flow__pane').click({ position: { x: 12, y: 12 } }); // the scenario's forms
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const rate = inspector.getByRole('textbox', { name: 'Rate (ops/s)' });
  await rate.fill('2000');
  await rate.press('Tab');
  await expect(rate).toHaveValue('2000');
  await play.click();
  await expect(page.getByTestId('run-state')).toContainText('no-duplication broken', { timeout: 30_000 });
  await page.getByRole('tab', { name: 'Exercise' }).click();
  await expect(goals.locator('.ex-goal.is-pass')).toHaveCount(EXERCISE.goals.length);
  // Out of the picture: the toasts still up (some leave on their own meanwhile).
  for (const close of await page.getByRole('button', { name: 'Dismiss' }).all())
    await close.click({ timeout: 1000 }).catch(() => undefined);
  await page.screenshot({ path: shot('library-exercise.png') });

  // Submit: the host grades the run, and every goal of the built-in is met.
  await panel.getByRole('button', { name: 'Submit run' }).click();
  await expect(result).toContainText('Passed: every goal is met.');
  await expect(graded).toHaveCount(EXERCISE.goals.length);
  await expect(graded.nth(0)).toHaveClass(/is-pass/);
  await expect(graded.nth(0)).toContainText('no-duplication broke at event');
  await expect(graded.nth(2)).toHaveClass(/is-pass/);
  const history = panel.getByRole('list', { name: 'Run history' });
  await expect(history.getByRole('listitem')).toHaveCount(2);
  await expect(history.locator('.ex-run.is-pass')).toHaveCount(1);
  await expect(history.locator('.ex-run.is-pass')).toContainText('passed · seed 7');
  await panel.evaluate((el) => {
    const grade = el.querySelector('.ex-result');
    if (grade) el.scrollTop += grade.getBoundingClientRect().top - el.getBoundingClientRect().top - 8;
  });
  await page.screenshot({ path: shot('library-exercise-graded.png') });
});

test('a run that misses a goal is graded not passed, and failed runs unlock the next hint', async ({
  page,
  lab,
}) => {
  // A teacher's harder copy of the exercise: far more traffic than one run has before the checker fires.
  const file = structuredClone(FILE) as {
    key?: string;
    exercise: { title: string; goals: { id: string; value?: number }[] };
  };
  delete file.key;
  file.exercise.title = 'Break broadcast, hard';
  for (const g of file.exercise.goals) if (g.id === 'traffic') g.value = 1000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-ex-'));
  const filePath = path.join(dir, 'hard.dslab.json');
  fs.writeFileSync(filePath, JSON.stringify(file));

  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles(filePath);
  await expect(page.getByTestId('doc-state')).toContainText('Break broadcast, hard');
  const panel = exercisePanel(page);

  await page.getByRole('slider', { name: 'Speed' }).focus();
  await page.keyboard.press('End');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect(page.getByTestId('run-state')).toContainText('no-duplication broken', { timeout: 30_000 });
  await page.getByRole('tab', { name: 'Exercise' }).click();
  await panel.getByRole('button', { name: 'Submit run' }).click();
  const result = panel.getByRole('status', { name: 'Grade' });
  await expect(result).toContainText('Not passed yet.');
  const graded = result.getByRole('list', { name: 'Graded goals' }).getByRole('listitem');
  await expect(graded.nth(2)).toHaveClass(/is-fail/);
  await expect(graded.nth(2)).toContainText('needed at least 1000');
  const history = panel.getByRole('list', { name: 'Run history' });
  await expect(history).toContainText('not passed · seed 7');
  // A second failed run unlocks the second hint.
  await panel.getByRole('button', { name: 'Submit run' }).click();
  await expect(history.getByRole('listitem')).toHaveCount(2);
  await panel.getByRole('button', { name: /Show hint 1 of 2/ }).click();
  await panel.getByRole('button', { name: /Show hint 2 of 2/ }).click();
  await expect(panel.locator('.ex-hints li')).toHaveCount(2);
});

test("a teacher's shorter copy, imported from a file, is graded passed", async ({ page, lab }) => {
  // A teacher's copy of the exercise without the traffic goal, imported from a file.
  const file = structuredClone(FILE) as {
    key?: string;
    exercise: { title: string; goals: { id: string }[] };
  };
  delete file.key;
  file.exercise.title = 'Break broadcast, short';
  file.exercise.goals = file.exercise.goals.filter((g) => g.id !== 'traffic');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-ex-'));
  const filePath = path.join(dir, 'short.dslab.json');
  fs.writeFileSync(filePath, JSON.stringify(file));

  await page.goto(lab.server.url);
  await expect(page.getByTestId('app-info')).toContainText('over web');
  await page.getByRole('tab', { name: 'Library' }).click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles(filePath);
  await expect(page.getByTestId('doc-state')).toContainText('Break broadcast, short');
  const panel = exercisePanel(page);
  await expect(panel.getByRole('list', { name: 'Goals' }).getByRole('listitem')).toHaveCount(3);

  await page.getByRole('slider', { name: 'Speed' }).focus();
  await page.keyboard.press('End');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect(page.getByTestId('run-state')).toContainText('no-duplication broken', { timeout: 30_000 });
  await page.getByRole('tab', { name: 'Exercise' }).click();
  // Live status: every goal met before submitting.
  await expect(panel.locator('.ex-goal.is-pass')).toHaveCount(3);
  await panel.getByRole('button', { name: 'Submit run' }).click();
  const result = panel.getByRole('status', { name: 'Grade' });
  await expect(result).toContainText('Passed: every goal is met.');
  await expect(panel.getByRole('list', { name: 'Run history' })).toContainText('passed · seed 7');
});

test("a learner's name picks their variant: another seed and their params", async ({ page, lab }) => {
  await openExercise(page, lab.server.url);
  const seed = page.getByRole('spinbutton', { name: 'Seed' });
  await expect(seed).toHaveValue(String(EXERCISE.scenario.seed));

  const ada = variantFor(EXERCISE, 'Ada Lovelace');
  const grace = variantFor(EXERCISE, 'Grace Hopper');
  expect(ada.seed).not.toBe(grace.seed);

  const name = exercisePanel(page).getByRole('textbox', { name: 'Your name' });
  await name.fill('Ada Lovelace');
  await name.press('Enter');
  await expect(seed).toHaveValue(String(ada.seed));
  await expect(exercisePanel(page)).toContainText(
    `Your variant: seed ${ada.seed}, payloadBytes ${ada.params.payloadBytes}`,
  );

  await name.fill('Grace Hopper');
  await name.press('Enter');
  await expect(seed).toHaveValue(String(grace.seed));
  // The variant is the exercise as handed out, not an edit.
  await expect(page.getByTestId('doc-state')).not.toContainText('unsaved');

  // The name is remembered for the next session.
  await page.reload();
  await expect(page.getByTestId('doc-state')).toContainText('Break reliable broadcast');
  await expect(exercisePanel(page).getByRole('textbox', { name: 'Your name' })).toHaveValue('Grace Hopper');
  await expect(seed).toHaveValue(String(grace.seed));
});
