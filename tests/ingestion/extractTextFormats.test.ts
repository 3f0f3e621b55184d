import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { ExtractionError, extractDocument, type ExtractionResult } from '../../server/src/ingestion/extract/index.js';
import { fixturePath, readExpectedText, useScratchFiles } from './support/documentFixtures.js';
import { wordRecall } from './support/textSimilarity.js';

// Plain text, Markdown, HTML and CSV through the real entry point (isolated
// process included), on the real fixtures.

function allText(result: ExtractionResult): string {
  return result.spans.map((span) => span.text).join('\n');
}

const scratch = useScratchFiles();

describe('plain text', () => {
  it('decodes UTF-16 big-endian without a BOM', async () => {
    const result = await extractDocument(fixturePath('misc/unstructured__fake-text-utf-16-be.txt'));
    expect(result).toMatchObject({ kind: 'text', mime: 'text/plain', encoding: 'utf-16be' });
    expect(allText(result)).toContain('This is a test document to use for unit tests.');
    expect(allText(result)).toContain('- Hamburgers are delicious');
  });

  it('keeps a long UTF-8 article whole', async () => {
    const result = await extractDocument(fixturePath('misc/unstructured__norwich-city.txt'));
    expect(result.encoding).toBe('utf-8');
    expect(allText(result)).toContain('Iwan Wyn Roberts (born 26 June 1968)');
    expect(allText(result).length).toBeGreaterThan(40_000);
  });
});

describe('Markdown', () => {
  it('cuts a real README at its headings and cites the heading trail', async () => {
    const result = await extractDocument(fixturePath('misc/mammoth__README.md'));
    expect(result.kind).toBe('markdown');
    const basic = result.spans.find((span) => span.section === 'Mammoth .docx to HTML converter > Usage > Library > Basic conversion');
    expect(basic?.text).toMatch(/^#### Basic conversion/);
    expect(basic?.text).toContain('convertToHtml');
    // "## Usage" has no text of its own: it travels with its first sub-section.
    const cli = result.spans.find((span) => span.section === 'Mammoth .docx to HTML converter > Usage > CLI');
    expect(cli?.text).toMatch(/^## Usage\n\n### CLI/);
    expect(result.spans.some((span) => span.section === 'Mammoth .docx to HTML converter > Usage')).toBe(false);
    expect(result.spans[0]?.text).toContain('Mammoth is designed to convert .docx documents');
  });

  it('keeps fenced code (with HTML inside) as text of its section', async () => {
    const result = await extractDocument(fixturePath('misc/unstructured__codeblock.md'));
    expect(result.spans.map((span) => span.section)).toEqual(['HTML Example', 'XML Example']);
    expect(result.spans[0]?.text).toContain('<h1>Hello, World!</h1>');
    expect(result.spans[1]?.text).toContain('<body>Don\'t forget me this weekend!</body>');
  });

  it('ignores "#" lines inside code fences and understands setext headings', async () => {
    const file = scratch.pathOf('guide.md');
    await writeFile(
      file,
      ['Install guide', '=============', '', 'Run the script:', '', '```sh', '# not a heading', 'make install', '```', '', 'Upgrading', '---------', '', 'Stop the service first.'].join('\n'),
    );
    const result = await extractDocument(file);
    expect(result.spans.map((span) => span.section)).toEqual(['Install guide', 'Install guide > Upgrading']);
    expect(result.spans[0]?.text).toContain('# not a heading');
  });

  it('keeps a pipe table readable', async () => {
    const result = await extractDocument(fixturePath('misc/unstructured__simple-table.md'));
    expect(allText(result)).toContain('Juicy Apples | 1.99 | 739');
  });
});

describe('HTML', () => {
  it('decodes Windows-1252 without a declaration and uses headings as sections', async () => {
    const result = await extractDocument(fixturePath('misc/unstructured__fake-html-cp1252.html'));
    expect(result).toMatchObject({ kind: 'html', encoding: 'windows-1252' });
    expect(result.spans[0]?.section).toBe('My First Heading');
    const text = allText(result);
    expect(text).toContain('Die schöne Frau hat einen Kaffee mit Kuchen gegessen.');
    expect(text).toContain('El niño comió paella con ñoquis.');
    expect(text).toContain('45,90 €');
    expect(text).not.toContain('<p>');
  });

  it('reads a real Wikipedia page: text and tables kept, scripts and styles dropped', async () => {
    const result = await extractDocument(fixturePath('misc/textract__wikipedia_countries_tables.html'));
    const text = allText(result);
    expect(result.spans[0]?.section).toBe('List of countries by population');
    expect(result.spans.some((span) => span.section?.startsWith('List of countries by population > Countries'))).toBe(true);
    // A table row stays on one line, cells in order.
    expect(text).toMatch(/China\[8\]\s+1,366,350,000\s+August 25, 2014\s+19%/);
    // Inline script and style bodies of the page.
    expect(text).not.toContain('mw.loader');
    expect(text).not.toContain('a:lang(ar)');
    // Ground truth from textract: nearly every word of it is found.
    expect(wordRecall(readExpectedText('misc/textract__wikipedia_countries_tables.html'), text)).toBeGreaterThan(0.97);
  });

  it('fails a hostile page nested 5,000 levels deep as "corrupt" instead of crashing', async () => {
    const file = scratch.pathOf('nested.html');
    await writeFile(file, `<html><body>${'<div>'.repeat(5000)}deep${'</div>'.repeat(5000)}</body></html>`);
    const error = await extractDocument(file).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ExtractionError);
    expect(error).toMatchObject({ code: 'corrupt', message: 'The HTML page could not be read (Maximum call stack size exceeded)' });
  });
});

describe('CSV', () => {
  it('decodes UTF-16, keeps the title row and writes rows as "Header: value"', async () => {
    const result = await extractDocument(fixturePath('misc/unstructured__stanley-cups-utf-16.csv'));
    expect(result.kind).toBe('csv');
    expect(result.spans).toEqual([
      {
        text: 'Stanley Cups\nTeam: Blues; Location: STL; Stanley Cups: 1\nTeam: Flyers; Location: PHI; Stanley Cups: 2\nTeam: Maple Leafs; Location: TOR; Stanley Cups: 13',
        section: 'Stanley Cups, rows 3-5',
      },
    ]);
  });

  it('detects a semicolon delimiter with commas inside fields', async () => {
    const result = await extractDocument(fixturePath('misc/unstructured__semicolon-delimited.csv'));
    const lines = allText(result).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('Lorem, ipsum: sed, do; dolor sit: eiusmod; amet: tempor incididunt');
  });

  it('detects tabs and splits long tables into cited row ranges', async () => {
    const file = scratch.pathOf('inventory.tsv');
    const rows = Array.from({ length: 120 }, (_, index) => `SKU-${index + 1}\tWidget ${index + 1}\t${index * 3}`);
    await writeFile(file, ['sku\tname\tstock', ...rows].join('\n'));
    const result = await extractDocument(file);
    expect(result.spans.map((span) => span.section)).toEqual(['rows 2-51', 'rows 52-101', 'rows 102-121']);
    expect(result.spans[2]?.text.split('\n').at(-1)).toBe('sku: SKU-120; name: Widget 120; stock: 357');
  });
});
