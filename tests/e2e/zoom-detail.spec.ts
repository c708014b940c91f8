// A node's detail by zoom (web mode): zoomed out far, a badge is a bar in its tone without
// its text (under 5 px high there; docs/workbench.md "On the canvas"); zooming in brings the
// text back.
import { expect, test } from './fixtures';
import { canvasNode, openOn, stepTimes } from './run-helpers';

test('zoomed out far a badge shows only its tone, and its text again after zooming in', async ({
  page,
  lab,
}) => {
  await openOn(page, lab.server.url, 'ping-pong');
  await stepTimes(page, 3);
  const badge = canvasNode(page, 'n2').locator('.node-badge');
  await expect(badge).toHaveText(/rounds/);
  const tone = await badge.getAttribute('data-tone-run');

  // Five steps of the zoom control take the fitted view (at most 1.1) below 0.45.
  const zoomOut = page.getByRole('button', { name: 'Zoom Out' });
  for (let i = 0; i < 5; i++) await zoomOut.click();
  await expect(badge).toHaveText('');
  await expect(badge).toHaveAttribute('data-tone-run', tone!);
  await expect(badge).toBeVisible();
  await page.screenshot({ path: '/tmp/zoom-detail-far.png' });

  await page.getByRole('button', { name: 'Fit View' }).click();
  await expect(badge).toHaveText(/rounds/);
});
