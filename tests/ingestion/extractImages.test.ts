import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { ExtractionError, extractDocument, type ExtractionResult } from '../../server/src/ingestion/extract/index.js';
import { fixturePath, readExpectedText, readFixture, useScratchFiles } from './support/documentFixtures.js';
import { similarity } from './support/textSimilarity.js';

function onlyText(result: ExtractionResult): string {
  expect(result.spans).toHaveLength(1);
  expect(result.spans[0]?.ocr).toBe(true);
  return result.spans[0]!.text;
}

const scratch = useScratchFiles();

describe('OCR of images', () => {
  it('reads clean printed text (PNG) close to the ground truth', async () => {
    const result = await extractDocument(fixturePath('ocr/tesseractjs__testocr.png'));
    expect(result).toMatchObject({ kind: 'image', mime: 'image/png' });
    expect(similarity(readExpectedText('ocr/tesseractjs__testocr.png'), onlyText(result))).toBeGreaterThan(0.97);
  });

  it('reads an alphabet chart', async () => {
    const text = onlyText(await extractDocument(fixturePath('ocr/textract__raw_text.png')));
    expect(similarity(readExpectedText('ocr/textract__raw_text.png'), text)).toBeGreaterThan(0.85);
  });

  it('turns a JPEG upright from its EXIF orientation', async () => {
    const text = onlyText(await extractDocument(fixturePath('ocr/tesseractjs__simple-90.jpg')));
    expect(text).toBe(readExpectedText('ocr/tesseractjs__simple-90.jpg').trim());
  });

  it('finds the orientation of sideways text that has no EXIF hint', async () => {
    // Re-encoding without metadata keeps the pixels sideways and drops the EXIF orientation.
    const sideways = await scratch.write('sideways.png', await sharp(readFixture('ocr/tesseractjs__simple-90.jpg')).png().toBuffer());
    expect((await sharp(sideways).metadata()).orientation).toBeUndefined();
    expect(onlyText(await extractDocument(sideways))).toBe('Tesseract.js');

    const turned = await scratch.write('turned.png', await sharp(readFixture('ocr/tesseractjs__testocr.png')).rotate(90).png().toBuffer());
    const text = onlyText(await extractDocument(turned));
    expect(similarity(readExpectedText('ocr/tesseractjs__testocr.png'), text)).toBeGreaterThan(0.95);
  }, 120_000);

  it('reads WebP and every page of a multi-page TIFF', async () => {
    const webp = await scratch.write('scan.webp', await sharp(readFixture('ocr/tesseractjs__testocr.png')).webp({ lossless: true }).toBuffer());
    const webpResult = await extractDocument(webp);
    expect(webpResult.mime).toBe('image/webp');
    expect(onlyText(webpResult)).toContain('This is a lot of 12 point text to test the');

    const page = (file: string) =>
      sharp(readFixture(file)).flatten({ background: '#ffffff' }).resize(640, 480, { fit: 'contain', background: '#ffffff' }).raw().toBuffer();
    const pages = Buffer.concat([await page('ocr/tesseractjs__testocr.png'), await page('ocr/textract__raw_text.png')]);
    const tiff = await sharp(pages, { raw: { width: 640, height: 960, channels: 3, pageHeight: 480 } }).tiff().toBuffer();
    const result = await extractDocument(await scratch.write('fax.tiff', tiff));
    expect(result).toMatchObject({ kind: 'image', mime: 'image/tiff', pages: 2 });
    expect(result.spans.map((span) => span.page)).toEqual([1, 2]);
    expect(result.spans[0]?.text).toContain('The quick brown dog jumped over the');
    expect(result.spans[1]?.text).toContain('abcdefghijkl');
  }, 120_000);
});

describe('bad images fail with a clear reason', () => {
  it('a truncated PNG is "corrupt"', async () => {
    const bytes = readFixture('ocr/tesseractjs__testocr.png');
    const file = await scratch.write('truncated.png', bytes.subarray(0, 2000));
    const error = await extractDocument(file).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ExtractionError);
    expect(error).toMatchObject({ code: 'corrupt', message: expect.stringMatching(/^The image is damaged or unreadable/) });
  });

  it('a blank image is "empty"', async () => {
    const blank = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const error = await extractDocument(await scratch.write('blank.png', blank)).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'empty' });
  });

  it('an image with more pixels than allowed is "too_large"', async () => {
    const error = await extractDocument(fixturePath('ocr/tesseractjs__testocr.png'), { maxImagePixels: 100_000 }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'too_large', message: 'The image has too many pixels to process' });
  });
});
