/**
 * Saving a view: an SVG element as a standalone .svg file or as a .png, via a Blob and an
 * <a download> (works the same in Electron, where it opens the save dialog, and in a browser).
 * The views draw with explicit colours (see palette.ts), so the file needs no stylesheet.
 */

/** Hands a blob to the browser as a download named `fileName`. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own reference by now; revoke after the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The SVG as a standalone document (namespaces, size, no interaction-only attributes). */
export function svgText(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  const { width, height } = svg.getBoundingClientRect();
  if (!clone.getAttribute('width')) clone.setAttribute('width', String(Math.round(width)));
  if (!clone.getAttribute('height')) clone.setAttribute('height', String(Math.round(height)));
  for (const el of clone.querySelectorAll('[tabindex]')) el.removeAttribute('tabindex');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

/** Saves the SVG element as `<name>.svg`. */
export function exportSvg(svg: SVGSVGElement, name: string): void {
  downloadBlob(new Blob([svgText(svg)], { type: 'image/svg+xml' }), `${name}.svg`);
}

/** Saves the SVG element as `<name>.png` at `scale` times its size (sharp on HiDPI screens). */
export async function exportPng(svg: SVGSVGElement, name: string, scale = 2): Promise<void> {
  const text = svgText(svg);
  const { width, height } = svg.getBoundingClientRect();
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('The diagram could not be drawn as an image'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('No 2D canvas to draw on');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('The image could not be encoded');
    downloadBlob(blob, `${name}.png`);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A file-name stem with the protocol and the event: "space-time-broadcast-e1234". */
export function fileStem(view: string, protocol: string | undefined, event?: number): string {
  const parts = [view, protocol ?? 'run', event !== undefined ? `e${event}` : ''].filter(Boolean);
  return parts.join('-').replace(/[^A-Za-z0-9._-]+/g, '-');
}
