import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { extractDocument } from '../../server/src/ingestion/extract/index.js';
import { failureOf, fixturePath, manifestSnippet, readFixture, useScratchFiles } from './support/documentFixtures.js';
import { fuzzyContainment, normaliseForComparison } from './support/textSimilarity.js';

function contains(text: string, snippet: string): boolean {
  return normaliseForComparison(text).includes(normaliseForComparison(snippet));
}

const scratch = useScratchFiles();

describe('PDF text layer', () => {
  it('reads a one-page web print', async () => {
    const file = 'pdf/pdfjs__pdfjs_wikipedia.pdf';
    const result = await extractDocument(fixturePath(file));
    expect(result).toMatchObject({ kind: 'pdf', mime: 'application/pdf', pages: 1 });
    expect(result.spans).toHaveLength(1);
    expect(result.spans[0]?.page).toBe(1);
    expect(contains(result.spans[0]!.text, manifestSnippet(file))).toBe(true);
  });

  it('keeps the page number of every page of a 13-page paper', async () => {
    const file = 'pdf/unstructured__multi-column.pdf';
    const result = await extractDocument(fixturePath(file));
    expect(result.pages).toBe(13);
    expect(result.spans.map((span) => span.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(result.spans.some((span) => span.ocr)).toBe(false);
    expect(contains(result.spans[0]!.text, manifestSnippet(file))).toBe(true);
    expect(result.spans[1]!.text.startsWith('QA datasets, it also suffers from two weaknesses.')).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('recovers the text of a PDF with a broken xref table', async () => {
    const file = 'pdf/pdfjs__helloworld-bad.pdf';
    const result = await extractDocument(fixturePath(file));
    expect(result.spans).toEqual([{ text: manifestSnippet(file), page: 1 }]);
  });
});

describe('scanned PDF pages go through OCR', () => {
  it('reads a flattened Lorem ipsum page', async () => {
    const file = 'pdf/unstructured__loremipsum-flat.pdf';
    const result = await extractDocument(fixturePath(file));
    expect(result.pages).toBe(1);
    expect(result.spans).toHaveLength(1);
    expect(result.spans[0]).toMatchObject({ page: 1, ocr: true });
    expect(fuzzyContainment(result.spans[0]!.text, manifestSnippet(file))).toBeGreaterThan(0.95);
    expect(result.spans[0]!.text.length).toBeGreaterThan(2000);
  }, 60_000);

  it('reads French with diacritics', async () => {
    const file = 'pdf/ocrmypdf__francais.pdf';
    const result = await extractDocument(fixturePath(file));
    expect(result.spans[0]).toMatchObject({ page: 1, ocr: true });
    // The English model misses the odd accent ("île" reads "ile"), hence a similarity.
    expect(fuzzyContainment(result.spans[0]!.text, manifestSnippet(file))).toBeGreaterThan(0.9);
    expect(result.spans[0]!.text).toContain('intérieure');
  }, 60_000);
});

describe('bad PDFs fail with a clear reason', () => {
  it('a password-protected PDF is "encrypted"', async () => {
    const error = await failureOf(fixturePath('pdf/unstructured__password.pdf'));
    expect(error.code).toBe('encrypted');
    expect(error.message).toBe('The PDF is password-protected');
  });

  it('a header-only PDF is "corrupt"', async () => {
    const error = await failureOf(fixturePath('pdf/ocrmypdf__invalid.pdf'));
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(/^The PDF is damaged or unreadable/);
  });

  it('a PDF cut in half is "corrupt"', async () => {
    const bytes = readFixture('pdf/unstructured__multi-column.pdf');
    const file = scratch.pathOf('half.pdf');
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await failureOf(file)).code).toBe('corrupt');
  });

  it('a PDF over the page limit is "too_large"', async () => {
    const error = await failureOf(fixturePath('pdf/unstructured__multi-column.pdf'), { maxPages: 5 });
    expect(error.code).toBe('too_large');
    expect(error.message).toBe('The PDF has 13 pages (limit 5)');
  });
});
