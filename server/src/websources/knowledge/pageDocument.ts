import { createHash } from 'node:crypto';
import type { TextSpan } from '../../ingestion/extract/index.js';

// A synced page handed to the knowledge pipeline as a Markdown file. The
// engine has already extracted the page (HTML in process, documents in the
// sandbox); writing its spans back as Markdown, with each section trail as
// headings, lets the one ingestion pipeline chunk, embed and index it like an
// upload, and its Markdown reader rebuilds the same trails ("Expenses > Meals")
// for citations. The original markup is not kept: it is the site's to serve.

const markdownStructure = /^( {0,3})(#|```|~~~|=+\s*$|-+\s*$)/;

/** Lines that Markdown would read as structure (a heading, a fence, an underline) are escaped, so text stays text. */
function escapeLine(line: string): string {
  return markdownStructure.test(line) ? line.replace(/^( {0,3})/, '$1\\') : line;
}

function trailOf(section: string | undefined): string[] {
  return section ? section.split(' > ').map((part) => part.trim()).filter(Boolean) : [];
}

export function pageMarkdown(page: { url: string; title?: string; spans: readonly TextSpan[] }): string {
  const out: string[] = [];
  let current: string[] = [];
  const first = page.spans[0];
  // Text before any heading sits under the page's title (or URL), which also
  // makes the file start with a heading, so it is read as Markdown.
  if (!first || trailOf(first.section).length === 0) {
    current = [(page.title ?? page.url).replace(/\s+/g, ' ').trim()];
    out.push(`# ${current[0]}`, '');
  }
  for (const span of page.spans) {
    const trail = trailOf(span.section);
    let lines = span.text.split('\n');
    if (trail.length > 0) {
      let same = 0;
      while (same < trail.length && same < current.length && trail[same] === current[same]) same++;
      if (same < trail.length || trail.length < current.length) {
        const entered = trail.slice(Math.min(same, trail.length - 1));
        const from = trail.length - entered.length;
        entered.forEach((title, index) => out.push(`${'#'.repeat(Math.min(6, from + index + 1))} ${title}`, ''));
        // The extractor repeats the headings at the start of the span's text.
        for (const title of entered) {
          if (lines[0]?.trim() === title) lines = lines.slice(1);
        }
        current = trail;
      }
    }
    if (span.page !== undefined && span.page !== null && trail.length === 0) out.push(`(page ${span.page})`);
    const text = lines.map(escapeLine).join('\n').trim();
    if (text) out.push(text, '');
  }
  return `${out.join('\n').trim()}\n`;
}

/** What the file is called, and cited as: the page's title with its URL (never a name whose extension decides the kind). */
export function pageFileName(page: { url: string; title?: string }): string {
  const title = page.title?.replace(/\s+/g, ' ').trim();
  const name = title ? `${title} (${page.url})` : `${page.url} (web page)`;
  return name.length <= 255 ? name : `${name.slice(0, 254)}…`;
}

/**
 * The file's sha256 column: the text's hash bound to the source and URL. A
 * base refuses two files with one hash (uploads are de-duplicated), but the
 * same text at two URLs is two pages, each removed when its own URL goes.
 */
export function pageFileHash(webSourceId: string, url: string, bytes: Buffer): string {
  return createHash('sha256').update(`web:${webSourceId}:${url}\n`).update(bytes).digest('hex');
}
