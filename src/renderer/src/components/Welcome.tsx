/**
 * The welcome view: first run, or File › New with nothing open. Each topic the catalog has
 * protocols for is a card that opens its built-in scenario with the Lesson tab, ready to Play;
 * the roadmap's other topics are listed as "coming". It sits above the canvas (not over it),
 * so the workbench below stays usable; it closes when a topic is chosen, a run starts or the
 * topology is edited.
 */
import { useEffect, useRef } from 'react';
import { TOPICS } from '../../../shared/topics';
import { openTopic } from '../app/library';
import { useLibrary } from '../stores/library-store';
import { useSession } from '../stores/session-store';
import { CloseIcon } from './icons';

export function Welcome() {
  const show = useLibrary((s) => s.welcome);
  const protocols = useSession((s) => s.protocols);
  const hasDoc = useLibrary((s) => s.doc !== null);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (show) ref.current?.querySelector<HTMLElement>('.welcome-card:not(:disabled)')?.focus();
  }, [show]);
  if (!show) return null;
  const close = () => useLibrary.getState().set({ welcome: false });
  const offered = TOPICS.map((t) => ({
    ...t,
    protocols: protocols.filter((p) => p.topic === t.id),
  }));
  // Topics with protocols first, in roadmap order; then the ones still coming.
  const ready = offered.filter((t) => t.protocols.length > 0);
  const coming = offered.filter((t) => t.protocols.length === 0);
  return (
    <section
      ref={ref}
      className="welcome"
      aria-labelledby="welcome-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && hasDoc) {
          e.stopPropagation();
          close();
        }
      }}
    >
      <div className="welcome-inner">
        <div className="welcome-head">
          <div>
            <h2 id="welcome-title" className="welcome-title">
              Welcome to DSLab
            </h2>
            <p className="welcome-lede">
              Pick a topic to open a ready-made cluster with its lesson, then press Play. Your own work is in
              the Library tab; drop a .dslab.json file anywhere to import it.
            </p>
          </div>
          {hasDoc && (
            <button type="button" className="icon-btn" aria-label="Close the welcome view" onClick={close}>
              <CloseIcon />
            </button>
          )}
        </div>
        <ul className="welcome-grid" aria-label="Topics">
          {ready.map((t) => (
            <li key={t.id} className="welcome-cell">
              <button type="button" className="welcome-card" onClick={() => void openTopic(t.id)}>
                <span className="welcome-card-title">{t.title}</span>
                <span className="welcome-card-blurb">{t.blurb}</span>
                <span className="welcome-card-foot" title={t.protocols.map((p) => p.title).join(' · ')}>
                  {t.protocols.length === 1 ? t.protocols[0]?.title : `${t.protocols.length} protocols`}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {coming.length > 0 && (
          <div className="welcome-coming">
            <h3 className="welcome-coming-title" id="welcome-coming">
              Coming
            </h3>
            <ul className="welcome-chips" aria-labelledby="welcome-coming">
              {coming.map((t) => (
                <li key={t.id}>
                  <button type="button" className="welcome-chip" disabled title={t.blurb}>
                    {t.title}
                    <span className="sr-only">: coming. {t.blurb}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </section>
  );
}
