/**
 * Small rewrites of an SVG string that Vega wrote: ids that do not depend on the process, and the
 * accessible name and description of the image. String rewrites, not a DOM: the input is
 * Vega's own regular output, and a parser would be a dependency for three substitutions.
 */

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Renames every `id` in the SVG to `<prefix>-<n>`, numbered in order of appearance, and every
 * reference to it (`url(#…)`, `href="#…"`). Vega numbers clip paths and gradients with counters
 * that live as long as the process, so the second chart of a run would not match the same chart
 * made alone; and charts inlined in one HTML page share one id namespace, so each needs a prefix
 * of its own.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const renamed = new Map<string, string>();
  const rename = (id: string) => {
    let name = renamed.get(id);
    if (name === undefined) {
      name = `${prefix}-${renamed.size + 1}`;
      renamed.set(id, name);
    }
    return name;
  };
  // Ids first, in document order, so numbering follows the document and not the references.
  const withIds = svg.replace(/(\sid=")([^"]+)(")/g, (_, open: string, id: string, close: string) => `${open}${rename(id)}${close}`);
  return withIds
    .replace(/url\(#([^)]+)\)/g, (whole, id: string) => (renamed.has(id) ? `url(#${renamed.get(id)})` : whole))
    .replace(/(href=")#([^"]+)(")/g, (whole, open: string, id: string, close: string) => (renamed.has(id) ? `${open}#${renamed.get(id)}${close}` : whole));
}

/**
 * Gives the root `<svg>` `role="img"` and an `aria-label`, and puts `<title>` and `<desc>` first
 * inside it, where SVG readers and assistive technology look for them.
 */
export function labelSvg(svg: string, title: string, description: string): string {
  const rootEnd = svg.indexOf('>', svg.indexOf('<svg'));
  if (rootEnd < 0) throw new Error('not an SVG document');
  const root = svg.slice(0, rootEnd).replace(/\s(role|aria-label)="[^"]*"/g, '');
  return `${root} role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title><desc>${escapeXml(description)}</desc>${svg.slice(rootEnd + 1)}`;
}

/**
 * An SVG ready to sit inside an HTML page: the XML namespace declarations go, since the HTML
 * parser puts `<svg>` in its namespace itself, and a page that must make no requests should not
 * carry addresses a checker cannot tell from links.
 */
export function inlineSvg(svg: string): string {
  const rootEnd = svg.indexOf('>', svg.indexOf('<svg'));
  const root = svg.slice(0, rootEnd).replace(/\sxmlns(:\w+)?="[^"]*"/g, '');
  return `${root}${svg.slice(rootEnd)}`;
}
