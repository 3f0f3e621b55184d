import { markdownSections } from '../../server/src/ingestion/extract/extractors/markdownExtractor.js';
import { detectFileType } from '../../server/src/ingestion/extract/index.js';
import { pageFileHash, pageFileName, pageMarkdown } from '../../server/src/websources/knowledge/pageDocument.js';

// A synced page reaches the ingestion pipeline as Markdown: the pipeline's own
// Markdown reader must give back the engine's section trails, and the file
// must be read as Markdown whatever the page's URL looks like.

describe('a synced page as a Markdown file', () => {
  it('keeps every span with its section trail through the Markdown reader', () => {
    const spans = [
      { text: 'Expenses\nHow to claim costs.', section: 'Expenses' },
      { text: 'Meals\nReceipts within thirty days.', section: 'Expenses > Meals' },
      { text: 'Hotels\nUp to 150 euros a night.', section: 'Expenses > Hotels' },
      { text: 'Travel\n# not a heading\n---\nTrains first.', section: 'Travel' },
    ];
    const read = markdownSections(pageMarkdown({ url: 'https://intranet.example.com/expenses', title: 'Expenses policy', spans }));
    expect(read.map((s) => s.section)).toEqual(['Expenses', 'Expenses > Meals', 'Expenses > Hotels', 'Travel']);
    expect(read[1]!.text).toContain('Receipts within thirty days.');
    // Text that looks like Markdown structure stays text of its section.
    expect(read[3]!.text).toContain('not a heading');
    expect(read[3]!.text).toContain('Trains first.');
  });

  it('puts text before any heading under the page title, and documents without headings under it too', () => {
    const read = markdownSections(pageMarkdown({ url: 'https://example.com/a.txt', title: 'a.txt', spans: [{ text: 'Plain words.' }, { text: 'More words.' }] }));
    expect(read.map((s) => s.section)).toEqual(['a.txt']);
    expect(read[0]!.text).toContain('Plain words.');
    expect(read[0]!.text).toContain('More words.');
  });

  it('is detected as Markdown, whatever extension the URL in its name carries', async () => {
    const bytes = Buffer.from(pageMarkdown({ url: 'https://example.com/page.html', spans: [{ text: '<html> is how the page starts.' }] }));
    const name = pageFileName({ url: 'https://example.com/page.html' });
    expect(name).toBe('https://example.com/page.html (web page)');
    expect((await detectFileType(bytes, { fileName: name })).kind).toBe('markdown');
    const titled = pageFileName({ url: 'https://example.com/report.csv', title: 'Report' });
    expect((await detectFileType(bytes, { fileName: titled })).kind).toBe('markdown');
  });

  it('gives the same text at two URLs two file hashes (a base refuses duplicate hashes)', () => {
    const bytes = Buffer.from('# Same\n\ntext\n');
    expect(pageFileHash('s1', 'https://a.example/', bytes)).not.toBe(pageFileHash('s1', 'https://a.example/copy', bytes));
  });
});
