/**
 * The Exercise tab: the instructions, the learner's name (which picks their variant), the
 * goals with their live status, hints one at a time, the locked parts, Submit run (graded on
 * the host by runs.record) and the run history (runs.list).
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Res } from '../../../shared/api';
import { describeGoal, type Grade, grade } from '../../../shared/exercise/goals';
import type { Exercise } from '../../../shared/exercise/schema';
import { variantFor } from '../../../shared/exercise/variant';
import { call } from '../api/client';
import { applyVariant } from '../app/library';
import { reportError } from '../app/report';
import { useLearner, useLibrary } from '../stores/library-store';
import { useRun } from '../stores/run-store';
import { Markdown } from './Markdown';

type RunRecord = Res<'runs.list'>[number];

/** How often the live goal status asks the host for the run's summary, at most. */
export const LIVE_SUMMARY_MS = 1000;

const LOCK_TEXT: Record<string, string> = {
  name: 'the name',
  topic: 'the topic',
  protocol: 'the protocol',
  topology: 'the topology (nodes and links)',
  workload: 'the workload',
  faults: 'the scripted faults',
  nemesis: 'the nemesis',
  seed: 'the seed',
  limits: 'the run limits',
  params: 'every protocol parameter',
};

function lockText(lock: string): string {
  if (lock.startsWith('params.')) return `parameter ${lock.slice('params.'.length)}`;
  return LOCK_TEXT[lock] ?? lock;
}

/**
 * The goals graded client-side against the run so far (sim.summary, at most once a second,
 * one call in flight). "Live" only: the grade that counts is the host's, on Submit.
 */
function useLiveGrade(exercise: Exercise, learner: string): Grade | null {
  const simId = useRun((s) => s.simId);
  const eventIndex = useRun((s) => s.status?.eventIndex ?? 0);
  const [live, setLive] = useState<Grade | null>(null);
  const last = useRef({ at: 0, inFlight: false, timer: 0 as ReturnType<typeof setTimeout> | 0 });
  // biome-ignore lint/correctness/useExhaustiveDependencies: eventIndex is the trigger: each step or progress event may change the summary.
  useEffect(() => {
    if (!simId) {
      setLive(null);
      return;
    }
    const state = last.current;
    const fetchNow = async () => {
      state.timer = 0;
      if (state.inFlight) {
        // One call at a time; ask again once it answers, so the last event is not missed.
        state.timer = setTimeout(fetchNow, LIVE_SUMMARY_MS);
        return;
      }
      state.inFlight = true;
      state.at = performance.now();
      try {
        const summary = await call('sim.summary', { simId });
        if (useRun.getState().simId === simId)
          setLive(grade(exercise, summary, learner.trim() ? { learner } : {}));
      } catch {
        // The run was closed meanwhile; the next one starts over.
      } finally {
        state.inFlight = false;
      }
    };
    if (state.timer) return;
    const wait = Math.max(0, LIVE_SUMMARY_MS - (performance.now() - state.at));
    state.timer = setTimeout(fetchNow, wait);
  }, [simId, eventIndex, exercise, learner]);
  useEffect(
    () => () => {
      if (last.current.timer) clearTimeout(last.current.timer);
    },
    [],
  );
  return live;
}

