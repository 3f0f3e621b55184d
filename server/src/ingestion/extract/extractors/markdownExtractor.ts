import { decodeText, normaliseExtractedText } from '../../../lib/textDecoding.js';
import { SectionTrail } from '../sectionTrail.js';
import type { ExtractedText, TextSpan } from '../types.js';
import type { ExtractionInput } from './extractionInput.js';

// Markdown stays as written (it is already readable text); we only cut it at
// headings so each span knows its section. The scan is line-based and skips
// fenced code blocks, where "# ..." is a comment, not a heading.

const fenceOpening = /^ {0,3}(`{3,}|~{3,})/;
const atxHeading = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const setextUnderline = /^ {0,3}(=+|-+)[ \t]*$/;
const notAHeadingLine = /^\s*$|^ {0,3}([-*+>|]|\d+[.)])/;

export function markdownSections(markdown: string): TextSpan[] {
  const lines = markdown.split('\n');
  const trail = new SectionTrail();
  const spans: TextSpan[] = [];
  let buffered: string[] = [];
  let bufferedBody = false;
  let section: string | undefined;
  let openFence: string | undefined;

  const flush = () => {
    const text = buffered.join('\n').trim();
    if (text) spans.push({ text, ...(section ? { section } : {}) });
    buffered = [];
    bufferedBody = false;
  };
  // A heading directly followed by a sub-heading has no text of its own: its
  // line is carried into the next span instead of becoming a span by itself.
  const startSection = (level: number, title: string) => {
    if (bufferedBody) flush();
    trail.enter(level, title);
    section = trail.current;
  };
  const addBody = (...bodyLines: string[]) => {
    buffered.push(...bodyLines);
    if (bodyLines.some((bodyLine) => bodyLine.trim() !== '')) bufferedBody = true;
  };

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const fence = fenceOpening.exec(line)?.[1];
    if (openFence) {
      if (fence && fence[0] === openFence[0] && fence.length >= openFence.length) openFence = undefined;
      addBody(line);
      continue;
    }
    if (fence) {
      openFence = fence;
      addBody(line);
      continue;
    }
    const atx = atxHeading.exec(line);
    if (atx) {
      startSection(atx[1]!.length, atx[2] ?? '');
      buffered.push(line);
      continue;
    }
    const underline = setextUnderline.exec(lines[index + 1] ?? '');
    if (underline && !notAHeadingLine.test(line)) {
      startSection(underline[1]!.startsWith('=') ? 1 : 2, line);
      buffered.push(line, lines[index + 1]!);
      index++;
      continue;
    }
    addBody(line);
  }
  flush();
  return spans;
}

export async function extractMarkdown({ bytes }: ExtractionInput): Promise<ExtractedText> {
  return { spans: markdownSections(normaliseExtractedText(decodeText(bytes).text)) };
}
