import iconv from 'iconv-lite';

// Uploaded text rarely says which encoding it uses, so we infer it from the bytes:
// a BOM wins, then the NUL-byte pattern of UTF-16 without a BOM, then strict UTF-8,
// then what the document itself declares (HTML <meta charset>), and finally
// Windows-1252, which decodes any byte sequence and is what most legacy Western
// text files really are.

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | (string & {});

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
}

export interface DecodeTextOptions {
  /** Charset the document declares about itself (e.g. an HTML meta tag); used only when the bytes are not valid UTF-8. */
  declaredCharset?: string;
  /** The bytes may stop in the middle of a character (a sample taken from the head of a file). */
  truncated?: boolean;
}

interface ByteOrderMark {
  encoding: TextEncodingName;
  length: number;
}

function byteOrderMark(bytes: Uint8Array): ByteOrderMark | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}

// Mostly-ASCII text in UTF-16 has a zero in every other byte; which half holds
// the zeros gives the byte order. Real UTF-8/8-bit text has no NUL bytes at all.
function utf16WithoutBom(bytes: Uint8Array): TextEncodingName | undefined {
  const sampleLength = Math.min(bytes.length, 4096) & ~1;
  if (sampleLength < 4) return undefined;
  let zerosAtEven = 0;
  let zerosAtOdd = 0;
  for (let i = 0; i < sampleLength; i += 2) {
    if (bytes[i] === 0) zerosAtEven++;
    if (bytes[i + 1] === 0) zerosAtOdd++;
  }
  const pairs = sampleLength / 2;
  if (zerosAtOdd / pairs > 0.3 && zerosAtEven / pairs < 0.05) return 'utf-16le';
  if (zerosAtEven / pairs > 0.3 && zerosAtOdd / pairs < 0.05) return 'utf-16be';
  return undefined;
}

function decodeStrictUtf8(bytes: Uint8Array, truncated: boolean): string | undefined {
  try {
    // `stream: true` tolerates a character cut in half at the end of a sample.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: truncated });
  } catch {
    return undefined;
  }
}

function usableDeclaredCharset(charset: string | undefined): string | undefined {
  if (!charset) return undefined;
  const name = charset.trim().toLowerCase();
  // A document that declares UTF-8 or UTF-16 but failed those checks is lying.
  if (/^utf-?(8|16)/.test(name)) return undefined;
  return iconv.encodingExists(name) ? name : undefined;
}

export function detectTextEncoding(bytes: Uint8Array, options: DecodeTextOptions = {}): { encoding: TextEncodingName; bomLength: number } {
  const bom = byteOrderMark(bytes);
  if (bom) return { encoding: bom.encoding, bomLength: bom.length };
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) return { encoding: utf16, bomLength: 0 };
  if (decodeStrictUtf8(bytes, options.truncated ?? false) !== undefined) return { encoding: 'utf-8', bomLength: 0 };
  return { encoding: usableDeclaredCharset(options.declaredCharset) ?? 'windows-1252', bomLength: 0 };
}

export function decodeText(bytes: Uint8Array, options: DecodeTextOptions = {}): DecodedText {
  const { encoding, bomLength } = detectTextEncoding(bytes, options);
  const body = bytes.subarray(bomLength);
  const text =
    encoding === 'utf-8'
      ? new TextDecoder('utf-8', { ignoreBOM: true }).decode(body, { stream: options.truncated ?? false })
      : iconv.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength), encoding, { stripBOM: true });
  return { text, encoding };
}

/** Unifies line endings and drops control characters that only confuse later stages. */
export function normaliseExtractedText(text: string): string {
  return text
    .replace(/\r\n?|\f/g, '\n')
    .replace(/[\u0000-\u0008\u000b\u000e-\u001f\u007f\ufeff]/g, '')
    .replace(/[ \t]+\n/g, '\n');
}
