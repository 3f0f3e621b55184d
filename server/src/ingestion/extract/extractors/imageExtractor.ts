import sharp from 'sharp';
import { ExtractionError } from '../extractionError.js';
import { readImageText } from '../ocr/ocrEngine.js';
import { imageReadError, prepareForOcr } from '../ocr/prepareForOcr.js';
import type { ExtractedText, TextSpan } from '../types.js';
import type { ExtractionInput } from './extractionInput.js';

// Faxes and scanners produce multi-page TIFFs; each page is read and cited on
// its own. Other formats' extra "pages" are animation frames and are ignored.

async function countPages(bytes: Buffer, maxImagePixels: number, mime: string): Promise<number> {
  try {
    const metadata = await sharp(bytes, { limitInputPixels: maxImagePixels }).metadata();
    return mime === 'image/tiff' ? (metadata.pages ?? 1) : 1;
  } catch (error) {
    throw imageReadError(error);
  }
}

export async function extractImage({ bytes, fileType, limits }: ExtractionInput): Promise<ExtractedText> {
  const pages = await countPages(bytes, limits.maxImagePixels, fileType.mime);
  if (pages > limits.maxPages) {
    throw new ExtractionError('too_large', `The image has ${pages} pages (limit ${limits.maxPages})`);
  }
  const spans: TextSpan[] = [];
  for (let page = 0; page < pages; page++) {
    const prepared = await prepareForOcr(bytes, { maxImagePixels: limits.maxImagePixels, page });
    const reading = await readImageText(prepared);
    if (reading.text) spans.push({ text: reading.text, ocr: true, ...(pages > 1 ? { page: page + 1 } : {}) });
  }
  return pages > 1 ? { pages, spans } : { spans };
}
