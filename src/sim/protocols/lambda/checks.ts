import type { Invariant, Liveness, MetricSpec, NodeView, RunCheck } from '../../protocol';
import {
  type Answer,
  add,
  type BatchState,
  type Counts,
  type DashboardState,
  type LambdaParams,
  type LambdaState,
  type LogState,
  ms,
  type ServingState,
  type SourceState,
  type SpeedState,
} from './types';

/**
 * The ground truth and the checks of the Lambda and Kappa architectures: what is served is
 * compared with the page views the sources emitted (docs/protocols/lambda.md "Checks").
 */

type P = LambdaParams;

/** The nodes a check reads, by role. */
export interface World {
  log: LogState | undefined;
  sources: Record<string, SourceState>;
  serving: NodeView<ServingState> | undefined;
  batch: BatchState | undefined;
  speeds: NodeView<SpeedState>[];
  dashboards: DashboardState[];
}

export function worldOf(nodes: readonly NodeView<LambdaState>[]): World {
  const w: World = {
    log: undefined,
    sources: {},
    serving: undefined,
    batch: undefined,
    speeds: [],
    dashboards: [],
  };
  for (const n of nodes) {
    const s = n.state;
    if (s.kind === 'log') w.log = s;
    else if (s.kind === 'source') w.sources[n.id] = s;
    else if (s.kind === 'serving') w.serving = n as NodeView<ServingState>;
    else if (s.kind === 'batch') w.batch = s;
    else if (s.kind === 'speed') w.speeds.push(n as NodeView<SpeedState>);
    else if (s.kind === 'dashboard') w.dashboards.push(s);
  }
  return w;
}

/**
 * The ground truth: page views per URL over the dataset's offsets below `upTo`, read from what
 * the sources emitted (so a fact changed or deleted in the dataset still counts as it was).
 */
export function truth(w: Pick<World, 'log' | 'sources'>, upTo: number): Counts {
  const c: Counts = {};
  const facts = w.log?.dataset ?? [];
  for (let i = 0; i < Math.min(upTo, facts.length); i++) {
    const f = facts[i]!;
    const url = w.sources[f.source]?.sent[f.n];
    if (url !== undefined) add(c, url);
  }
  return c;
}

/** Where two views differ, in words ('' when they are equal). */
export function diff(got: Counts, want: Counts): string {
  const out: string[] = [];
  for (const url of [...new Set([...Object.keys(got), ...Object.keys(want)])].sort())
    if ((got[url] ?? 0) !== (want[url] ?? 0)) out.push(`${url} ${got[url] ?? 0} (truth ${want[url] ?? 0})`);
  return out.join(', ');
}

/** Marz ch. 2: the master dataset only grows; no fact is ever changed or deleted. */
export const masterImmutable: Invariant<LambdaState> = {
  id: 'master-immutable',
  title: 'The master dataset only grows: every fact stays as it was written',
  check({ changed, nodes }) {
    if (changed.state.kind !== 'log') return null;
    const w = worldOf(nodes);
    for (const f of changed.state.dataset) {
      const sent = w.sources[f.source]?.sent[f.n];
      if (sent !== undefined && f.url !== sent)
        return `fact ${f.offset} (${f.source} #${f.n}, a view of ${sent}) now reads ${f.url === '' ? 'deleted' : f.url}`;
    }
    return null;
  },
};

/** Marz ch. 1: batch view = function(all data), exactly. */
export const batchViewExact: Invariant<LambdaState> = {
  id: 'batch-view-exact',
  title: 'Every batch view installed equals the page views counted over the dataset it covers',
  check({ changed, nodes, events }) {
    if (changed.state.kind !== 'serving' || !events.some((e) => e.type === 'batch-view-installed'))
      return null;
    const b = changed.state.batch;
    if (b === null) return null;
    const d = diff(b.counts, truth(worldOf(nodes), b.upTo));
    return d === '' ? null : `batch view ${b.run} (offsets below ${b.upTo}): ${d}`;
  },
};

