import type { Ctx, DefaultTopology, Input, Protocol, StateField } from '../../protocol';
import { star } from '../../toolkit/topology';
import {
  answersExact,
  batchViewExact,
  converges,
  masterImmutable,
  maxStaleness,
  metric,
  neverOvercounts,
  servedError,
  staleness,
} from './checks';
import { timelineView } from './timeline-view';
import {
  add,
  type Bar,
  type BatchState,
  type Counts,
  type DashboardState,
  type Fact,
  type LambdaMsg,
  LambdaParams,
  type LambdaState,
  type LogState,
  ms,
  type ServingState,
  type SourceState,
  type SpeedState,
  URLS,
} from './types';

export * from './types';

type P = LambdaParams;
/**
 * The Lambda architecture: Nathan Marz and James Warren, "Big Data: Principles and best
 * practices of scalable realtime data systems", Manning 2015, ch. 1 (§1.7, the three layers)
 * and ch. 2 (the master dataset: raw, immutable facts); and, as its alternative, the Kappa
 * architecture: Jay Kreps, "Questioning the Lambda Architecture", O'Reilly Radar, July 2014.
 *
 * Lambda (Marz ch. 1): query = function(all data). Sources append facts (here page views) to
 * the MASTER DATASET, which is immutable: a fact is never changed or deleted, only appended
 * (ch. 2). The BATCH LAYER loops for ever: it takes the whole dataset as it stands and
 * recomputes the BATCH VIEW from scratch (a run takes time in proportion to the data), then
 * starts again. Events that arrive while a run is under way are not in its view, so the SPEED
 * LAYER keeps REAL-TIME VIEWS updated incrementally, event by event, for exactly those events,
 * and throws away what a finished batch run covers (the "expiring real-time views" of the
 * book's chapter on realtime views: there, two views flip at each batch run; here each event carries
 * the number of the batch run that will first cover it, its epoch, so the expiry is exact).
 * The SERVING LAYER holds the batch view and answers a query by merging it with the real-time
 * view: batch view(run k) + the real-time counts of epochs >= k.
 *
 * The batch layer is what makes the system tolerant of human error (ch. 1, "human-fault
 * tolerance", which fully incremental architectures lack): whatever the speed layer got wrong, for whatever reason, is replaced by an exact
 * recomputation at the next batch run, because the raw facts were kept.
 *
 * Kappa (Kreps 2014): no batch layer. One stream processing job reads a replayable log (the
 * master dataset here, retained in full) and keeps its view; to change the code, start the new
 * version of the job reading the log from the beginning into a NEW view, and when it has caught
 * up with the old job, switch the application over to the new view and stop the old job. The
 * replay costs time in proportion to the retained log.
 *
 * The workload is the book's running example (ch. 1-2): page views per URL. Every check
 * compares what is served with the ground truth, counted from what the sources emitted. See
 * docs/protocols/lambda.md.
 */

type C = Ctx<P, LambdaMsg>;
type In = Input<LambdaMsg>;
const first = (ctx: C, role: string): string => ctx.nodesWithRole(role)[0] ?? '';

/** Counts per URL of a list of facts (deleted facts count nothing). */
export function countFacts(facts: readonly Fact[]): Counts {
  const c: Counts = {};
  for (const f of facts) if (f.url !== '') add(c, f.url);
  return c;
}

/**
 * The merge of the serving layer (Marz ch. 1): batch view + the real-time counts the batch view
 * does not cover (epochs >= its run), and the offset the result covers up to.
 */
export function merge(s: ServingState, bugDoubleCount: boolean): { counts: Counts; horizon: number } {
  const counts: Counts = { ...(s.batch?.counts ?? {}) };
  const run = s.batch?.run ?? 0;
  let horizon = s.batch?.upTo ?? 0;
  const rt = s.active === '' ? undefined : s.realtime[s.active];
  if (rt !== undefined) {
    for (const [epoch, c] of Object.entries(rt.views))
      if (bugDoubleCount || Number(epoch) >= run)
        for (const [url, k] of Object.entries(c)) add(counts, url, k);
    horizon = Math.max(horizon, rt.next);
  }
  return { counts, horizon };
}

/** Recomputes the serving layer's merged view after its batch view or real-time view changed. */
function remerge(ctx: C, s: ServingState): void {
  const { counts, horizon } = merge(s, ctx.params.bugDoubleCountOverlap);
  s.merged = counts;
  s.horizon = horizon;
}

