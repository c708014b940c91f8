/**
 * The Checkers tab: each invariant, liveness property, history checker and run check green
 * (holds), red (broken), amber (fails, but the protocol does not promise it with these params:
 * the failure is the lesson, and the tab says why) or grey (not evaluated yet); a failed
 * history or run check says what it found and lists the operations or writes that show it. A
 * violation names its message, event, time and seed, with a button that goes to the event.
 * The host stops a run at the event that broke an invariant. A history checker whose search ran
 * out of budget is grey and says "undecided". Above them, a seed search (SeedSearch) finds
 * a seed that fails a check, as `dslab check` does.
 */
import { refreshVerdicts, seek } from '../app/run';
import { useThrottledRefresh } from '../app/use-throttled';
import { formatCount, formatTime } from '../run/format';
import { verdictLook } from '../run/verdict';
import { useRun } from '../stores/run-store';
import { selectProtocol, useSession } from '../stores/session-store';
import { useUi } from '../stores/ui-store';
import { SeedSearch } from './SeedSearch';

export function CheckersView() {
  const simId = useRun((s) => s.simId);
  const event = useRun((s) => s.status?.eventIndex ?? -1);
  const violation = useRun((s) => s.violation);
  const verdicts = useRun((s) => s.verdicts);
  const checking = useRun((s) => s.checking);
  const protocol = useSession(selectProtocol);
  useThrottledRefresh(refreshVerdicts, `${simId}:${event}`, simId !== null, 400);

  const titles = new Map(
    [...(protocol?.invariants ?? []), ...(protocol?.liveness ?? []), ...(protocol?.runChecks ?? [])].map(
      (i) => [i.id, i.title],
    ),
  );
  const isLiveness = (id: string) => (protocol?.liveness ?? []).some((l) => l.id === id);
  const list =
    simId && verdicts
      ? verdicts
      : [
          ...(protocol?.invariants ?? []).map((i) => ({
            id: i.id,
            kind: 'invariant' as const,
            ok: null,
            message: '',
            atEvent: null,
          })),
          ...(protocol?.liveness ?? []).map((l) => ({
            id: l.id,
            kind: 'liveness' as const,
            ok: null,
            message: '',
            atEvent: null,
          })),
          ...(protocol?.runChecks ?? []).map((c) => ({
            id: c.id,
            kind: 'history' as const,
            ok: null,
            message: '',
            atEvent: null,
          })),
        ];

  return (
    <div className="checkers">
      <SeedSearch />
      {checking && <CheckingLine what={checking.what} done={checking.done} total={checking.total} />}
      {violation && (
        <div className="violation" role="alert">
          <p className="violation-title">
            {isLiveness(violation.invariant) ? 'Liveness' : 'Invariant'} <code>{violation.invariant}</code>{' '}
            broken
          </p>
          <p className="violation-msg">{violation.message}</p>
          <dl className="violation-facts">
            <div>
              <dt>Event</dt>
              <dd className="num">{formatCount(violation.eventIndex)}</dd>
            </div>
            <div>
              <dt>Time</dt>
              <dd className="num">{formatTime(violation.timeUs)}</dd>
            </div>
            {violation.node !== '' && (
              <div>
                <dt>Node</dt>
                <dd>{violation.node}</dd>
              </div>
            )}
            <div>
              <dt>Seed</dt>
              <dd className="num">{violation.seed}</dd>
            </div>
          </dl>
          <button
            type="button"
            className="btn"
            disabled={event === violation.eventIndex}
            onClick={() => void seek(violation.eventIndex)}
          >
            Go to event
          </button>
          {event === violation.eventIndex && (
            <span className="muted violation-here">The run is at this event.</span>
          )}
        </div>
      )}
      {list.length === 0 ? (
        <p className="muted pad">This protocol declares no checkers.</p>
      ) : (
        <ul className="verdicts" aria-label="Checkers">
          {list.map((v) => {
            // A check the protocol does not promise here fails as the lesson, not as a bug.
            const lesson = v.ok === false && 'lesson' in v && v.lesson !== undefined ? v.lesson : null;
            const { state, word } = verdictLook({ ...v, lesson: lesson ?? undefined });
            const title = ('title' in v ? v.title : undefined) ?? titles.get(v.id) ?? v.message ?? v.id;
            const details = v.ok === false && 'details' in v ? (v.details ?? []) : [];
            // A broken invariant's message is in the violation box above; other failures say theirs here.
            const says = v.ok === false && v.kind !== 'invariant' && !isLiveness(v.id) ? v.message : null;
            return (
              <li key={v.id} className={`verdict is-${state}`} data-state={state}>
                <div className="verdict-row">
                  <span className="verdict-dot" aria-hidden="true">
                    {v.ok === null ? '–' : v.ok ? '✓' : lesson !== null ? '!' : '✗'}
                  </span>
                  <span className="verdict-name">
                    <span className="verdict-title">{title}</span>
                    <code className="verdict-id">{v.id}</code>
                    <span className="verdict-kind">{v.kind}</span>
                  </span>
                  <span className={`verdict-state is-${state}`}>{word}</span>
                  {v.ok === false && v.atEvent !== null && lesson === null && (
                    <button type="button" className="btn small" onClick={() => void seek(v.atEvent ?? 0)}>
                      Go to event {formatCount(v.atEvent)}
                    </button>
                  )}
                </div>
                {says !== null && <p className="verdict-msg">{says}</p>}
                {v.ok === false && 'offending' in v && (v.offending?.length ?? 0) > 0 && (
                  <button
                    type="button"
                    className="btn small verdict-show"
                    onClick={() => useUi.getState().setTab('spacetime')}
                  >
                    Show the {formatCount(v.offending!.filter((o) => o.offending).length)} offending
                    operations on the space-time diagram
                  </button>
                )}
                {lesson !== null && (
                  <p className="verdict-lesson">
                    <strong>Not promised here:</strong> {lesson}
                  </p>
                )}
                {details.length > 0 && (
                  <details className="verdict-details">
                    <summary>
                      {details.length === 1 ? '1 item' : `${formatCount(details.length)} items`} that show it
                    </summary>
                    <ul>
                      {details.map((d) => (
                        <li key={d}>
                          <code>{d}</code>
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {!simId && <p className="muted pad">Checked as the run goes: press Play or Step.</p>}
    </div>
  );
}

/**
 * While the host checks a finished run's history in slices (seconds on a long run), how far it
 * got: the checks below stay grey until it answers.
 */
function CheckingLine({ what, done, total }: { what: string; done: number; total: number }) {
  const name = what.startsWith('history check ') ? what.slice('history check '.length) : what;
  // Progress comes in pieces (keys of the history); with one piece there is nothing between 0
  // and done, so the bar is indeterminate rather than a 0% that never moves.
  const pct = total > 1 ? Math.min(100, Math.floor((done / total) * 100)) : null;
  return (
    <p className="checkers-progress" role="status">
      <span>
        Checking the run’s history (<code>{name}</code>){pct === null ? '…' : `: ${pct}%`}
      </span>
      {pct === null ? (
        <progress aria-label={`Checking ${name}`} />
      ) : (
        <progress max={total} value={Math.min(done, total)} aria-label={`Checking ${name}`} />
      )}
    </p>
  );
}
