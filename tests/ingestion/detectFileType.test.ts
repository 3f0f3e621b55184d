import { describe, expect, it } from '@jest/globals';
import JSZip from 'jszip';
import sharp from 'sharp';
import { detectFileType, ExtractionError } from '../../server/src/ingestion/extract/index.js';
import { buildDocx } from './support/documentBuilders.js';
import { fixturePath, readFixture } from './support/documentFixtures.js';

const docxMime = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

async function failure(promise: Promise<unknown>): Promise<ExtractionError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ExtractionError);
  return error as ExtractionError;
}

describe('detectFileType on real fixtures', () => {
  it.each([
    ['pdf/pdfjs__pdfjs_wikipedia.pdf', 'pdf', 'application/pdf'],
    ['pdf/ocrmypdf__invalid.pdf', 'pdf', 'application/pdf'],
    ['docx/mammoth__single-paragraph.docx', 'docx', docxMime],
    ['docx/mammoth__empty.docx', 'docx', docxMime],
    ['ocr/tesseractjs__testocr.png', 'image', 'image/png'],
    ['ocr/tesseractjs__simple-90.jpg', 'image', 'image/jpeg'],
    ['misc/unstructured__fake-html-cp1252.html', 'html', 'text/html'],
    ['misc/mammoth__README.md', 'markdown', 'text/markdown'],
    ['misc/unstructured__semicolon-delimited.csv', 'csv', 'text/csv'],
    ['misc/unstructured__stanley-cups-utf-16.csv', 'csv', 'text/csv'],
    ['misc/unstructured__fake-text-utf-16-be.txt', 'text', 'text/plain'],
  ])('%s is %s', async (file, kind, mime) => {
    expect(await detectFileType(fixturePath(file))).toMatchObject({ kind, mime });
    // Same answer from the bytes alone (uploads held in memory).
    expect(await detectFileType(readFixture(file), { fileName: file })).toMatchObject({ kind, mime });
  });

  it('reports the encoding of text files', async () => {
    expect((await detectFileType(fixturePath('misc/unstructured__fake-html-cp1252.html'))).encoding).toBe('windows-1252');
    expect((await detectFileType(fixturePath('misc/unstructured__fake-text-utf-16-be.txt'))).encoding).toBe('utf-16be');
  });
});

describe('binary kinds come from the bytes, never from the name', () => {
  it('refuses a plain ZIP renamed .docx as not a DOCX', async () => {
    const error = await failure(detectFileType(fixturePath('docx/mammoth__hello.zip.docx')));
    expect(error.code).toBe('unsupported_type');
    expect(error.message).toMatch(/not a DOCX/);
  });

  it('recognises a PDF and a DOCX whatever they are called', async () => {
    expect((await detectFileType(readFixture('pdf/pdfjs__pdfjs_wikipedia.pdf'), { fileName: 'notes.txt' })).kind).toBe('pdf');
    expect((await detectFileType(readFixture('docx/mammoth__tables.docx'), { fileName: 'table.csv' })).kind).toBe('docx');
  });

  it('does not take text named .pdf or .png for a binary format', async () => {
    const text = Buffer.from('Quarterly report\n\nRevenue grew in every region.\n');
    expect((await detectFileType(text, { fileName: 'report.pdf' })).kind).toBe('text');
    expect((await detectFileType(text, { fileName: 'scan.png' })).kind).toBe('text');
  });

  it('decides DOCX by the archive holding word/document.xml', async () => {
    expect(await detectFileType(await buildDocx([{ text: 'Hello' }]))).toMatchObject({ kind: 'docx', mime: docxMime });
    // Without [Content_Types].xml file-type only sees a ZIP; the archive's contents still decide.
    const bare = new JSZip();
    bare.file('word/document.xml', '<w:document/>');
    const bareDocx = await bare.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    expect(await detectFileType(bareDocx)).toMatchObject({ kind: 'docx', mime: docxMime });
  });

  it('names unsupported formats in a readable reason', async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).gif().toBuffer();
    const error = await failure(detectFileType(gif, { fileName: 'picture.txt' }));
    expect(error.code).toBe('unsupported_type');
    expect(error.message).toMatch(/image\/gif is not supported \(supported: PDF, DOCX/);
  });

  it('refuses unknown binary data and legacy Office containers', async () => {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256));
    expect((await failure(detectFileType(binary, { fileName: 'data.txt' }))).code).toBe('unsupported_type');
    const cfb = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(1024)]);
    const error = await failure(detectFileType(cfb, { fileName: 'contract.docx' }));
    expect(error.code).toBe('unsupported_type');
    expect(error.message).toMatch(/legacy Office file/);
  });

  it('refuses an empty file', async () => {
    expect((await failure(detectFileType(Buffer.alloc(0)))).code).toBe('empty');
  });
});

describe('text kinds: the extension is a hint, the content decides without one', () => {
  const csv = Buffer.from('name,team,goals\nAda,Blues,3\nBen,Flyers,5\nCy,Leafs,8\n');
  const markdown = Buffer.from('# Title\n\nSome words.\n\n## Part\n\nMore words.\n');
  const html = Buffer.from('<!DOCTYPE html>\n<html><body><p>Hi</p></body></html>');

  it('sniffs CSV, Markdown and HTML when the name says nothing', async () => {
    expect((await detectFileType(csv)).kind).toBe('csv');
    expect((await detectFileType(markdown)).kind).toBe('markdown');
    expect((await detectFileType(html)).kind).toBe('html');
    expect((await detectFileType(Buffer.from('Just a sentence, with a comma.\nAnd another line.\n'))).kind).toBe('text');
  });

  it('lets the extension choose between text kinds', async () => {
    expect((await detectFileType(markdown, { fileName: 'notes.txt' })).kind).toBe('text');
    expect((await detectFileType(html, { fileName: 'page.md' })).kind).toBe('markdown');
    expect((await detectFileType(csv, { fileName: 'scores.TSV' })).kind).toBe('csv');
  });
});
