/**
 * The welcome view: first run, or New… in the library. Each topic the catalog has protocols
 * for is a card: one protocol, and the card opens its quick start; several, and the card offers
 * each (Consensus: Raft, Paxos, Multi-Paxos), so the learner picks. "Empty canvas…" starts a
 * new document with a chosen topic and protocol and no nodes. The roadmap's other
 * topics are listed as "coming". It sits above the canvas (not over it), so the workbench
 * below stays usable; it closes when a topic is chosen, a run starts or the topology is edited.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ProtocolInfo } from '../../../shared/api';
import { TOPICS, type TopicInfo } from '../../../shared/topics';
import { newEmptyCanvas, openTopic, shortTitle } from '../app/library';
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

/**
 * A new document with no nodes: a button in the head that opens a small form (topic, protocol,
 * Start empty). Closed, it adds no height, so the canvas below keeps its room.
 */
function EmptyCanvas({
  ready,
  open,
  setOpen,
}: {
  ready: Offered[];
  open: boolean;
  setOpen(open: boolean): void;
}) {
  const current = useSession((s) => s.protocolId);
  const protocols = useSession((s) => s.protocols);
  const [protocolId, setProtocolId] = useState<string>('');
  const ids = useId();
  const formRef = useRef<HTMLFieldSetElement>(null);
  const chosen = protocols.find((p) => p.id === protocolId) ?? protocols.find((p) => p.id === current);
  const topic = chosen?.topic ?? ready[0]?.id ?? '';
  const inTopic = ready.find((t) => t.id === topic)?.protocols ?? [];
  useEffect(() => {
    if (open) formRef.current?.querySelector<HTMLElement>('select')?.focus();
  }, [open]);
  if (!open)
    return (
      <button
        type="button"
        className="btn small welcome-empty-open"
        aria-expanded={false}
        title="A new scenario with no nodes: choose a topic and a protocol, then build the cluster from the Parts tab"
        onClick={() => setOpen(true)}
      >
        Empty canvas…
      </button>
    );
  return (
    <fieldset
      ref={formRef}
      className="welcome-empty"
      aria-labelledby={`${ids}-title`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          setOpen(false);
        }
      }}
    >
      <span className="welcome-empty-title" id={`${ids}-title`}>
        Empty canvas
      </span>
      <label className="welcome-field" htmlFor={`${ids}-topic`}>
        <span className="welcome-field-label">Topic</span>
        <select
          id={`${ids}-topic`}
          className="select small"
          value={topic}
          onChange={(e) => setProtocolId(ready.find((t) => t.id === e.target.value)?.protocols[0]?.id ?? '')}
        >
          {ready.map((t) => (
            <option key={t.id} value={t.id}>
              {t.title}
            </option>
          ))}
        </select>
      </label>
      <label className="welcome-field" htmlFor={`${ids}-protocol`}>
        <span className="welcome-field-label">Protocol</span>
        <select
          id={`${ids}-protocol`}
          className="select small"
          value={chosen?.id ?? ''}
          onChange={(e) => setProtocolId(e.target.value)}
        >
          {inTopic.map((p) => (
            <option key={p.id} value={p.id}>
              {shortTitle(p)}
            </option>
          ))}
        </select>
      </label>
      <span className="welcome-empty-note">No nodes: build the cluster from the Parts tab.</span>
      <span className="welcome-empty-buttons">
        <button
          type="button"
          className="btn small lib-primary"
          disabled={!chosen}
          onClick={() => chosen && void newEmptyCanvas(chosen.id)}
        >
          Start empty
        </button>
        <button type="button" className="btn small" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </span>
    </fieldset>
  );
}

export function Welcome() {
  const show = useLibrary((s) => s.welcome);
  const protocols = useSession((s) => s.protocols);
  const hasDoc = useLibrary((s) => s.doc !== null);
  const [emptyOpen, setEmptyOpen] = useState(false);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (show) ref.current?.querySelector<HTMLElement>('.welcome-grid button:not(:disabled)')?.focus();
    else setEmptyOpen(false);
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
          {!emptyOpen && <EmptyCanvas ready={ready} open={false} setOpen={setEmptyOpen} />}
          {hasDoc && (
            <button type="button" className="icon-btn" aria-label="Close the welcome view" onClick={close}>
              <CloseIcon />
            </button>
          )}
        </div>
        {emptyOpen && <EmptyCanvas ready={ready} open setOpen={setEmptyOpen} />}
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
