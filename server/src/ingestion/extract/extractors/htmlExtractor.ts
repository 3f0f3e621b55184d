import { decodeText } from '../../../lib/textDecoding.js';
import type { ExtractedText } from '../types.js';
import type { ExtractionInput } from './extractionInput.js';
import { htmlToSections } from './htmlSections.js';

// The charset a page declares is only a fallback (see decodeText): pages that
// declare Latin-1 but are really UTF-8 are common. The declaration is read from
// the head bytes as ASCII, like a browser's pre-scan.
function declaredCharset(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 4096).toString('latin1');
  return /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1];
}

export async function extractHtml({ bytes }: ExtractionInput): Promise<ExtractedText> {
  const charset = declaredCharset(bytes);
  const { text } = decodeText(bytes, charset ? { declaredCharset: charset } : {});
  return { spans: htmlToSections(text) };
}
