import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import { decodeText, detectTextEncoding, normaliseExtractedText } from '../../server/src/lib/textDecoding.js';
import { readFixture } from './support/documentFixtures.js';

describe('decodeText', () => {
  it('reads UTF-16 big-endian without a BOM (real fixture)', () => {
    const decoded = decodeText(readFixture('misc/unstructured__fake-text-utf-16-be.txt'));
    expect(decoded.encoding).toBe('utf-16be');
    expect(decoded.text).toContain('This is a test document to use for unit tests.');
  });

  it('reads UTF-16 with a BOM and strips the BOM (real fixture)', () => {
    const decoded = decodeText(readFixture('misc/unstructured__stanley-cups-utf-16.csv'));
    expect(decoded.text.startsWith('Stanley Cups')).toBe(true);
    expect(decoded.text).toContain('Maple Leafs,TOR,13');
  });

  it('reads UTF-16 little-endian without a BOM', () => {
    const bytes = iconv.encode('Grüße aus Köln\nzweite Zeile\n', 'utf-16le');
    expect(decodeText(bytes)).toEqual({ text: 'Grüße aus Köln\nzweite Zeile\n', encoding: 'utf-16le' });
  });

  it('falls back to Windows-1252 when the bytes are not UTF-8 (real fixture)', () => {
    const decoded = decodeText(readFixture('misc/unstructured__fake-html-cp1252.html'));
    expect(decoded.encoding).toBe('windows-1252');
    expect(decoded.text).toContain('Die schöne Frau');
    expect(decoded.text).toContain('15,50 €');
  });

  it('prefers valid UTF-8 over a declared legacy charset, and uses the declaration otherwise', () => {
    expect(decodeText(Buffer.from('Ελληνικά', 'utf8'), { declaredCharset: 'iso-8859-7' }).encoding).toBe('utf-8');
    const greek = iconv.encode('Καλημέρα', 'iso-8859-7');
    expect(decodeText(greek, { declaredCharset: 'ISO-8859-7' })).toEqual({ text: 'Καλημέρα', encoding: 'iso-8859-7' });
    expect(decodeText(greek, { declaredCharset: 'no-such-charset' }).encoding).toBe('windows-1252');
  });

  it('accepts a UTF-8 sample cut in the middle of a character', () => {
    const bytes = Buffer.from('naïve café', 'utf8');
    const cut = bytes.subarray(0, bytes.length - 1);
    expect(detectTextEncoding(cut, { truncated: true }).encoding).toBe('utf-8');
    expect(detectTextEncoding(cut).encoding).toBe('windows-1252');
  });
});

describe('normaliseExtractedText', () => {
  it('unifies line endings and drops control characters', () => {
    expect(normaliseExtractedText('a\r\nb\rc\fd\u0000e\u0007 \t\nf')).toBe('a\nb\nc\nde\nf');
  });
});
