import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { extractDocument, type ExtractionResult } from '../../server/src/ingestion/extract/index.js';
import { buildDocx } from './support/documentBuilders.js';
import { failureOf, fixturePath, readExpectedText, readFixture, useScratchFiles } from './support/documentFixtures.js';
import { normaliseForComparison } from './support/textSimilarity.js';

function allText(result: ExtractionResult): string {
  return result.spans.map((span) => span.text).join('\n');
}

const scratch = useScratchFiles();

describe('DOCX through mammoth', () => {
  it('matches the ground truth of a real document', async () => {
    const result = await extractDocument(fixturePath('docx/textract__raw_text.docx'));
    expect(result.kind).toBe('docx');
    expect(normaliseForComparison(allText(result))).toBe(normaliseForComparison(readExpectedText('docx/textract__raw_text.docx')));
  });

  it('reads a single paragraph, lists and footnotes', async () => {
    expect(allText(await extractDocument(fixturePath('docx/mammoth__single-paragraph.docx')))).toBe('Walking on imported air');
    const footnotes = allText(await extractDocument(fixturePath('docx/mammoth__footnotes.docx')));
    expect(footnotes).toContain('Ouch');
    expect(footnotes).toContain('A tachyon walks into a bar.');
    // mammoth's "↑" back-links are navigation, not text.
    expect(footnotes).not.toContain('↑');
  });

  it('keeps table rows on one line with their cells in order', async () => {
    const lines = allText(await extractDocument(fixturePath('docx/mammoth__tables.docx'))).split('\n').map((line) => line.trim());
    expect(lines).toContain('Top left      Top right');
    expect(lines).toContain('Bottom left   Bottom right');
    const nested = allText(await extractDocument(fixturePath('docx/unstructured__docx-tables.docx')));
    expect(nested).toContain('Simple uniform table');
    expect(nested).toMatch(/Lorem ipsum\s+A link example/);
    expect(nested).toContain('g&t');
  });

  it('turns Word headings into sections', async () => {
    const file = await scratch.write(
      'handbook.docx',
      await buildDocx([
        { text: 'Introduction to the handbook.' },
        { text: 'Leave', style: 'Heading1' },
        { text: 'Holidays', style: 'Heading2' },
        { text: 'Everyone gets 25 days of paid leave.' },
        { text: 'Sick leave', style: 'Heading2' },
        { text: 'Call your manager before 9 am.' },
        { text: 'Expenses', style: 'Heading1' },
        { text: 'Keep every receipt.' },
      ]),
    );
    const result = await extractDocument(file);
    expect(result.spans).toEqual([
      { text: 'Introduction to the handbook.' },
      { text: 'Leave\nHolidays\nEveryone gets 25 days of paid leave.', section: 'Leave > Holidays' },
      { text: 'Sick leave\nCall your manager before 9 am.', section: 'Leave > Sick leave' },
      { text: 'Expenses\nKeep every receipt.', section: 'Expenses' },
    ]);
  });
});

describe('bad DOCX files fail with a clear reason', () => {
  it('an empty document is "empty"', async () => {
    const error = await failureOf(fixturePath('docx/mammoth__empty.docx'));
    expect(error.code).toBe('empty');
    expect(error.message).toBe('No text was found in the document');
  });

  it('a ZIP renamed .docx is "unsupported_type"', async () => {
    const error = await failureOf(fixturePath('docx/mammoth__hello.zip.docx'));
    expect(error.code).toBe('unsupported_type');
    expect(error.message).toMatch(/ZIP archive but not a DOCX/);
  });

  it('a truncated DOCX (central directory cut off) is "corrupt"', async () => {
    const bytes = readFixture('docx/textract__raw_text.docx');
    const file = await scratch.write('truncated.docx', bytes.subarray(0, Math.floor(bytes.length / 2)));
    const error = await failureOf(file);
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(/ZIP container is damaged/);
  });

  it('a zip bomb (64 MiB of document.xml compressed ~1000:1) is refused before inflating', async () => {
    const documentXml = Buffer.concat([
      Buffer.from('<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'),
      Buffer.alloc(64 * 1024 * 1024, ' '),
      Buffer.from('<w:p><w:r><w:t>Nothing to see</w:t></w:r></w:p></w:body></w:document>'),
    ]);
    const bomb = await buildDocx([], { 'word/document.xml': documentXml });
    expect(bomb.length).toBeLessThan(200 * 1024);
    const file = await scratch.write('bomb.docx', bomb);
    // 256 MiB of memory is far less than inflating it would need: the refusal comes from the directory check.
    const error = await failureOf(file, { maxMemoryMb: 256 });
    expect(error.code).toBe('zip_bomb');
    expect(error.message).toMatch(/compressed \d+:1 \(limit 100:1\)/);
  });

  it('a document whose parts add up past the size limit is refused', async () => {
    const file = await scratch.write('big.docx', await buildDocx([{ text: 'Big' }], { 'word/media/blob.bin': Buffer.alloc(2 * 1024 * 1024, 7) }));
    const error = await failureOf(file, { zip: { maxUncompressedBytes: 1024 * 1024, maxCompressionRatio: 100_000 } });
    expect(error.code).toBe('zip_bomb');
    expect(error.message).toMatch(/would expand to 2 MiB \(limit 1 MiB\)/);
  });
});