function GradeList({ result, label }: { result: Grade; label: string }) {
  return (
    <ul className="ex-goals" aria-label={label}>
      {result.goals.map((g) => (
        <li key={g.id} className={`ex-goal ${g.passed ? 'is-pass' : 'is-fail'}`}>
          <span className="ex-goal-mark" aria-hidden="true">
            {g.passed ? '✓' : '✗'}
          </span>
          <span>
            <span className="ex-goal-title">{g.title}</span>
            <span className="sr-only">{g.passed ? ': passed. ' : ': not passed. '}</span>
            <span className="ex-goal-why">{g.why}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function Learner({ exercise }: { exercise: Exercise }) {
  const name = useLearner((s) => s.name);
  const setName = useLearner((s) => s.setName);
  const [draft, setDraft] = useState(name);
  const id = useId();
  const commit = () => {
    if (draft === name) return;
    setName(draft);
    applyVariant();
  };
  const variant = exercise.variant ? variantFor(exercise, name) : null;
  return (
    <div className="ex-block">
      <label className="ex-label" htmlFor={id}>
        Your name
      </label>
      <input
        id={id}
        className="input small ex-learner"
        value={draft}
        maxLength={200}
        placeholder="e.g. Ada Lovelace"
        aria-describedby={`${id}-hint`}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
      <p className="ex-hint" id={`${id}-hint`}>
        {exercise.variant
          ? name.trim() && variant
            ? `Your variant: seed ${variant.seed}${Object.entries(variant.params)
                .map(([k, v]) => `, ${k} ${String(v)}`)
                .join('')}.`
            : 'Each learner gets their own seed and numbers, derived from their name.'
          : 'Recorded with your runs.'}
      </p>
    </div>
  );
}

/** Stands in while no exercise is open (hooks run in the same order on every render). */
const NO_EXERCISE = { goals: [] } as unknown as Exercise;

export function ExercisePanel() {
  const doc = useLibrary((s) => s.doc);
  const learner = useLearner((s) => s.name);
  const simId = useRun((s) => s.simId);
  const exercise = doc?.exercise ?? null;
  const itemId = doc?.itemId ?? null;
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const result = useLibrary((s) => s.lastRun);
  const hintsShown = useLibrary((s) => s.hintsShown);
  const setLib = useLibrary((s) => s.set);
  const [busy, setBusy] = useState(false);
  const live = useLiveGrade(exercise ?? NO_EXERCISE, learner);

  const loadRuns = useCallback(async () => {
    if (!itemId) return setRuns([]);
    try {
      setRuns(await call('runs.list', { itemId, limit: 50 }));
    } catch {
      setRuns([]);
    }
  }, [itemId]);
  useEffect(() => {
    void loadRuns();
  }, [loadRuns]);

  if (!exercise || !doc) return null;
  const failed = runs.filter((r) => r.passed === false).length;
  const available = exercise.hints.filter((h) => h.afterFailedRuns <= failed);
  const nextLocked = exercise.hints.find((h) => h.afterFailedRuns > failed);

  const submit = async () => {
    if (!itemId || !simId) return;
    setBusy(true);
    try {
      const record = await call('runs.record', {
        itemId,
        simId,
        ...(learner.trim() ? { learner: learner.trim() } : {}),
      });
      setLib({ lastRun: record });
      await loadRuns();
    } catch (err) {
      reportError('Could not submit the run', err);
    } finally {
      setBusy(false);
    }
  };
  const submitted = result?.grade as Grade | null | undefined;

  return (
    <div className="ex">
      <div className="ex-instructions">
        <Markdown source={exercise.instructions} />
      </div>
      <div className="ex-side">
        <Learner exercise={exercise} />
        <div className="ex-block">
          <h3 className="ex-heading">Goals</h3>
          <ul className="ex-goals" aria-label="Goals">
            {exercise.goals.map((g, i) => {
              const r = live?.goals[i];
              const state = !r ? 'pending' : r.passed ? 'pass' : 'open';
              return (
                <li key={g.id} className={`ex-goal is-${state}`}>
                  <span className="ex-goal-mark" aria-hidden="true">
                    {state === 'pass' ? '✓' : '○'}
                  </span>
                  <span>
                    <span className="ex-goal-title">{r?.title ?? describeGoal(g)}</span>
                    <span className="sr-only">
                      {state === 'pass'
                        ? ': met so far. '
                        : state === 'open'
                          ? ': not met yet. '
                          : ': no run yet. '}
                    </span>
                    {r && <span className="ex-goal-why">{r.why}</span>}
                  </span>
                </li>
              );
            })}
          </ul>
          <p className="ex-hint">
            {simId ? 'Live status of the run so far; Submit to get it graded.' : 'Press Play to start a run.'}
          </p>
          <div className="ex-submit">
            <button
              type="button"
              className="btn lib-primary"
              disabled={!simId || !itemId || busy}
              title={!simId ? 'Play or step the scenario first' : undefined}
              onClick={() => void submit()}
            >
              {busy ? 'Submitting…' : 'Submit run'}
            </button>
          </div>
          {submitted && (
            <div
              className={`ex-result ${submitted.passed ? 'is-pass' : 'is-fail'}`}
              role="status"
              aria-label="Grade"
            >
              <p className="ex-result-head">
                {submitted.passed ? 'Passed: every goal is met.' : 'Not passed yet.'}{' '}
                <span className="ex-dim">
                  seed {result?.seed} · {result?.outcome}
                </span>
              </p>
              <GradeList result={submitted} label="Graded goals" />
            </div>
          )}
        </div>
        {exercise.hints.length > 0 && (
          <div className="ex-block">
            <h3 className="ex-heading">Hints</h3>
            <ol className="ex-hints">
              {available.slice(0, hintsShown).map((h) => (
                <li key={h.text}>
                  <Markdown source={h.text} />
                </li>
              ))}
            </ol>
            {hintsShown < available.length ? (
              <button
                type="button"
                className="btn small"
                onClick={() => setLib({ hintsShown: hintsShown + 1 })}
              >
                Show hint {hintsShown + 1} of {exercise.hints.length}
              </button>
            ) : nextLocked ? (
              <p className="ex-hint">
                Another hint after {nextLocked.afterFailedRuns} failed{' '}
                {nextLocked.afterFailedRuns === 1 ? 'run' : 'runs'} ({failed} so far).
              </p>
            ) : null}
          </div>
        )}
        {exercise.locks.length > 0 && (
          <div className="ex-block">
            <h3 className="ex-heading">Locked</h3>
            <p className="ex-hint">The exercise grades a run only if these are as given:</p>
            <ul className="ex-locks">
              {exercise.locks.map((l) => (
                <li key={l} className="ex-lock-item">
                  <span className="ex-lock" aria-hidden="true" />
                  {lockText(l)}
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="ex-block">
          <h3 className="ex-heading">Your runs</h3>
          {runs.length === 0 ? (
            <p className="ex-hint">No submitted runs yet.</p>
          ) : (
            <ul className="ex-history" aria-label="Run history">
              {runs.map((r) => (
                <li key={r.id} className={`ex-run ${r.passed ? 'is-pass' : 'is-fail'}`}>
                  <span className="ex-goal-mark" aria-hidden="true">
                    {r.passed ? '✓' : '✗'}
                  </span>
                  <span>
                    {r.passed ? 'passed' : 'not passed'} · seed {r.seed} · {r.outcome}
                    {r.learner ? ` · ${r.learner}` : ''}
                  </span>
                  <span className="ex-dim">{new Date(r.createdAt).toLocaleTimeString()}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </div>
  );
}
