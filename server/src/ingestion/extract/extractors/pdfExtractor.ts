import { PDFParse } from 'pdf-parse';
import { normaliseExtractedText } from '../../../lib/textDecoding.js';
import { ExtractionError, describeCause } from '../extractionError.js';
import type { ExtractionLimits } from '../limits.js';
import { readImageText } from '../ocr/ocrEngine.js';
import { prepareForOcr } from '../ocr/prepareForOcr.js';
import type { ExtractedText, TextSpan } from '../types.js';
import type { ExtractionInput } from './extractionInput.js';

// Pages are read one at a time so each span carries its page number. A page
// whose text layer is (nearly) empty is a scan: it is rendered with pdf.js
// (pdf-parse ships @napi-rs/canvas for that) at about 200 dpi, a good balance
// of OCR accuracy and speed, and read by OCR. pdf.js repairs many damaged files
// on its own (broken xref tables), so "corrupt" means it truly gave up.

// Fewer visible characters than this and the page is treated as having no text
// layer (a stray page number or scanner stamp is not the page's content).
const minTextLayerChars = 20;
const ocrDpi = 200;
const pdfPointsPerInch = 72;
// Caps the canvas for oversized pages (posters, drawings) so rendering one
// page cannot take hundreds of megabytes.
const maxRenderedPixels = 12_000_000;

function visibleLength(text: string): number {
  return text.replace(/\s+/g, '').length;
}

function pdfError(error: unknown): ExtractionError {
  if (error instanceof ExtractionError) return error;
  const name = error instanceof Error ? error.name : '';
  if (name === 'PasswordException') return new ExtractionError('encrypted', 'The PDF is password-protected');
  if (name === 'InvalidPDFException' || name === 'FormatError') {
    return new ExtractionError('corrupt', `The PDF is damaged or unreadable (${describeCause(error)})`);
  }
  return new ExtractionError('corrupt', `The PDF could not be read (${describeCause(error)})`);
}

async function renderPage(parser: PDFParse, page: number): Promise<Buffer> {
  const info = await parser.getInfo({ parsePageInfo: true, partial: [page] });
  const { width = 612, height = 792 } = info.pages[0] ?? {};
  const scale = Math.min(ocrDpi / pdfPointsPerInch, Math.sqrt(maxRenderedPixels / Math.max(width * height, 1)));
  const screenshot = await parser.getScreenshot({ partial: [page], scale, imageDataUrl: false, imageBuffer: true });
  const rendered = screenshot.pages[0];
  if (!rendered) throw new Error('the page did not render');
  return Buffer.from(rendered.data.buffer, rendered.data.byteOffset, rendered.data.byteLength);
}

async function readScannedPage(parser: PDFParse, page: number, limits: ExtractionLimits): Promise<TextSpan | undefined> {
  const image = await prepareForOcr(await renderPage(parser, page), { maxImagePixels: limits.maxImagePixels });
  const reading = await readImageText(image);
  return reading.text ? { text: reading.text, page, ocr: true } : undefined;
}

export async function extractPdf({ bytes, limits }: ExtractionInput): Promise<ExtractedText> {
  const parser = new PDFParse({
    // pdf.js may take ownership of (detach) the array it is given.
    data: new Uint8Array(bytes),
    // Never compile PDF-supplied code (PostScript functions) with eval.
    isEvalSupported: false,
    maxImageSize: limits.maxImagePixels,
  });
  try {
    let pages: number;
    try {
      pages = (await parser.getInfo()).total;
    } catch (error) {
      throw pdfError(error);
    }
    if (pages > limits.maxPages) {
      throw new ExtractionError('too_large', `The PDF has ${pages} pages (limit ${limits.maxPages})`);
    }

    const spans: TextSpan[] = [];
    const warnings: string[] = [];
    let unreadablePages = 0;
    for (let page = 1; page <= pages; page++) {
      let text = '';
      try {
        text = normaliseExtractedText((await parser.getText({ partial: [page], pageJoiner: '' })).pages[0]?.text ?? '');
      } catch (error) {
        unreadablePages++;
        warnings.push(`Page ${page}: the text layer could not be read (${describeCause(error)})`);
      }
      if (visibleLength(text) >= minTextLayerChars) {
        spans.push({ text: text.trim(), page });
        continue;
      }
      try {
        const scanned = await readScannedPage(parser, page, limits);
        const best = scanned && visibleLength(scanned.text) > visibleLength(text) ? scanned : { text: text.trim(), page };
        if (best.text) spans.push(best);
      } catch (error) {
        warnings.push(`Page ${page}: OCR failed (${describeCause(error)})`);
        if (text.trim()) spans.push({ text: text.trim(), page });
      }
    }
    if (unreadablePages === pages && pages > 0) {
      throw new ExtractionError('corrupt', 'The PDF is damaged or unreadable (no page could be read)');
    }
    return { pages, spans, warnings };
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}
