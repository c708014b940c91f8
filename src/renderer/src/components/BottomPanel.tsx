/**
 * The bottom panel: event log, metrics, checkers and lesson tabs (WAI-ARIA tabs pattern), plus
 * the Exercise tab while an exercise is open (its selection lives in the library store). Its
 * height comes from the splitter above it (Splitter.tsx); it collapses to its tab strip.
 */
import {
  type CSSProperties,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { setBottomCollapsed } from '../app/layout';
import { useLibrary } from '../stores/library-store';
import { useRun } from '../stores/run-store';
import { selectProtocol, useSession } from '../stores/session-store';
import { type PanelTab, useUi } from '../stores/ui-store';
import { CheckersView } from './CheckersView';
import { ContextMenu } from './ContextMenu';
import { EventLog } from './EventLog';
import { ExercisePanel } from './ExercisePanel';
import { ChevronDownIcon } from './icons';
import { MetricsView } from './MetricsView';
import { useFold } from './useFold';
import { CompareView } from './views/CompareView';
import { DagView } from './views/DagView';
import { ExperimentView } from './views/ExperimentView';
import { LogGridView } from './views/LogGridView';
import { RingView } from './views/RingView';
import { SpaceTimeView } from './views/SpaceTimeView';
import { TimelineView } from './views/TimelineView';
import { TreeView } from './views/TreeView';

type Tab = PanelTab | 'exercise';

/** The tabs every protocol has; a protocol's views and experiment come after Metrics (docs/views.md). */
const TABS: { id: Tab; label: string }[] = [
  { id: 'events', label: 'Event log' },
  { id: 'spacetime', label: 'Space-time' },
  { id: 'metrics', label: 'Metrics' },
  { id: 'checkers', label: 'Checkers' },
  { id: 'lesson', label: 'Lesson' },
  { id: 'compare', label: 'Compare' },
];

function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      <p className="empty-body">{children}</p>
    </div>
  );
}

