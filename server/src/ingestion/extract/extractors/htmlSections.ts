import { compile, type FormatCallback, type HtmlToTextOptions } from 'html-to-text';
import { normaliseExtractedText } from '../../../lib/textDecoding.js';
import { SectionTrail } from '../sectionTrail.js';
import type { TextSpan } from '../types.js';

// HTML files and DOCX (through mammoth's HTML) share this: html-to-text turns
// markup into readable text, and a custom heading formatter leaves invisible
// markers around each heading so the text can then be cut into sections. The
// markers are Unicode private-use characters, removed from the input first so a
// document cannot forge them.

const headingStart = '\uE000';
const headingEnd = '\uE001';
const markerPattern = /[\uE000\uE001]/g;
const headingPattern = /\uE000(\d)([\s\S]*?)\uE001/g;

const markHeading: FormatCallback = (elem, walk, builder) => {
  const level = Number(elem.name?.slice(1)) || 1;
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addLiteral(`${headingStart}${level}`);
  walk(elem.children, builder);
  builder.addLiteral(headingEnd);
  builder.closeBlock({ trailingLineBreaks: 1 });
};

const skip = (selector: string) => ({ selector, format: 'skip' });

const conversionOptions: HtmlToTextOptions = {
  wordwrap: false,
  formatters: { sectionHeading: markHeading },
  selectors: [
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, format: 'sectionHeading' })),
    ...['head', 'script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'img'].map(skip),
    // Back-links mammoth adds after each footnote ("↑").
    skip('a[href^="#footnote-ref"]'),
    skip('a[href^="#endnote-ref"]'),
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false, maxColumnWidth: 80 } },
  ],
};

// Compiled once: convert() compiles the selectors on every call, which cost more
// than the conversion itself for small pages (a web crawl reads hundreds).
const convertHtml = compile(conversionOptions);

export function htmlToSections(html: string): TextSpan[] {
  const text = normaliseExtractedText(convertHtml(html.replace(markerPattern, '')));
  const spans: TextSpan[] = [];
  const trail = new SectionTrail();
  // Headings with no text of their own are carried into the next span, so their
  // words stay searchable without producing tiny spans.
  let pendingHeadings: string[] = [];

  const emit = (body: string) => {
    const trimmed = body.trim();
    if (!trimmed) return;
    const section = trail.current;
    spans.push({ text: [...pendingHeadings, trimmed].join('\n'), ...(section ? { section } : {}) });
    pendingHeadings = [];
  };

  let cursor = 0;
  for (const match of text.matchAll(headingPattern)) {
    emit(text.slice(cursor, match.index));
    const title = (match[2] ?? '').replace(/\s+/g, ' ').trim();
    trail.enter(Number(match[1]), title);
    if (title) pendingHeadings.push(title);
    cursor = match.index + match[0].length;
  }
  emit(text.slice(cursor));
  if (pendingHeadings.length > 0) {
    const section = trail.current;
    spans.push({ text: pendingHeadings.join('\n'), ...(section ? { section } : {}) });
  }
  return spans;
}
