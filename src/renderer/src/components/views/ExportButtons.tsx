import type { RefObject } from 'react';
import { exportPng, exportSvg } from './export';

/** "Export SVG" and "Export PNG" for a view drawn into one SVG element. */
export function ExportButtons({
  svg,
  stem,
  className = 'views-group',
}: {
  /** The view's SVG element. */
  svg: RefObject<SVGSVGElement | null>;
  /** File name without extension, computed at click time. */
  stem: () => string;
  /** Wrapper class (layout in the view's header). */
  className?: string;
}) {
  return (
    <div className={className}>
      <button
        type="button"
        className="btn small"
        onClick={() => svg.current && exportSvg(svg.current, stem())}
      >
        Export SVG
      </button>
      <button
        type="button"
        className="btn small"
        onClick={() => svg.current && void exportPng(svg.current, stem())}
      >
        Export PNG
      </button>
    </div>
  );
}