// ---------------------------------------------------------------------------------------------
// Sources and the master dataset (Marz ch. 2)

function onSource(ctx: C, s: SourceState, input: In): void {
  if (input.kind === 'start' || input.kind === 'restart') {
    if (s.sent.length < ctx.params.eventsPerSource) ctx.setTimer('emit', gap(ctx));
    return;
  }
  if (input.kind === 'client') {
    ctx.reply(input.op, { ok: false }); // not a key-value store
    return;
  }
  if (input.kind !== 'timer' || input.name !== 'emit') return;
  // A page view: the most popular URLs are viewed most (a quadratic skew towards /home).
  const r = ctx.rng.next();
  const url = URLS[Math.floor(ctx.params.urls * r * r)]!;
  s.sent.push(url);
  ctx.send(first(ctx, 'log'), { type: 'PageView', n: s.sent.length - 1, url });
  if (s.sent.length < ctx.params.eventsPerSource) ctx.setTimer('emit', gap(ctx));
}

const gap = (ctx: C): number => Math.max(1, Math.round(ctx.rng.exponential(ctx.params.eventEveryMs * 1000)));

function onLog(ctx: C, s: LogState, input: In): void {
  if (input.kind === 'client') {
    ctx.reply(input.op, { ok: false }); // not a key-value store
    return;
  }
  if (input.kind !== 'message') return;
  const m = input.msg;
  switch (m.type) {
    case 'PageView': {
      // Append a fact; never update one (ch. 2: data is immutable, "the data is true forever").
      const fact: Fact = {
        offset: s.dataset.length,
        source: input.from,
        n: m.n,
        url: m.url,
        epoch: s.snapshots,
        atUs: ctx.now(),
      };
      s.dataset.push(fact);
      for (const to of ctx.nodesWithRole('speed')) ctx.send(to, { type: 'Event', fact });
      return;
    }
    case 'Snapshot': {
      // The batch layer reads the whole dataset as it stands: facts after this cut are the
      // speed layer's until the run that follows.
      s.snapshots += 1;
      const upTo = s.dataset.length;
      if (!ctx.params.bugMutateMaster) {
        ctx.send(input.from, { type: 'Dataset', run: s.snapshots, upTo, facts: s.dataset.slice(0, upTo) });
        return;
      }
      // The bug: a queue, not a master dataset. What a run reads is taken out (deleted), so a
      // run that dies takes its facts with it.
      const facts = s.dataset.slice(s.taken, upTo).map((f) => ({ ...f }));
      for (let i = s.taken; i < upTo; i++) s.dataset[i] = { ...s.dataset[i]!, url: '' };
      s.taken = upTo;
      ctx.send(input.from, { type: 'Dataset', run: s.snapshots, upTo, facts });
      return;
    }
    case 'Replay': {
      const facts = s.dataset.slice(m.from, m.from + ctx.params.replayChunk);
      ctx.send(input.from, { type: 'Events', from: m.from, facts, tail: s.dataset.length });
      return;
    }
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// The batch layer (Marz ch. 1: batch view = function(all data), recomputed in a loop)

function askSnapshot(ctx: C, s: BatchState): void {
  s.waiting = true;
  ctx.send(first(ctx, 'log'), { type: 'Snapshot' });
  ctx.setTimer('retry', ctx.params.retryMs * 1000); // the log may have been down
}

function onBatch(ctx: C, s: BatchState, input: In): void {
  const p = ctx.params;
  if (p.architecture === 'kappa') {
    if (input.kind === 'client') ctx.reply(input.op, { ok: false });
    return; // Kappa has no batch layer
  }
  switch (input.kind) {
    case 'start':
      askSnapshot(ctx, s);
      return;
    case 'restart': {
      // The run it had under way is lost with its memory; the data is not: start again from it.
      const open = s.bars.find((b) => b.endUs === null);
      if (open !== undefined) {
        open.endUs = ctx.now();
        open.tone = 'bad';
        open.title = `${open.title}: lost to a crash, recomputed by the next run`;
      }
      ctx.note('batch worker restarted: recompute from the master dataset');
      askSnapshot(ctx, s);
      return;
    }
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
    case 'timer':
      if (input.name === 'next' || (input.name === 'retry' && s.waiting)) askSnapshot(ctx, s);
      else if (input.name === 'work' && s.current !== null) finishRun(ctx, s);
      return;
    case 'message': {
      const m = input.msg;
      if (m.type !== 'Dataset' || !s.waiting) return;
      s.waiting = false;
      ctx.cancelTimer('retry');
      // Recompute from scratch (with the bug: add what was taken to the last view).
      const view = countFacts(m.facts);
      if (p.bugMutateMaster) for (const [url, k] of Object.entries(s.base)) add(view, url, k);
      s.current = { run: m.run, upTo: m.upTo, read: m.facts.length, view };
      const costUs = p.batchFixedMs * 1000 + m.facts.length * p.batchUsPerEvent;
      s.bars.push({
        startUs: ctx.now(),
        endUs: null,
        label: `run ${m.run} · ${m.facts.length} ev`,
        tone: 'info',
        title: `batch run ${m.run}: recomputes the view of the offsets below ${m.upTo} (${m.facts.length} events read)`,
      });
      ctx.note(`batch run ${m.run}: recompute over ${m.upTo} events (${ms(costUs)})`);
      ctx.setTimer('work', Math.max(1, costUs));
      return;
    }
  }
}

function finishRun(ctx: C, s: BatchState): void {
  const r = s.current!;
  s.current = null;
  s.runs += 1;
  s.processed += r.read;
  if (ctx.params.bugMutateMaster) s.base = r.view;
  const bar = s.bars[s.bars.length - 1];
  if (bar !== undefined && bar.endUs === null) bar.endUs = ctx.now();
  ctx.send(first(ctx, 'serving'), { type: 'BatchView', run: r.run, upTo: r.upTo, counts: r.view });
  ctx.setTimer('next', Math.max(1, ctx.params.batchGapMs * 1000));
}

// ---------------------------------------------------------------------------------------------
// The speed layer (Marz ch. 1: incremental real-time views) and Kappa's stream jobs

const openBar = (s: SpeedState): Bar | undefined => s.bars.find((b) => b.endUs === null);

function closeBar(s: SpeedState, nowUs: number): void {
  const b = openBar(s);
  if (b !== undefined) b.endUs = nowUs;
}

function startBar(ctx: C, s: SpeedState, label: string, tone: Bar['tone'], title: string): void {
  closeBar(s, ctx.now());
  s.bars.push({ startUs: ctx.now(), endUs: null, label, tone, title });
}

/** Applies one fact to the real-time view: the incremental update. */
function apply(s: SpeedState, f: Fact): void {
  if (f.url !== '' && f.epoch >= s.batchRun) {
    const v = s.views[String(f.epoch)] ?? {};
    add(v, f.url);
    s.views[String(f.epoch)] = v;
  }
  s.next = f.offset + 1;
  s.dirty = true;
}

/** Reads the log back from `next` (a rebuild after a restart, a replay, a gap). */
function readBack(ctx: C, s: SpeedState): void {
  if (s.reading) return;
  s.reading = true;
  ctx.send(first(ctx, 'log'), { type: 'Replay', from: s.next });
  ctx.setTimer('retry', ctx.params.retryMs * 1000);
}

/** No answer came (the log or the serving layer was down): ask again. */
function onRetry(ctx: C, s: SpeedState): void {
  if (!s.running) return;
  if (s.reading && s.chunk.length === 0) {
    ctx.send(first(ctx, 'log'), { type: 'Replay', from: s.next });
    ctx.setTimer('retry', ctx.params.retryMs * 1000);
  } else if (s.next < 0) {
    ctx.send(first(ctx, 'serving'), { type: 'Hello' });
    ctx.setTimer('retry', ctx.params.retryMs * 1000);
  }
}

/** The first speed node runs version 1; in Kappa the second is version 2, deployed later. */
const versionOf = (ctx: C): number => Math.max(1, ctx.nodesWithRole('speed').indexOf(ctx.self) + 1);
/** Version 1 carries the speed-layer bug; version 2 is the fixed code (Kappa). */
const buggy = (ctx: C, s: SpeedState): boolean => ctx.params.bugSpeedSkipsGap && s.version === 1;

function live(ctx: C, s: SpeedState): void {
  const what = ctx.params.architecture === 'kappa' ? `job v${s.version}` : 'speed layer';
  startBar(ctx, s, `v${s.version} live`, 'good', `${what}: applies each event as it arrives`);
}

function onSpeed(ctx: C, s: SpeedState, input: In): void {
  const p = ctx.params;
  const kappa = p.architecture === 'kappa';
  if (input.kind !== 'restart') s.lastStepUs = ctx.now();
  switch (input.kind) {
    case 'start':
      s.version = versionOf(ctx);
      if (kappa ? s.version === 1 : p.speedLayer && s.version === 1) {
        s.running = true;
        s.next = 0;
        live(ctx, s);
      }
      if (kappa && s.version === 2 && p.redeployAtMs > 0) ctx.setTimer('deploy', p.redeployAtMs * 1000);
      ctx.setTimer('publish', p.publishEveryMs * 1000);
      return;
    case 'restart': {
      // The real-time view lived in memory: rebuild it. Ask the serving layer where the batch
      // view ends, then read the log from there (Kappa: from where the job starts, offset 0).
      s.inc += 1;
      s.version = versionOf(ctx);
      // On the timeline: what it did until its last step before the crash, then the time down.
      const b = openBar(s);
      if (b !== undefined) {
        b.endUs = Math.max(b.startUs, s.lastStepUs);
        b.title = `${b.title} (until a crash)`;
      }
      s.bars.push({
        startUs: s.lastStepUs,
        endUs: ctx.now(),
        label: 'down',
        tone: 'bad',
        title: 'crashed: its real-time view, in memory, is lost',
      });
      s.running = kappa
        ? s.version === 1
          ? !s.stopped
          : s.deployed && !s.stopped
        : p.speedLayer && s.version === 1;
      if (kappa && s.version === 2 && !s.deployed && p.redeployAtMs > 0)
        ctx.setTimer('deploy', Math.max(1, p.redeployAtMs * 1000 - ctx.now()));
      if (s.running) {
        ctx.send(first(ctx, 'serving'), { type: 'Hello' });
        ctx.setTimer('retry', p.retryMs * 1000);
      }
      ctx.setTimer('publish', p.publishEveryMs * 1000);
      return;
    }
    case 'client':
      ctx.reply(input.op, { ok: false });
      return;
    case 'timer':
      if (input.name === 'publish') {
        // Send the view when it changed, and now and then anyway (a copy may have been lost).
        s.quiet += 1;
        const refresh = s.running && s.next >= 0 && s.quiet * p.publishEveryMs >= 10 * p.retryMs;
        if (s.running && s.next >= 0 && (s.dirty || refresh)) publish(ctx, s);
        // A push may have been lost (a partition): look at the log's end now and then.
        if (refresh) readBack(ctx, s);
        ctx.setTimer('publish', p.publishEveryMs * 1000);
      } else if (input.name === 'retry') onRetry(ctx, s);
      else if (input.name === 'deploy' && !s.deployed) {
        // Kreps: start the new version of the job at the beginning of the retained log.
        s.deployed = true;
        s.running = true;
        s.next = 0;
        startBar(ctx, s, `v${s.version} replay`, 'warn', `job v${s.version}: replays the log from offset 0`);
        ctx.note(`job v${s.version} deployed: replay the log from offset 0 into a new view`);
        readBack(ctx, s);
      } else if (input.name === 'chunk') applyChunk(ctx, s);
      return;
    case 'message':
      break;
  }
  const m = input.msg;
  switch (m.type) {
    case 'Horizon':
      onHorizon(ctx, s, m.run, m.upTo);
      return;
    case 'Hello':
      s.dirty = true; // the serving layer restarted: send the view again
      return;
    case 'Stop':
      // Kappa: the application reads the new job's view now; stop the old job.
      if (!s.running) return;
      s.running = false;
      s.stopped = true;
      closeBar(s, ctx.now());
      ctx.note(`job v${s.version} stopped: its view is no longer read`);
      return;
    case 'Event':
      onEvent(ctx, s, m.fact);
      return;
    case 'Events':
      if (!s.running || !s.reading || m.from !== s.next || s.chunk.length > 0) return;
      if (m.facts.length === 0) {
        s.reading = false;
        if (s.seen > s.next)
          readBack(ctx, s); // a push overtook this answer
        else if (openBar(s)?.tone === 'warn') live(ctx, s); // caught up with the log
        return;
      }
      // Reading back costs time in proportion to the events read.
      s.chunk = m.facts;
      ctx.setTimer('chunk', Math.max(1, m.facts.length * p.replayUsPerEvent));
      return;
    default:
      return;
  }
}

/** The serving layer installed batch run `run`, covering offsets below `upTo`. */
function onHorizon(ctx: C, s: SpeedState, run: number, upTo: number): void {
  if (!s.running) return;
  // Expire the real-time views the batch view now covers (Marz: the speed layer only has to
  // cover what the last batch run missed).
  if (run > s.batchRun) {
    s.batchRun = run;
    for (const e of Object.keys(s.views)) if (Number(e) < run) delete s.views[e];
    s.dirty = true;
  }
  if (s.next >= upTo) return;
  // Behind the batch view (just restarted, or slow): what is below upTo is covered already.
  const rebuilding = s.next < 0;
  s.next = upTo;
  s.dirty = true;
  if (rebuilding) {
    startBar(ctx, s, `v${s.version} rebuild`, 'warn', `rebuilds its real-time view from offset ${upTo}`);
    if (buggy(ctx, s)) {
      ctx.note(`restarted with an empty real-time view at offset ${upTo}: does not read the log back`);
      return;
    }
    ctx.note(`rebuilds its real-time view from the log, offset ${upTo} on`);
    readBack(ctx, s);
  }
}

function onEvent(ctx: C, s: SpeedState, f: Fact): void {
  s.seen = Math.max(s.seen, f.offset + 1);
  if (!s.running || s.next < 0 || f.offset < s.next) return;
  if (f.offset === s.next && !s.reading) {
    apply(s, f);
    return;
  }
  if (s.reading) return; // the read back will come to it
  // A gap: events before this one never reached this node (it was down, or they are late).
  if (buggy(ctx, s)) {
    s.skipped += f.offset - s.next;
    ctx.note(`skips ${f.offset - s.next} events it missed (offsets ${s.next}..${f.offset - 1})`);
    if (openBar(s)?.label.endsWith('rebuild')) live(ctx, s);
    apply(s, f);
    return;
  }
  readBack(ctx, s);
}

function applyChunk(ctx: C, s: SpeedState): void {
  const chunk = s.chunk;
  s.chunk = [];
  s.reading = false;
  if (!s.running) return;
  for (const f of chunk) {
    if (f.offset !== s.next) continue; // already covered (a batch view moved `next` on)
    apply(s, f);
    s.replayed += 1;
  }
  // More to read? The next push or this read back finds out: ask again while behind.
  readBack(ctx, s);
  const b = openBar(s);
  if (b !== undefined) b.label = `${b.label.split(' ·')[0]} · ${s.next}`;
}

function publish(ctx: C, s: SpeedState): void {
  s.dirty = false;
  s.quiet = 0;
  s.seq += 1;
  ctx.send(first(ctx, 'serving'), {
    type: 'Realtime',
    inc: s.inc,
    seq: s.seq,
    version: s.version,
    next: s.next,
    // A copy: a message is a value, and this view goes on changing.
    views: Object.fromEntries(Object.entries(s.views).map(([e, c]) => [e, { ...c }])),
  });
}

// ---------------------------------------------------------------------------------------------
// The serving layer (Marz ch. 1: query = merge of batch view and real-time view)

function onServing(ctx: C, s: ServingState, input: In): void {
  const p = ctx.params;
  if (input.kind === 'start' || input.kind === 'restart') {
    if (s.active === '' && (p.architecture === 'kappa' || p.speedLayer)) {
      s.active = first(ctx, 'speed');
      s.activeVersion = 1;
    }
    // After a restart the merged view on disk is served until the real-time views come again.
    // The real-time views were in memory: ask the speed layer to send them again.
    if (input.kind === 'restart')
      for (const to of ctx.nodesWithRole('speed')) ctx.send(to, { type: 'Hello' });
    return;
  }
  if (input.kind === 'client') {
    ctx.reply(input.op, { ok: false }); // not a key-value store
    return;
  }
  if (input.kind !== 'message') return;
  const m = input.msg;
  const from = input.from;
  switch (m.type) {
    case 'BatchView': {
      if (s.batch !== null && m.run <= s.batch.run) return;
      s.batch = { run: m.run, upTo: m.upTo, counts: m.counts };
      remerge(ctx, s);
      s.markers.push({ atUs: ctx.now(), label: `view ${m.run}` });
      ctx.emit({ type: 'batch-view-installed', run: m.run, upTo: m.upTo });
      ctx.note(`batch view ${m.run} installed: the offsets below ${m.upTo}`);
      for (const to of ctx.nodesWithRole('speed'))
        ctx.send(to, { type: 'Horizon', run: m.run, upTo: m.upTo, active: s.active });
      return;
    }
    case 'Hello':
      ctx.send(from, {
        type: 'Horizon',
        run: s.batch?.run ?? 0,
        upTo: p.architecture === 'kappa' ? 0 : (s.batch?.upTo ?? 0),
        active: s.active,
      });
      return;
    case 'Realtime': {
      const old = s.realtime[from];
      if (old !== undefined && (m.inc < old.inc || (m.inc === old.inc && m.seq <= old.seq))) return;
      // A restarted speed node rebuilds its view: keep serving the old copy (still exact for
      // what it covers) until the new one covers as much, so no count goes backwards.
      if (old !== undefined && m.inc > old.inc && m.next < old.next && (s.batch?.upTo ?? 0) < old.next)
        return;
      s.realtime[from] = { inc: m.inc, seq: m.seq, version: m.version, next: m.next, views: m.views };
      if (p.architecture === 'kappa' && from !== s.active) {
        if (m.version < s.activeVersion)
          ctx.send(from, { type: 'Stop' }); // it missed its Stop
        // Kreps: switch to the new job's view once it has caught up with the old one.
        else if (
          m.version > s.activeVersion &&
          m.next >= Math.max(s.realtime[s.active]?.next ?? 0, s.horizon)
        ) {
          const old = s.active;
          s.active = from;
          s.activeVersion = m.version;
          s.markers.push({ atUs: ctx.now(), label: `switch to v${m.version}` });
          ctx.note(`switch to job v${m.version}'s view (caught up at offset ${m.next})`);
          if (old !== '') ctx.send(old, { type: 'Stop' });
        }
      }
      remerge(ctx, s);
      return;
    }
    case 'Query': {
      s.answered += 1;
      ctx.send(from, { type: 'Answer', q: m.q, url: m.url, count: s.merged[m.url] ?? 0, horizon: s.horizon });
      return;
    }
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// The dashboard

function onDashboard(ctx: C, s: DashboardState, input: In): void {
  const p = ctx.params;
  if (input.kind === 'start' || input.kind === 'restart') {
    ctx.setTimer('query', p.queryEveryMs * 1000);
    return;
  }
  if (input.kind === 'client') {
    ctx.reply(input.op, { ok: false }); // not a key-value store
    return;
  }
  if (input.kind === 'timer' && input.name === 'query') {
    const url = URLS[s.nextQ % p.urls]!;
    ctx.send(first(ctx, 'serving'), { type: 'Query', q: s.nextQ, url });
    s.nextQ += 1;
    ctx.setTimer('query', p.queryEveryMs * 1000);
    return;
  }
  if (input.kind === 'message' && input.msg.type === 'Answer') {
    const m = input.msg;
    s.answers.push({ atUs: ctx.now(), url: m.url, count: m.count, horizon: m.horizon });
  }
}

// ---------------------------------------------------------------------------------------------
// The protocol

/** Sources and the log on the left, the layers on the right, serving and dashboard below; one switch. */
function topology(p: P): DefaultTopology {
  const kappa = p.architecture === 'kappa';
  return star(
    [
      { id: 's1', role: 'source', x: 40, y: 80 },
      { id: 's2', role: 'source', x: 40, y: 280 },
      { id: 'log', role: 'log', x: 260, y: 180 },
      ...(kappa
        ? [
            { id: 'v1', role: 'speed', x: 700, y: 80 },
            { id: 'v2', role: 'speed', x: 700, y: 280 },
          ]
        : [
            { id: 'batch', role: 'batch', x: 700, y: 80 },
            { id: 'speed', role: 'speed', x: 700, y: 280 },
          ]),
      { id: 'serving', role: 'serving', x: 480, y: 380 },
      { id: 'dash', role: 'dashboard', x: 260, y: 380 },
    ],
    { id: 'sw', x: 480, y: 180 },
    { kind: 'uniform', minUs: 500, maxUs: 1500 },
  );
}

export const lambda: Protocol<P, LambdaState, LambdaMsg> = {
  id: 'lambda',
  topic: 'lambda',
  title: 'Lambda and Kappa architectures',
  version: 1,
  // A page view every 15 ms and batch runs of 0.2 to 0.5 s: at 0.25x the first batch view is
  // live within a second of Play and the crashes at 2 s and 3.2 s come within 8 to 13 s.
  speed: 0.25,
  roles: [
    { id: 'source', label: 'Source (page views)', min: 1, max: null },
    { id: 'log', label: 'Master dataset (log)', min: 1, max: 1 },
    { id: 'batch', label: 'Batch layer', min: 0, max: 1 },
    { id: 'speed', label: 'Speed layer / stream job', min: 0, max: 2 },
    { id: 'serving', label: 'Serving layer', min: 1, max: 1 },
    { id: 'dashboard', label: 'Dashboard (queries)', min: 0, max: null },
  ],
  params: LambdaParams,
  defaultTopology: topology,
  quickStart: (p) =>
    p.architecture === 'kappa'
      ? {
          name: 'Kappa: job v1 misses events after a crash; v2 replays the log and takes over',
          faults: [
            { atUs: 1_500_000, fault: { kind: 'crash', node: 'v1' } },
            { atUs: 1_800_000, fault: { kind: 'restart', node: 'v1' } },
          ],
          maxTimeUs: 9_000_000,
        }
      : {
          name: 'Lambda quick start: page views, the batch worker and the speed node crash',
          faults: [
            { atUs: 2_000_000, fault: { kind: 'crash', node: 'batch' } },
            { atUs: 2_400_000, fault: { kind: 'restart', node: 'batch' } },
            { atUs: 3_200_000, fault: { kind: 'crash', node: 'speed' } },
            { atUs: 3_500_000, fault: { kind: 'restart', node: 'speed' } },
          ],
          maxTimeUs: 9_000_000,
        },
  init(node): LambdaState {
    const bars: Bar[] = [];
    switch (node.role) {
      case 'source':
        return { kind: 'source', sent: [] };
      case 'log':
        return { kind: 'log', dataset: [], snapshots: 0, taken: 0 };
      case 'batch':
        return { kind: 'batch', waiting: false, current: null, runs: 0, processed: 0, base: {}, bars };
      case 'speed':
        return {
          kind: 'speed',
          version: 1,
          running: false,
          deployed: false,
          stopped: false,
          next: -1,
          views: {},
          batchRun: 0,
          reading: false,
          chunk: [],
          inc: 0,
          seq: 0,
          dirty: false,
          quiet: 0,
          lastStepUs: 0,
          replayed: 0,
          skipped: 0,
          seen: 0,
          bars,
        };
      case 'serving':
        return {
          kind: 'serving',
          batch: null,
          realtime: {},
          active: '',
          activeVersion: 0,
          merged: {},
          horizon: 0,
          answered: 0,
          markers: [],
        };
      default:
        return { kind: 'dashboard', nextQ: 0, answers: [] };
    }
  },
  on(ctx, s, input) {
    switch (s.kind) {
      case 'source':
        return onSource(ctx, s, input);
      case 'log':
        return onLog(ctx, s, input);
      case 'batch':
        return onBatch(ctx, s, input);
      case 'speed':
        return onSpeed(ctx, s, input);
      case 'serving':
        return onServing(ctx, s, input);
      case 'dashboard':
        return onDashboard(ctx, s, input);
    }
  },
  // On disk: the sources' record of what they emitted, the master dataset, the batch layer's
  // counters and last view (bugMutateMaster's base), the serving layer's batch view and which
  // job it serves, Kappa's deploy/stop decisions, and the dashboard's answers. Lost: a batch run
  // under way and every real-time view (they live in memory and are rebuilt).
  durable: [
    'kind',
    'sent',
    'dataset',
    'snapshots',
    'taken',
    'runs',
    'processed',
    'base',
    'bars',
    'version',
    'deployed',
    'stopped',
    'inc',
    'replayed',
    'skipped',
    'lastStepUs',
    'batch',
    'active',
    'activeVersion',
    'merged',
    'horizon',
    'answered',
    'markers',
    'nextQ',
    'answers',
  ] satisfies StateField<LambdaState>[],
  scenarioIssues(scenario, params) {
    // Kappa has no batch layer: without a stream job nothing is ever served.
    const speeds = scenario.topology.nodes.filter((n) => n.role === 'speed').length;
    if (params.architecture === 'kappa' && speeds === 0)
      return [
        {
          path: ['topology', 'nodes'],
          message: 'architecture is kappa, which needs a stream job: add a Speed layer / stream job node',
        },
      ];
    return [];
  },
  invariants: [masterImmutable, batchViewExact, neverOvercounts],
  liveness: [converges],
  runChecks: [answersExact],
  historyCheckers: [],
  metrics: [
    metric('stalenessMs', 'ms', staleness),
    metric('maxStalenessMs', 'ms', maxStaleness),
    metric('lagEvents', 'events', (w) => {
      const s = w.serving?.state;
      return s === undefined ? 0 : Math.max(0, (w.log?.dataset.length ?? 0) - s.horizon);
    }),
    metric('servedError', 'views', servedError),
    metric('masterEvents', 'events', (w) => w.log?.dataset.length ?? 0),
    metric('batchRuns', 'runs', (w) => w.batch?.runs ?? 0),
    metric('batchEventsProcessed', 'events', (w) => w.batch?.processed ?? 0),
    metric('replayedEvents', 'events', (w) => w.speeds.reduce((n, v) => n + v.state.replayed, 0)),
  ],
  views: [timelineView],
  summary(s, up) {
    if (!up) return { text: 'crashed', tone: 'bad' };
    switch (s.kind) {
      case 'source':
        return { text: `${s.sent.length} page views`, tone: 'neutral' };
      case 'log':
        return { text: `${s.dataset.length} facts`, tone: 'neutral' };
      case 'batch':
        return s.current === null
          ? { text: `idle · ${s.runs} runs`, tone: 'neutral' }
          : { text: `run ${s.current.run}: ${s.current.read} ev`, tone: 'good' };
      case 'speed':
        if (!s.running)
          return { text: s.stopped ? `v${s.version} stopped` : `v${s.version} idle`, tone: 'neutral' };
        if (s.next < 0) return { text: 'rebuilding', tone: 'warn' };
        return {
          text: `v${s.version} · next ${s.next}${s.reading ? ' · reading' : ''}`,
          tone: s.reading ? 'warn' : 'good',
        };
      case 'serving': {
        const h = s.horizon;
        if (s.batch !== null) return { text: `batch ${s.batch.upTo} · serves ${h} events`, tone: 'neutral' };
        if (s.active !== '') return { text: `job v${s.activeVersion} · serves ${h} events`, tone: 'neutral' };
        return { text: 'no view yet', tone: 'neutral' };
      }
      case 'dashboard': {
        const a = s.answers[s.answers.length - 1];
        return a === undefined
          ? { text: 'no answer yet', tone: 'neutral' }
          : { text: `${a.url} ${a.count}`, tone: 'neutral' };
      }
    }
  },
  bugs: [
    {
      param: 'bugDoubleCountOverlap',
      title:
        'The serving layer adds every real-time count, also those the batch view already covers: events are counted twice (never-overcounts breaks)',
    },
    {
      param: 'bugMutateMaster',
      title:
        'The master dataset is a queue: a batch run takes (deletes) what it reads and adds it to its last view, so facts are destroyed (master-immutable breaks)',
    },
    {
      param: 'bugSpeedSkipsGap',
      title:
        'The speed layer (Kappa: job v1) jumps over events it missed, after a restart, instead of reading them from the log: its answers undercount until a batch run (or a replay) heals them (answers-exact breaks)',
    },
  ],
  lesson: {
    summary:
      'The Lambda architecture computes every view as a function of all the data. Page views are appended to an immutable master dataset; a batch layer recomputes the batch view from the whole dataset in a loop, which takes longer as the data grows; a speed layer counts, event by event, what the last batch run has not covered; the serving layer answers with batch view + real-time view. Kappa drops the batch layer: one stream job over a replayable log, and a new version of the job replays the log into a new view.',
    watch: [
      'The Layers tab: each batch run is a bar whose length grows with the dataset; each installed view is a marker',
      'The metrics: stalenessMs stays low while the speed layer runs; batchEventsProcessed grows as every run reads everything again',
      'At 2 s the batch worker dies mid-run: it starts again from the master dataset, and nothing is lost',
      'At 3.2 s the speed node dies: on restart it asks the serving layer where the batch view ends and reads the log back from there',
      'The Checkers tab: every answer the dashboard got is compared with a count of the page views it covers',
    ],
    tryThis: [
      'Turn speedLayer off: answers are exact but as stale as the last batch run (stalenessMs climbs to a second and more)',
      'Turn on bugSpeedSkipsGap: after its restart the speed node skips what it missed and servedError rises, until the next batch run replaces those counts (answers-exact lists the wrong answers; converges still holds)',
      'Turn on bugDoubleCountOverlap: right after the second batch view is installed, events counted in both views are served twice and never-overcounts stops the run',
      'Turn on bugMutateMaster: the master dataset becomes a queue whose snapshots delete what they hand out; master-immutable stops the run at the second batch run (and a run cut off by a crash would take its facts with it)',
      'Open kappa-replay in the library: no batch layer; job v1 skips events after its crash, job v2 (the fix) replays the log from offset 0 and the serving layer switches to it; watch replayedEvents and servedError',
    ],
  },
};