/** No event is counted twice: a served count never exceeds the page views appended so far. */
export const neverOvercounts: Invariant<LambdaState> = {
  id: 'never-overcounts',
  title: 'No page view is counted twice: a served count never exceeds the views appended so far',
  check({ changed, nodes }) {
    if (changed.state.kind !== 'serving') return null;
    const w = worldOf(nodes);
    const served = changed.state.merged;
    const all = truth(w, w.log?.dataset.length ?? 0);
    for (const url of Object.keys(served).sort())
      if ((served[url] ?? 0) > (all[url] ?? 0))
        return `the serving layer counts ${served[url]} views of ${url}, but only ${all[url] ?? 0} happened`;
    return null;
  },
};

/**
 * Every answer the dashboard got was exact for what it claimed to cover: the count of page views
 * of that URL over the offsets below its horizon. A speed-layer bug shows here (and is listed);
 * it does not stop the run, so the healing by the next batch run can be watched.
 */
export const answersExact: RunCheck<LambdaState, P> = {
  id: 'answers-exact',
  title: 'Every answer equals the page views of its URL over the events it covers',
  check({ nodes }) {
    const w = worldOf(nodes);
    const wrong: string[] = [];
    let n = 0;
    for (const d of w.dashboards)
      for (const a of d.answers) {
        n += 1;
        const want = truth(w, a.horizon)[a.url] ?? 0;
        if (a.count !== want)
          wrong.push(`at ${ms(a.atUs)}: ${a.url} ${a.count}, truth ${want} over offsets below ${a.horizon}`);
      }
    return wrong.length === 0
      ? null
      : { message: `${wrong.length} of ${n} answers were wrong for the events they covered`, details: wrong };
  },
};

/**
 * Once the sources are done and the faults have stopped, the served view converges to the truth:
 * the batch layer catches up with the whole dataset (Lambda) or the job reaches the log's end
 * (Kappa), and every count is exact.
 */
export const converges: Liveness<LambdaState, P> = {
  id: 'converges',
  title: 'Once the page views stop, the served counts equal the truth within the bound',
  withinUs: (p) => p.settleMs * 1000,
  check({ nodes, nowUs }, p) {
    const w = worldOf(nodes);
    if (w.log === undefined || w.serving === undefined) return null;
    for (const s of Object.values(w.sources)) if (s.sent.length < p.eventsPerSource) return null;
    const last = w.log.dataset[w.log.dataset.length - 1];
    if (last !== undefined && nowUs < last.atUs + p.settleMs * 1000) return null;
    const len = w.log.dataset.length;
    const { merged: counts, horizon } = w.serving.state;
    if (horizon < len) return `the served view covers offsets below ${horizon} of ${len}`;
    const d = diff(counts, truth(w, len));
    return d === '' ? null : `the served counts are wrong: ${d}`;
  },
};

export const metric = (id: string, unit: string, read: (w: World) => number): MetricSpec<LambdaState> => ({
  id,
  unit,
  read: (nodes: readonly NodeView<LambdaState>[]) => read(worldOf(nodes)),
});

/**
 * How stale an answer was: how long before it the first page view it does not count was
 * appended to the master dataset (0 when it counted every page view appended by then).
 */
function stalenessOf(w: World, a: Answer): number {
  const missed = w.log?.dataset[a.horizon];
  return missed === undefined ? 0 : Math.max(0, Math.round((a.atUs - missed.atUs) / 1000));
}

/** The staleness of the latest answer. */
export function staleness(w: World): number {
  let last: Answer | undefined;
  for (const d of w.dashboards) {
    const a = d.answers[d.answers.length - 1];
    if (a !== undefined && (last === undefined || a.atUs > last.atUs)) last = a;
  }
  return last === undefined ? 0 : stalenessOf(w, last);
}

/** The worst staleness of any answer so far. */
export function maxStaleness(w: World): number {
  let worst = 0;
  for (const d of w.dashboards) for (const a of d.answers) worst = Math.max(worst, stalenessOf(w, a));
  return worst;
}

/** Σ over URLs of |served − truth over what the served view covers|: the served view's error. */
export function servedError(w: World): number {
  if (w.serving === undefined) return 0;
  const { merged: counts, horizon } = w.serving.state;
  const want = truth(w, horizon);
  let e = 0;
  for (const url of new Set([...Object.keys(counts), ...Object.keys(want)]))
    e += Math.abs((counts[url] ?? 0) - (want[url] ?? 0));
  return e;
}
