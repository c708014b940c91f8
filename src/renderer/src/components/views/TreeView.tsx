/**
 * The generic renderer of a 'tree' view (src/shared/api/views.ts), such as ZooKeeper's Znodes
 * tab: one row per tree node, indented by its depth under a guide line, with its label, a
 * detail line and small badges, coloured by tone (the timeline's tones: neutral, info, good,
 * warn, bad). What a row is belongs to the protocol; this component only indents and colours.
 * Bound to the current event (refreshed while shown, at most every 300 ms).
 */
import type { TreeViewData } from '../../../../shared/api';
import { useProtocolView } from './use-protocol-view';

const REFRESH_MS = 300;
/** Indentation per level, px. */
const INDENT_PX = 18;

type Tone = TreeViewData['rows'][number]['tone'];

export function TreeView({ viewId }: { viewId: string; protocolId: string }) {
  const { simId, data, box } = useProtocolView(viewId, 'tree', REFRESH_MS, 'the tree');

  if (!simId || !data) {
    return (
      <div className="empty" ref={box}>
        <p className="empty-title">{simId ? 'Reading the tree…' : 'No run yet'}</p>
        <p className="empty-body">Press Play or Step: the tree appears here and changes as the run goes.</p>
      </div>
    );
  }

  return (
    <div className="views-ring">
      <div className="views-bar" role="toolbar" aria-label="Tree">
        <span className="views-readout">{data.caption}</span>
        {data.source && <span className="views-readout tree-source">{data.source}</span>}
        {data.legend && data.legend.length > 0 && (
          <ul className="views-legend" aria-label="Legend">
            {data.legend.map((l) => (
              <li key={l.tone} className="views-legend-item">
                <span className={`tree-dot tone-${l.tone}`} />
                {l.label}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="views-ring-box" ref={box}>
        <ul className="tree-rows" aria-label={data.caption}>
          {data.rows.map((r) => (
            <li
              key={r.id}
              className={`tree-row tone-${r.tone satisfies Tone}`}
              style={{ paddingLeft: 10 + r.depth * INDENT_PX }}
              title={r.title}
              data-testid="tree-row"
              data-depth={r.depth}
            >
              <span className={`tree-dot tone-${r.tone}`} aria-hidden="true" />
              <span className="tree-label">{r.label}</span>
              <span className="tree-detail">{r.detail}</span>
              {r.badges.map((b) => (
                <span key={b.text} className={`tree-badge tone-${b.tone}`} title={b.title}>
                  {b.text}
                </span>
              ))}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
