/**
 * DSLab browser benchmark: `npx tsx bench/browser.ts` (add `--json` for JSON), or
 * `npm run bench -- --browser` to run it after the kernel benchmark. Starts a web-mode server
 * in this process (tests/e2e/fixtures.ts startLab, with a throw-away data folder), drives the
 * built renderer (out/renderer: run `npx electron-vite build` first) in headless Chromium and
 * measures, in the page, in this one run:
 *   (1) frames per second while panning a 500-node, 1,000-link topology (target >= 50);
 *   (2) frames per second while about 300 messages are animated (target >= 50), with the
 *       kernel's in-flight count and the number of dots drawn;
 *   (3) time from clicking Open in the library until a 1,000-node scenario's nodes are all on
 *       the canvas (target <= 1 s);
 *   (4) frames per second while scrolling the event log of a run at event 1,000,000 (no
 *       target; the log holds a capped window of the trace, reported alongside).
 * Frames are requestAnimationFrame callbacks counted in the page. Targets are reported as
 * met or missed, never asserted. docs/benchmarks.md says what each figure means.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CDPSession, chromium, type Page } from '@playwright/test';
import { chromiumPath } from '../playwright.config';
import { startLab } from '../tests/e2e/fixtures';

// The functions passed to page.evaluate run in Chromium. This file is compiled with Node's
// types only (tsconfig.node.json), so the few page globals they use are declared here, as
// narrowly as they are used; module-scoped, so nothing leaks into the rest of the project.
interface PageEl {
  scrollTop: number;
  textContent: string | null;
  classList: { contains(c: string): boolean };
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
}
declare const window: unknown;
declare const document: {
  querySelector(sel: string): PageEl | null;
  querySelectorAll(sel: string): { length: number; [i: number]: PageEl };
  elementFromPoint(x: number, y: number): PageEl | null;
  addEventListener(type: string, fn: () => void, opts?: { capture?: boolean; once?: boolean }): void;
};
declare const location: { search: string; host: string };
declare function requestAnimationFrame(fn: (t: number) => void): number;
declare function getComputedStyle(el: PageEl): { visibility: string; transform: string };
declare class DOMMatrix {
  constructor(transform: string);
  e: number;
  f: number;
}
type HTMLElement = PageEl;

/** Figures of one run (fps are requestAnimationFrame callbacks per second of page time). */
export interface BrowserFigures {
  chromium: string;
  conditions: string;
  pan500: FrameStats & {
    nodes: number;
    links: number;
    nodesInDom: number;
    viewportMovedPx: number;
    /** Links the link canvas drew (its `data-links`); null with builds that draw every link in SVG. */
    linksOnCanvas: number | null;
  };
  flights: FrameStats & {
    nodes: number;
    kernelInFlightMin: number;
    kernelInFlightMedian: number;
    kernelInFlightSamples: number;
    dotsDrawnMin: number;
    dotsDrawnMedian: number;
    speedX: number;
  };
  open1000: { nodes: number; links: number; msRuns: number[]; msMedian: number };
  eventLog: FrameStats & {
    atEvent: number;
    logRows: number;
    logFirstEvent: number;
    rowsInDom: number;
    scrolledPx: number;
  };
  targets: {
    pan500AtLeast50fps: boolean;
    flights300AtLeast50fps: boolean;
    open1000Within1s: boolean;
  };
  wallS: number;
}

interface FrameStats {
  /** Frames per second over the measured interval. */
  fps: number;
  /** Frames counted. */
  frames: number;
  /** Measured interval, ms. */
  ms: number;
  /** 95th percentile and longest frame interval, ms. */
  p95FrameMs: number;
  maxFrameMs: number;
  /**
   * CPU time over the interval (Chromium's Performance.getMetrics): the page's main thread
   * (ThreadTime) and the whole renderer process, raster threads included (ProcessTime), in ms,
   * and the main thread's per frame. CPU time, unlike fps, hardly depends on what else the
   * machine runs: the figure to compare between builds on a busy machine.
   */
  mainCpuMs: number;
  rendererCpuMs: number;
  mainCpuMsPerFrame: number;
}

const VIEWPORT = { width: 1440, height: 900 };
const MEASURE_MS = 3000;

/**
 * A valid ping-pong scenario: `nodes` nodes on a grid (ids n0001.. in row-major order, so
 * each node's ring partner is mostly its right-hand neighbour) and exactly `links` links:
 * the grid's horizontal and vertical links, then diagonals until the count is reached.
 * Retries off (retryUs 0): every queued event is a message in flight.
 */