function TabBody({ tab }: { tab: Tab }) {
  const protocol = useSession(selectProtocol);
  if (tab.startsWith('view:')) {
    const view = protocol?.views.find((v) => `view:${v.id}` === tab);
    if (!protocol || !view) return null;
    // One generic renderer per kind of view (src/shared/api/views.ts).
    switch (view.kind) {
      case 'ring':
        return <RingView viewId={view.id} protocolId={protocol.id} />;
      case 'log-grid':
        return <LogGridView viewId={view.id} protocolId={protocol.id} />;
      case 'timeline':
        return <TimelineView viewId={view.id} protocolId={protocol.id} />;
      case 'tree':
        return <TreeView viewId={view.id} protocolId={protocol.id} />;
      case 'dag':
        return <DagView viewId={view.id} protocolId={protocol.id} />;
    }
  }
  switch (tab) {
    case 'exercise':
      return <ExercisePanel />;
    case 'events':
      return <EventLog />;
    case 'spacetime':
      return <SpaceTimeView />;
    case 'experiment': {
      const info = protocol?.experiments[0];
      return info ? <ExperimentView info={info} /> : null;
    }
    case 'metrics':
      return <MetricsView />;
    case 'checkers':
      return <CheckersView />;
    case 'compare':
      return <CompareView />;
    case 'lesson': {
      const lesson = protocol?.lesson;
      if (!protocol || !lesson) {
        return (
          <Empty title="No lesson yet">
            The chosen protocol’s lesson — the concept, what to watch, things to try — will appear here.
          </Empty>
        );
      }
      return (
        <div className="lesson">
          <div className="lesson-intro">
            <h3 className="lesson-title">{protocol.title}</h3>
            <p>{lesson.summary}</p>
          </div>
          {lesson.watch.length > 0 && (
            <div className="lesson-col">
              <h4>What to watch</h4>
              <ul>
                {lesson.watch.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </div>
          )}
          {lesson.tryThis.length > 0 && (
            <div className="lesson-col">
              <h4>Try this</h4>
              <ol>
                {lesson.tryThis.map((t) => (
                  <li key={t}>{t}</li>
                ))}
              </ol>
            </div>
          )}
        </div>
      );
    }
  }
}

/** A red count on the Checkers tab while a checker is broken. */
function BrokenCount() {
  const broken = useRun((s) =>
    // A check that fails as the lesson (not promised here) is not counted as broken.
    s.status?.violation
      ? 1
      : (s.verdicts?.filter((v) => v.ok === false && v.lesson === undefined).length ?? 0),
  );
  if (broken === 0) return null;
  return (
    <span className="tab-count" title={`${broken} broken`}>
      <span className="sr-only">, </span>
      {broken} broken
    </span>
  );
}

/** The panel's element id (the splitter's aria-controls). */
export const BOTTOM_PANEL_ID = 'bottom-panel';

export function BottomPanel() {
  const collapsed = useUi((s) => s.bottomCollapsed);
  const heightPx = useUi((s) => s.bottomHeightPx);
  const uiTab = useUi((s) => s.tab);
  const setUiTab = useUi((s) => s.setTab);
  const isExercise = useLibrary((s) => s.doc?.kind === 'exercise');
  const exerciseTab = useLibrary((s) => s.exerciseTab);
  const views = useSession((s) => selectProtocol(s)?.views);
  // The protocol's own views come after the metrics, in the order it declares them.
  const viewTabs = (views ?? []).map((v) => ({ id: `view:${v.id}` as const, label: v.title }));
  const hasExperiment = useSession((s) => (selectProtocol(s)?.experiments.length ?? 0) > 0);
  const at = TABS.findIndex((t) => t.id === 'metrics') + 1;
  const shown: { id: Tab; label: string }[] = [
    ...TABS.slice(0, at),
    ...viewTabs,
    ...(hasExperiment ? [{ id: 'experiment' as const, label: 'Experiment' }] : []),
    ...TABS.slice(at),
  ];
  const tabs = isExercise ? [{ id: 'exercise' as const, label: 'Exercise' }, ...shown] : shown;
  // A protocol's tab (a view, the Experiment) left behind by a protocol switch falls back to the log.
  const tab: Tab =
    isExercise && exerciseTab ? 'exercise' : shown.some((t) => t.id === uiTab) ? uiTab : 'events';
  const setTab = (t: Tab) => {
    // Choosing a tab of a collapsed panel opens it, as in an editor's panel.
    setBottomCollapsed(false);
    if (t === 'exercise') useLibrary.getState().set({ exerciseTab: true });
    else {
      useLibrary.getState().set({ exerciseTab: false });
      setUiTab(t);
    }
  };
  // A tab chosen elsewhere (the checkers on a violation, the lesson on a topic) takes over.
  useEffect(
    () =>
      useUi.subscribe((s, prev) => {
        if (s.tab === prev.tab) return;
        useLibrary.getState().set({ exerciseTab: false });
        setBottomCollapsed(false); // so a violation's Checkers tab is seen
      }),
    [],
  );
  const base = useId();
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  // A narrow panel first packs its tabs tighter, then moves the last ones (never the chosen
  // one) into the "More tabs" menu: level 1 is compact, each level above it one tab less.
  const head = useRef<HTMLDivElement>(null);
  const strip = useRef<HTMLDivElement>(null);
  const level = useFold(head, [strip], tabs.length, tabs.map((t) => t.id).join(' '));
  const others = tabs.filter((t) => t.id !== tab);
  const folded = level > 1 ? others.slice(-(level - 1)) : [];
  const inStrip = tabs.filter((t) => !folded.includes(t));
  const [moreAt, setMoreAt] = useState<{ x: number; y: number } | null>(null);
  const moreButton = useRef<HTMLButtonElement>(null);
  const closeMore = useCallback(() => setMoreAt(null), []);
  const onKeyDown = (e: KeyboardEvent) => {
    const i = inStrip.findIndex((t) => t.id === tab);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % inStrip.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + inStrip.length) % inStrip.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = inStrip.length - 1;
    const t = inStrip[next];
    if (!t) return;
    e.preventDefault();
    setTab(t.id);
    refs.current[t.id]?.focus();
  };
  const chooseFolded = (t: Tab) => {
    setTab(t);
    // The chosen tab takes a place in the strip; the focus goes to it once it is drawn.
    requestAnimationFrame(() => refs.current[t]?.focus());
  };
  // The chosen height overrides the default for the tab (styles.css, "Timeline scrubber, splitter…").
  const style = heightPx === null ? undefined : ({ '--bottom-h': `${heightPx}px` } as CSSProperties);
  return (
    <section
      id={BOTTOM_PANEL_ID}
      className={`bottom${collapsed ? ' is-collapsed' : ''}`}
      aria-label="Run output"
      style={style}
    >
      <div ref={head} className={`bottom-head${level > 0 ? ' is-compact' : ''}`}>
        <div ref={strip} className="tabs" role="tablist" aria-label="Run output" onKeyDown={onKeyDown}>
          {inStrip.map((t) => (
            <button
              key={t.id}
              ref={(el) => {
                refs.current[t.id] = el;
              }}
              type="button"
              role="tab"
              id={`${base}-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`${base}-panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              className={t.id === 'exercise' ? 'tab tab-exercise' : 'tab'}
              onClick={() => setTab(t.id)}
            >
              {t.label}
              {t.id === 'checkers' && <BrokenCount />}
            </button>
          ))}
        </div>
        {folded.length > 0 && (
          <button
            ref={moreButton}
            type="button"
            className="tabs-more"
            aria-haspopup="menu"
            aria-expanded={moreAt !== null}
            aria-label={`${folded.length} more tabs`}
            title={folded.map((t) => t.label).join(', ')}
            onClick={() => {
              const r = moreButton.current?.getBoundingClientRect();
              setMoreAt(moreAt || !r ? null : { x: r.left, y: r.bottom + 2 });
            }}
          >
            {folded.length} more
            <ChevronDownIcon />
          </button>
        )}
        {moreAt && (
          <ContextMenu
            x={moreAt.x}
            y={moreAt.y}
            label="More tabs"
            items={folded.map((t) => ({ label: t.label, run: () => chooseFolded(t.id) }))}
            onClose={closeMore}
          />
        )}
        <button
          type="button"
          className="icon-btn small bottom-toggle"
          aria-expanded={!collapsed}
          aria-controls={BOTTOM_PANEL_ID}
          aria-label={collapsed ? 'Expand bottom panel' : 'Collapse bottom panel'}
          title={collapsed ? 'Expand the panel' : 'Collapse the panel to its tabs'}
          onClick={() => setBottomCollapsed(!collapsed)}
        >
          <ChevronDownIcon />
        </button>
      </div>
      {tabs.map((t) => (
        <div
          key={t.id}
          role="tabpanel"
          id={`${base}-panel-${t.id}`}
          aria-labelledby={`${base}-tab-${t.id}`}
          hidden={collapsed || tab !== t.id}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: APG tabs: a panel that scrolls without controls (metrics, lesson) must take focus to scroll by keyboard.
          tabIndex={0}
          className="tabpanel"
        >
          {tab === t.id && !collapsed && <TabBody tab={t.id} />}
        </div>
      ))}
    </section>
  );
}
