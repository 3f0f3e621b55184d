import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';
import { decodeText } from '../../lib/textDecoding.js';
import { looksLikeCsv } from './extractors/csvDialect.js';
import { ExtractionError } from './extractionError.js';
import { defaultExtractionLimits } from './limits.js';
import type { DetectedFileType, DocumentKind } from './types.js';
import { isDocxArchive, listZipEntries } from './zipInspection.js';

// Binary formats are recognised only by their bytes (magic numbers, and for DOCX
// the archive's own table of contents): a name can be anything the uploader
// chose. Text formats have no magic number, so once the bytes are known to be
// text, the file name's extension may choose between text kinds, and without one
// we sniff the content.

export interface DetectFileTypeOptions {
  /** The name the file was uploaded with; only a hint between text kinds. */
  fileName?: string;
  maxZipEntries?: number;
}

const docxMime = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const supportedImageMimes = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/tiff']);
const zipMimes = new Set(['application/zip', docxMime]);
const textSampleBytes = 64 * 1024;

const textKindByExtension: Record<string, DocumentKind> = {
  '.txt': 'text',
  '.text': 'text',
  '.log': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdown': 'markdown',
  '.mkd': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.csv': 'csv',
  '.tsv': 'csv',
};

const mimeByTextKind: Partial<Record<DocumentKind, string>> = {
  text: 'text/plain',
  markdown: 'text/markdown',
  html: 'text/html',
  csv: 'text/csv',
};

const supportedFormats = 'PDF, DOCX, PNG, JPEG, WebP, TIFF, plain text, Markdown, HTML and CSV';

function unsupported(what: string): ExtractionError {
  return new ExtractionError('unsupported_type', `${what} is not supported (supported: ${supportedFormats})`);
}

async function readHead(input: Uint8Array | string, length: number): Promise<Uint8Array> {
  if (typeof input !== 'string') return input.subarray(0, length);
  const handle = await open(input, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function byteLength(input: Uint8Array | string): Promise<number> {
  return typeof input === 'string' ? (await stat(input)).size : input.byteLength;
}

// Binary data decoded as text is full of C0 control characters; real text has
// almost none besides tabs and line breaks.
function isPlausibleText(text: string): boolean {
  if (text.length === 0) return false;
  if (text.includes('\u0000')) return false;
  const controls = text.match(/[\u0001-\u0008\u000e-\u001f]/g)?.length ?? 0;
  return controls / text.length < 0.005;
}

function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 2048).replace(/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*/i, '');
  return /^<(!doctype\s+html|html|head|body)\b/i.test(head);
}

function looksLikeMarkdown(text: string): boolean {
  return /^#{1,6}[ \t]+\S/m.test(text) || /^(```|~~~)/m.test(text) || /^\|?[ \t]*:?-{3,}:?[ \t]*\|/m.test(text);
}

function sniffTextKind(text: string): DocumentKind {
  if (looksLikeHtml(text)) return 'html';
  if (looksLikeMarkdown(text)) return 'markdown';
  if (looksLikeCsv(text)) return 'csv';
  return 'text';
}

async function detectZipBasedType(input: Uint8Array | string, maxZipEntries: number): Promise<DetectedFileType> {
  const entries = await listZipEntries(typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength), maxZipEntries);
  if (!isDocxArchive(entries)) {
    throw new ExtractionError('unsupported_type', 'The file is a ZIP archive but not a DOCX document (word/document.xml is missing)');
  }
  return { mime: docxMime, kind: 'docx' };
}

export async function detectFileType(input: Uint8Array | string, options: DetectFileTypeOptions = {}): Promise<DetectedFileType> {
  if ((await byteLength(input)) === 0) throw new ExtractionError('empty', 'The file is empty');

  const magic = typeof input === 'string' ? await fileTypeFromFile(input) : await fileTypeFromBuffer(input);
  if (magic?.mime === 'application/pdf') return { mime: magic.mime, kind: 'pdf' };
  if (magic && supportedImageMimes.has(magic.mime)) return { mime: magic.mime, kind: 'image' };
  if (magic && zipMimes.has(magic.mime)) {
    return detectZipBasedType(input, options.maxZipEntries ?? defaultExtractionLimits.zip.maxEntries);
  }
  if (magic?.mime === 'application/x-cfb') {
    throw unsupported('A legacy Office file (.doc/.xls) or a password-protected Office document');
  }

  const extension = path.extname(options.fileName ?? (typeof input === 'string' ? input : '')).toLowerCase();
  const kindFromName = textKindByExtension[extension];
  const sample = decodeText(await readHead(input, textSampleBytes), { truncated: true });
  // Some magic numbers are plain words ("<?xml", "ID3"...): a file named as text
  // whose bytes decode cleanly stays text even when file-type suggested otherwise.
  if (!isPlausibleText(sample.text) || (magic && !kindFromName)) {
    throw unsupported(magic ? `The file type ${magic.mime}` : 'A binary file of unknown type');
  }
  const kind = kindFromName ?? sniffTextKind(sample.text);
  return { mime: mimeByTextKind[kind] ?? 'text/plain', kind, encoding: sample.encoding };
}
