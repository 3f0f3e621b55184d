import { decodeText, normaliseExtractedText } from '../../../lib/textDecoding.js';
import type { ExtractedText } from '../types.js';
import type { ExtractionInput } from './extractionInput.js';

export async function extractPlainText({ bytes }: ExtractionInput): Promise<ExtractedText> {
  return { spans: [{ text: normaliseExtractedText(decodeText(bytes).text) }] };
}