export function gridScenario(name: string, nodes: number, links: number): string {
  const cols = Math.ceil(Math.sqrt(nodes * 1.25));
  const idOf = (i: number) => `n${String(i + 1).padStart(4, '0')}`;
  const ns = Array.from({ length: nodes }, (_, i) => ({
    id: idOf(i),
    name: idOf(i),
    role: 'node',
    x: (i % cols) * 160,
    y: Math.floor(i / cols) * 120,
  }));
  const ls: { id: string; a: string; b: string }[] = [];
  const add = (a: number, b: number) => {
    if (ls.length < links && b < nodes) ls.push({ id: `${idOf(a)}-${idOf(b)}`, a: idOf(a), b: idOf(b) });
  };
  for (let i = 0; i < nodes; i++) {
    if ((i + 1) % cols !== 0) add(i, i + 1);
    add(i, i + cols);
  }
  for (let i = 0; i < nodes && ls.length < links; i++) if ((i + 1) % cols !== 0) add(i, i + cols + 1);
  if (ls.length !== links) throw new Error(`grid of ${nodes} nodes gave ${ls.length} links, not ${links}`);
  return JSON.stringify({
    format: 'dslab',
    kind: 'scenario',
    schemaVersion: 1,
    description: `Benchmark: ${nodes} ping-pong nodes on a grid, ${links} links.`,
    tags: ['benchmark'],
    scenario: {
      schemaVersion: 1,
      name,
      topic: 'basics',
      protocol: 'ping-pong',
      params: { retryUs: 0, bugWrongSeq: false },
      topology: { nodes: ns, links: ls },
      workload: { kind: 'none' },
      seed: 1,
      limits: { maxTimeUs: 3_600_000_000, maxEvents: 100_000_000 },
    },
  });
}

// ---- profiling (BENCH_PROFILE=1: where the measured spans' time goes, printed to stderr) ----

const PROFILE = Boolean(process.env.BENCH_PROFILE);
/** BENCH_SHOTS=<folder>: PNG screenshots of the 500-node page before (1) and during (2). */
const SHOTS = process.env.BENCH_SHOTS;

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name) });
}
const traceEvents: { name: string; ph: string; dur?: number; tid: number; pid: number }[] = [];

const onTraceData = (e: { value: unknown[] }) => traceEvents.push(...(e.value as typeof traceEvents));

async function startProfile(session: CDPSession): Promise<void> {
  traceEvents.length = 0;
  session.on('Tracing.dataCollected', onTraceData);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 250 });
  await session.send('Tracing.start', {
    categories: 'devtools.timeline,blink,cc,disabled-by-default-devtools.timeline',
    transferMode: 'ReportEvents',
  });
  await session.send('Profiler.start');
}

async function stopProfile(session: CDPSession): Promise<void> {
  const { profile } = await session.send('Profiler.stop');
  const done = new Promise<void>((r) => session.once('Tracing.tracingComplete', () => r()));
  await session.send('Tracing.end');
  await done;
  // JS self time per function (sample counts × interval).
  const self = new Map<string, number>();
  const dt = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples?.length ?? 1);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const id of profile.samples ?? []) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
  process.stderr.write('  JS self time (ms):\n');
  for (const [k, v] of top) process.stderr.write(`    ${v.toFixed(0).padStart(6)}  ${k}\n`);
  // Trace events: total duration per name (complete events), all threads of the renderer.
  const tot = new Map<string, number>();
  for (const e of traceEvents)
    if (e.ph === 'X' && e.dur) tot.set(e.name, (tot.get(e.name) ?? 0) + e.dur / 1000);
  process.stderr.write('  trace events (ms, summed, nested events overlap):\n');
  for (const [k, v] of [...tot].sort((a, b) => b[1] - a[1]).slice(0, 30))
    process.stderr.write(`    ${v.toFixed(0).padStart(6)}  ${k}\n`);
  session.off('Tracing.dataCollected', onTraceData);
}

// ---- in-page frame counting ----------------------------------------------------------------

const cdp = new WeakMap<Page, { session: CDPSession; thread: number; process: number }>();

/** The page's main-thread and renderer-process CPU seconds so far. */
async function cpuTimes(session: CDPSession): Promise<{ thread: number; process: number }> {
  const { metrics } = await session.send('Performance.getMetrics');
  const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  return { thread: get('ThreadTime'), process: get('ProcessTime') };
}

