/**
 * The welcome view: first run, or New… in the library. Each topic the catalog has protocols
 * for is a card: one protocol, and the card opens its quick start; several, and the card offers
 * each (Consensus: Raft, Paxos, Multi-Paxos), so the learner picks. The roadmap's other
 * topics are listed as "coming". It sits above the canvas (not over it), so the workbench
 * below stays usable; it closes when a topic is chosen, a run starts or the topology is edited.
 */
import { useEffect, useId, useRef } from 'react';
import type { ProtocolInfo } from '../../../shared/api';
import { TOPICS, type TopicInfo } from '../../../shared/topics';
import { openTopic, shortTitle } from '../app/library';
import { useLibrary } from '../stores/library-store';
import { useSession } from '../stores/session-store';
import { CloseIcon } from './icons';

type Offered = TopicInfo & { protocols: ProtocolInfo[] };

/** A topic with several protocols: the learner picks one. */
function MultiCard({ topic }: { topic: Offered }) {
  const titleId = useId();
  return (
    <fieldset className="welcome-card is-multi" aria-labelledby={titleId}>
      <span className="welcome-card-title" id={titleId}>
        {topic.title}
      </span>
      <span className="welcome-card-blurb">{topic.blurb}</span>
      <span className="welcome-protocols">
        {topic.protocols.map((p) => (
          <button
            key={p.id}
            type="button"
            className="welcome-protocol"
            title={`${p.title}: ${p.summary}`}
            onClick={() => void openTopic(topic.id, { protocol: p.id })}
          >
            {shortTitle(p)}
          </button>
        ))}
      </span>
    </fieldset>
  );
}

export function Welcome() {
  const show = useLibrary((s) => s.welcome);
  const protocols = useSession((s) => s.protocols);
  const hasDoc = useLibrary((s) => s.doc !== null);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (show) ref.current?.querySelector<HTMLElement>('.welcome-grid button:not(:disabled)')?.focus();
  }, [show]);
  if (!show) return null;
  const close = () => useLibrary.getState().set({ welcome: false });
  const offered: Offered[] = TOPICS.map((t) => ({
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
              {t.protocols.length === 1 ? (
                <button type="button" className="welcome-card" onClick={() => void openTopic(t.id)}>
                  <span className="welcome-card-title">{t.title}</span>
                  <span className="welcome-card-blurb">{t.blurb}</span>
                  <span className="welcome-card-foot" title={t.protocols[0]?.title}>
                    {t.protocols[0] ? shortTitle(t.protocols[0]) : ''}
                  </span>
                </button>
              ) : (
                <MultiCard topic={t} />
              )}
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