async function startFrames(page: Page): Promise<void> {
  let c = cdp.get(page);
  if (!c) {
    const session = await page.context().newCDPSession(page);
    await session.send('Performance.enable');
    c = { session, thread: 0, process: 0 };
    cdp.set(page, c);
  }
  if (PROFILE) await startProfile(c.session);
  Object.assign(c, await cpuTimes(c.session));
  await page.evaluate(() => {
    const w = window as unknown as { __benchFrames: number[]; __benchOn: boolean };
    w.__benchFrames = [];
    w.__benchOn = true;
    const tick = (t: number) => {
      if (!w.__benchOn) return;
      w.__benchFrames.push(t);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function stopFrames(page: Page): Promise<FrameStats> {
  const times = await page.evaluate(() => {
    const w = window as unknown as { __benchFrames: number[]; __benchOn: boolean };
    w.__benchOn = false;
    return w.__benchFrames;
  });
  const c = cdp.get(page)!;
  const now = await cpuTimes(c.session);
  const mainCpuMs = (now.thread - c.thread) * 1000;
  const rendererCpuMs = (now.process - c.process) * 1000;
  if (PROFILE) await stopProfile(c.session);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  gaps.sort((a, b) => a - b);
  const ms = times.length > 1 ? times[times.length - 1]! - times[0]! : 0;
  return {
    fps: ms > 0 ? ((times.length - 1) / ms) * 1000 : 0,
    frames: times.length,
    ms,
    p95FrameMs: gaps[Math.floor(gaps.length * 0.95)] ?? 0,
    maxFrameMs: gaps[gaps.length - 1] ?? 0,
    mainCpuMs,
    rendererCpuMs,
    mainCpuMsPerFrame: times.length > 1 ? mainCpuMs / (times.length - 1) : 0,
  };
}

// ---- UI helpers (as tests/e2e/library.spec.ts drives the library) ---------------------------

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function showLibrary(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Library' }).click();
  await page.getByRole('list', { name: 'Library items' }).waitFor();
}

async function importFile(page: Page, file: string, name: string): Promise<void> {
  await showLibrary(page);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import…' }).click();
  await (await chooser).setFiles(file);
  await page.getByTestId('doc-state').filter({ hasText: name }).waitFor({ timeout: 30_000 });
}

const libItem = (page: Page, name: string) =>
  page.getByRole('listitem', { name, exact: true }).and(page.locator('.lib-item'));

async function openButton(page: Page, name: string) {
  await showLibrary(page);
  const it = libItem(page, name);
  const main = it.locator('.lib-item-main');
  if ((await main.getAttribute('aria-expanded')) !== 'true') await main.click();
  const open = it.getByRole('button', { name: 'Open' });
  await open.waitFor();
  return open;
}

async function openItem(page: Page, name: string): Promise<void> {
  await (await openButton(page, name)).click();
  await page.getByTestId('doc-state').filter({ hasText: name }).waitFor({ timeout: 30_000 });
}

/**
 * Message dots drawn: the canvas keeps the count of its last frame in data-dots; builds from
 * before the canvas (to compare with) drew one SVG `g.msg` per dot.
 */
const dotsDrawn = async (page: Page) => {
  const layer = page.getByTestId('message-layer');
  const n = await layer.getAttribute('data-dots');
  return n !== null ? Number(n) : layer.locator('g.msg').count();
};
const nodesInDom = (page: Page) => page.locator('.react-flow__node').count();
const toolbarButton = (page: Page, name: string) =>
  page.getByRole('banner').getByRole('button', { name, exact: true });

/** A point on the canvas pane with no node under it (to drag the pane, not a node). */
async function emptyPanePoint(page: Page): Promise<{ x: number; y: number }> {
  const p = await page.evaluate(() => {
    const pane = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
    for (let fy = 0.3; fy <= 0.7; fy += 0.02)
      for (let fx = 0.3; fx <= 0.7; fx += 0.01) {
        const x = pane.left + pane.width * fx;
        const y = pane.top + pane.height * fy;
        const el = document.elementFromPoint(x, y);
        if (el?.classList.contains('react-flow__pane')) return { x, y };
      }
    return null;
  });
  if (!p) throw new Error('no empty spot on the canvas pane to drag');
  return p;
}

/** Pans with one continuous left-button drag in a circle for about ms, counting frames. */
async function panFor(page: Page, ms: number, probe: () => Promise<void>): Promise<FrameStats> {
  const start = await emptyPanePoint(page);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await startFrames(page);
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const a = ((Date.now() - t0) / 1000) * Math.PI; // half a turn a second
    await page.mouse.move(start.x + 150 * Math.sin(a), start.y + 100 * (1 - Math.cos(a)));
    await new Promise((r) => setTimeout(r, 8));
  }
  const stats = await stopFrames(page);
  await probe(); // the pane follows the mouse: how far the viewport is from where it began
  await page.mouse.up();
  return stats;
}

/** Server status of the page's run, read over the page's origin (a second WebSocket). */
async function callApi(page: Page, method: string, payload: unknown): Promise<Record<string, unknown>> {
  return page.evaluate(
    async ({ method, payload }) => {
      const token = new URLSearchParams(location.search).get('token') ?? '';
      const ws = new WebSocket(`ws://${location.host}/api?token=${encodeURIComponent(token)}`);
      await new Promise((res, rej) => {
        ws.onopen = res;
        ws.onerror = rej;
      });
      const answer = await new Promise<{ ok: boolean; value?: unknown; error?: unknown }>((res) => {
        ws.onmessage = (ev) => {
          const msg = JSON.parse(String(ev.data)) as { id?: number };
          if (msg.id === 1) res(msg as never);
        };
        ws.send(JSON.stringify({ id: 1, method, payload }));
      });
      ws.close();
      if (!answer.ok) throw new Error(`${method}: ${JSON.stringify(answer.error)}`);
      return answer.value as Record<string, unknown>;
    },
    { method, payload },
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)]!;
};

// ---- the benchmark ----------------------------------------------------------------------------

export async function benchBrowser(log: (msg: string) => void = () => {}): Promise<BrowserFigures> {
  const started = performance.now();
  if (!fs.existsSync(path.resolve('out/renderer/index.html')))
    throw new Error('out/renderer is missing: run `npx electron-vite build` first');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-bench-browser-'));
  const lab = await startLab(path.join(tmp, 'data'));
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // tsx compiles with keepNames: functions passed to page.evaluate call a __name helper.
    await page.addInitScript('globalThis.__name = (f) => f;');
    // The run the page creates: its id comes back in a sim.create answer on the page's socket.
    // Progress events carry the kernel's queue length: sampled while (2) measures.
    let simId: string | null = null;
    let sampleQueued: number[] | null = null;
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        if (typeof f.payload !== 'string') return;
        const m = /"simId":"(sim-\d+)"/.exec(f.payload);
        if (m) simId = m[1]!;
        const q =
          sampleQueued && f.payload.includes('"sim.progress"') ? /"queued":(\d+)/.exec(f.payload) : null;
        if (q) sampleQueued?.push(Number(q[1]));
      }),
    );
    await page.goto(lab.server.url);
    await page.getByTestId('app-info').filter({ hasText: 'over web' }).waitFor();
    await page.locator('.react-flow__node').first().waitFor();

    const g500 = path.join(tmp, 'grid-500.dslab.json');
    const g1000 = path.join(tmp, 'grid-1000.dslab.json');
    fs.writeFileSync(g500, gridScenario('Bench grid 500', 500, 1000));
    fs.writeFileSync(g1000, gridScenario('Bench grid 1000', 1000, 1900));

    // (1) Pan a 500-node, 1,000-link topology.
    log('(1) import the 500-node grid and pan...');
    await importFile(page, g500, 'Bench grid 500');
    await waitFor('500 nodes on the canvas', async () => (await nodesInDom(page)) >= 500);
    await page.waitForTimeout(500); // let the fit and first paints settle
    await shot(page, 'grid500.png');
    const viewportAt = () =>
      page.evaluate(() => {
        const m = new DOMMatrix(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform);
        return { x: m.e, y: m.f };
      });
    const v0 = await viewportAt();
    let moved = 0;
    const pan = await panFor(page, MEASURE_MS, async () => {
      const v = await viewportAt();
      moved = Math.max(moved, Math.hypot(v.x - v0.x, v.y - v0.y));
    });
    const pan500 = {
      ...pan,
      nodes: 500,
      links: 1000,
      nodesInDom: await nodesInDom(page),
      viewportMovedPx: Math.round(moved),
      linksOnCanvas: await page.evaluate(() => {
        const n = document.querySelector('canvas.link-layer')?.getAttribute('data-links');
        return n == null ? null : Number(n);
      }),
    };

    // (2) Play it: every node has one ping or pong in flight; the canvas draws up to 300 dots.
    log('(2) play with ~500 messages in flight...');
    await toolbarButton(page, 'Play').click();
    await waitFor('the run to start', async () => simId !== null);
    await waitFor('dots on the canvas', async () => (await dotsDrawn(page)) >= 150);
    await page.waitForTimeout(300);
    const speedX = await page.evaluate(() => {
      const t = document.querySelector('.speed-value')?.textContent ?? '';
      return Number.parseFloat(t.replace(/[^0-9.e-]/g, ''));
    });
    // queued = events in the kernel's queue: with retries off and no workload, all messages.
    const inFlight: number[] = [];
    sampleQueued = inFlight;
    const dots: number[] = [];
    await startFrames(page);
    const t0 = Date.now();
    while (Date.now() - t0 < MEASURE_MS) {
      await page.waitForTimeout(250);
      dots.push(await dotsDrawn(page));
    }
    const fl = await stopFrames(page);
    sampleQueued = null;
    await shot(page, 'grid500-playing.png');
    await toolbarButton(page, 'Pause').click();
    await page.waitForTimeout(200);
    if (inFlight.length === 0)
      inFlight.push(Number((await callApi(page, 'sim.step', { simId, count: 1 })).queued));
    const flights = {
      ...fl,
      nodes: 500,
      kernelInFlightMin: Math.min(...inFlight),
      kernelInFlightMedian: median(inFlight),
      kernelInFlightSamples: inFlight.length,
      dotsDrawnMin: Math.min(...dots),
      dotsDrawnMedian: median(dots),
      speedX,
    };

    // (4) The event log of this run at event 1,000,000.
    log('(4) run to event 1,000,000 and scroll the event log...');
    const now = Number((await callApi(page, 'sim.step', { simId, count: 1 })).eventIndex);
    const target = 1_000_000;
    if (now < target - 1) await callApi(page, 'sim.step', { simId, count: target - 1 - now });
    await toolbarButton(page, 'Step').click(); // the page learns of the new position
    await waitFor('event 1,000,000 in the toolbar', async () => {
      const t = await page.getByRole('banner').getByLabel('Event index').textContent();
      return Number((t ?? '').replace(/[^0-9]/g, '')) >= target;
    });
    await page.getByRole('tab', { name: 'Event log' }).click();
    const scroller = page.locator('.log-scroll');
    await scroller.waitFor();
    await waitFor('rows in the log', async () => (await page.locator('.log-row').count()) > 0);
    await scroller.hover();
    await page.evaluate(() => {
      (document.querySelector('.log-scroll') as HTMLElement).scrollTop = 0;
    });
    await page.waitForTimeout(300);
    const logInfo = await page.evaluate(() => ({
      rows: Number((document.querySelector('.log-count')?.textContent ?? '').replace(/[^0-9]/g, '')),
      first: Number(document.querySelector('.log-row')?.getAttribute('data-event')),
    }));
    // Scrolled from the page, 40 px every frame (about 2,400 px/s at 60 fps), down and back
    // up at the ends, so every frame has new rows to render (wheel events from the driver
    // arrive only every few frames).
    await page.evaluate(() => {
      const el = document.querySelector('.log-scroll') as HTMLElement;
      const w = window as unknown as { __benchScroll: { on: boolean; px: number } };
      w.__benchScroll = { on: true, px: 0 };
      let dir = 1;
      const step = () => {
        if (!w.__benchScroll.on) return;
        const before = el.scrollTop;
        el.scrollTop = before + dir * 40;
        w.__benchScroll.px += Math.abs(el.scrollTop - before);
        if (el.scrollTop === before) dir = -dir;
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    await startFrames(page);
    await page.waitForTimeout(MEASURE_MS);
    const lg = await stopFrames(page);
    const scrolledPx = await page.evaluate(() => {
      const w = window as unknown as { __benchScroll: { on: boolean; px: number } };
      w.__benchScroll.on = false;
      return w.__benchScroll.px;
    });
    const eventLog = {
      ...lg,
      atEvent: target,
      logRows: logInfo.rows,
      logFirstEvent: logInfo.first,
      rowsInDom: await page.locator('.log-row').count(),
      scrolledPx,
    };

    // (3) Open a 1,000-node scenario from the library: click Open until all nodes are shown.
    log('(3) open a 1,000-node scenario...');
    await importFile(page, g1000, 'Bench grid 1000');
    const msRuns: number[] = [];
    for (let r = 0; r < 3; r++) {
      await openItem(page, 'Ping-pong ring');
      await waitFor('the small scenario', async () => (await nodesInDom(page)) < 10);
      const open = await openButton(page, 'Bench grid 1000');
      await page.evaluate(() => {
        const w = window as unknown as { __benchOpen: Promise<number> };
        w.__benchOpen = new Promise<number>((resolve) => {
          document.addEventListener(
            'click',
            () => {
              const t0 = performance.now();
              const poll = () => {
                const ns = document.querySelectorAll('.react-flow__node');
                const last = ns[ns.length - 1] as HTMLElement | undefined;
                if (ns.length >= 1000 && last && getComputedStyle(last).visibility !== 'hidden')
                  resolve(performance.now() - t0);
                else requestAnimationFrame(poll);
              };
              requestAnimationFrame(poll);
            },
            { capture: true, once: true },
          );
        });
      });
      const profileThis = PROFILE && r === 1;
      if (profileThis) await startProfile(cdp.get(page)!.session);
      await open.click();
      msRuns.push(
        await page.evaluate(() => (window as unknown as { __benchOpen: Promise<number> }).__benchOpen),
      );
      if (profileThis) await stopProfile(cdp.get(page)!.session);
    }
    const open1000 = { nodes: 1000, links: 1900, msRuns, msMedian: median(msRuns) };

    if (errors.length > 0) log(`page errors: ${errors.join(' | ')}`);
    const version = browser.version();
    return {
      chromium: version,
      conditions: `headless Chromium ${version}, --disable-gpu (software rendering), ${VIEWPORT.width}x${VIEWPORT.height}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), server and browser on this machine`,
      pan500,
      flights,
      open1000,
      eventLog,
      targets: {
        pan500AtLeast50fps: pan500.fps >= 50,
        flights300AtLeast50fps: flights.fps >= 50,
        open1000Within1s: open1000.msMedian <= 1000,
      },
      wallS: (performance.now() - started) / 1000,
    };
  } finally {
    await browser.close().catch(() => {});
    await lab.stop().catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The report's lines for a person. */
export function browserLines(f: BrowserFigures): string[] {
  const fr = (s: FrameStats) =>
    `${s.fps.toFixed(1)} fps (${s.frames} frames in ${(s.ms / 1000).toFixed(1)} s; p95 frame ${s.p95FrameMs.toFixed(0)} ms, worst ${s.maxFrameMs.toFixed(0)} ms; CPU main ${s.mainCpuMs.toFixed(0)} ms = ${s.mainCpuMsPerFrame.toFixed(1)} ms/frame, renderer ${s.rendererCpuMs.toFixed(0)} ms)`;
  return [
    `browser: ${f.conditions}`,
    `(1) pan 500 nodes, 1,000 links      ${fr(f.pan500)}; ${f.pan500.nodesInDom} nodes in the DOM, viewport moved ${f.pan500.viewportMovedPx} px, ${f.pan500.linksOnCanvas ?? 'no'} links on the link canvas`,
    `(2) ~300 messages animated          ${fr(f.flights)}; kernel in flight median ${f.flights.kernelInFlightMedian} (min ${f.flights.kernelInFlightMin}, ${f.flights.kernelInFlightSamples} progress events), dots drawn median ${f.flights.dotsDrawnMedian} (min ${f.flights.dotsDrawnMin}; the canvas caps at 300), speed ${f.flights.speedX}x`,
    `(3) open a 1,000-node scenario      median ${f.open1000.msMedian.toFixed(0)} ms (${f.open1000.msRuns.map((x) => x.toFixed(0)).join(', ')} ms), click to all nodes shown`,
    `(4) scroll the event log at event ${f.eventLog.atEvent.toLocaleString('en')}  ${fr(f.eventLog)}; the log holds ${f.eventLog.logRows.toLocaleString('en')} rows (a capped window from event ${f.eventLog.logFirstEvent.toLocaleString('en')}), ${f.eventLog.rowsInDom} in the DOM, ${Math.round(f.eventLog.scrolledPx).toLocaleString('en')} px scrolled`,
    `browser targets: ${Object.entries(f.targets)
      .map(([k, v]) => `${k}=${v ? 'met' : 'MISSED'}`)
      .join(' ')}`,
    `browser wall time ${f.wallS.toFixed(1)} s`,
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const json = process.argv.includes('--json');
  const figures = await benchBrowser((m) => {
    if (!json) process.stderr.write(`${m}\n`);
  });
  console.log(json ? JSON.stringify(figures, null, 2) : browserLines(figures).join('\n'));
}
