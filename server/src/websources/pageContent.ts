import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultExtractionLimits, detectFileType, extractDocument, isExtractionError } from '../ingestion/extract/index.js';
import type { DetectedFileType, DocumentKind, TextSpan } from '../ingestion/extract/index.js';
// The ingestion pipeline's own HTML reader (charset handling, headings as sections).
import { extractHtml } from '../ingestion/extract/extractors/htmlExtractor.js';
import { decodeText } from '../lib/textDecoding.js';
import { readHtmlDocument } from './htmlDocument.js';
import { WebSourceError } from './webSourceError.js';

// From a fetched body to what gets indexed. The kind comes from the bytes
// (magic numbers; HTML and other text sniffed), never from the server's
// Content-Type, which only breaks ties between text kinds. HTML is read in this
// process: its markup has to be parsed here anyway for links, and html-to-text is
// plain linear JavaScript. Every other kind (PDF, DOCX...) goes through the
// pipeline's sandboxed extractDocument, as an uploaded file would.

export const defaultAllowedKinds: readonly DocumentKind[] = ['html', 'pdf', 'docx', 'text', 'markdown', 'csv'];

export interface PageContent {
  kind: DocumentKind;
  mime: string;
  title?: string;
  spans: TextSpan[];
  /** Same-document links for HTML (canonical first), normalised; empty for other kinds. */
  links: string[];
  /** The page asked that its links not be followed. */
  nofollow: boolean;
  /** sha256 of the extracted text for HTML (markup churn is not a change), of the bytes otherwise. */
  contentHash: string;
}

const binaryKinds = new Set<DocumentKind>(['pdf', 'docx', 'image']);

const nameHintByMime: Record<string, string> = {
  'text/html': 'page.html',
  'application/xhtml+xml': 'page.xhtml',
  'text/plain': 'page.txt',
  'text/markdown': 'page.md',
  'text/x-markdown': 'page.md',
  'text/csv': 'page.csv',
};

function declaredMime(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function fileNameHint(url: string, mime: string | undefined): string {
  if (mime && nameHintByMime[mime]) return nameHintByMime[mime];
  return path.posix.basename(new URL(url).pathname) || 'page';
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface ClassifiedBody {
  fileType: DetectedFileType;
  /** The name hint the kind was decided with; the extraction process must get the same. */
  fileName: string;
}

export async function classifyBody(url: string, body: Buffer, contentType: string | undefined, allowedKinds: readonly DocumentKind[]): Promise<ClassifiedBody> {
  const mime = declaredMime(contentType);
  const fileName = fileNameHint(url, mime);
  let detected: DetectedFileType;
  try {
    detected = await detectFileType(body, { fileName });
  } catch (error) {
    const reason = isExtractionError(error) ? error.message : String(error);
    throw new WebSourceError('unsupported_type', `${url} was refused by its content${mime ? ` (served as ${mime})` : ''}: ${reason}`);
  }
  if (mime?.startsWith('text/') && binaryKinds.has(detected.kind)) {
    throw new WebSourceError('unsupported_type', `${url} is served as ${mime} but its bytes are ${detected.mime}`);
  }
  if (!allowedKinds.includes(detected.kind)) {
    throw new WebSourceError('unsupported_type', `${url} is ${detected.mime}, which this source does not index (allowed: ${allowedKinds.join(', ')})`);
  }
  return { fileType: detected, fileName };
}

export function readHtmlPage(url: string, body: Buffer, fileType: DetectedFileType): Promise<PageContent> {
  return extractHtml({ bytes: body, fileType, limits: defaultExtractionLimits }).then(({ spans }) => {
    const kept = spans.filter((span) => span.text.trim() !== '');
    const markup = readHtmlDocument(decodeText(body).text, url);
    const title = markup.title ?? kept.find((span) => span.section)?.section?.split(' > ')[0];
    return {
      kind: fileType.kind,
      mime: fileType.mime,
      ...(title ? { title } : {}),
      spans: kept,
      links: markup.links,
      nofollow: markup.nofollow,
      contentHash: sha256(JSON.stringify({ title: title ?? null, spans: kept })),
    };
  });
}

function documentName(url: string): string {
  const name = path.posix.basename(new URL(url).pathname);
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

export async function readDocumentPage(url: string, body: Buffer, fileName: string, signal?: AbortSignal): Promise<PageContent> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'atrium-web-'));
  try {
    const filePath = path.join(directory, 'document');
    await writeFile(filePath, body);
    const result = await extractDocument(filePath, { fileName, ...(signal ? { signal } : {}) });
    const title = documentName(url);
    return {
      kind: result.kind,
      mime: result.mime,
      ...(title ? { title } : {}),
      spans: result.spans,
      links: [],
      nofollow: false,
      contentHash: sha256(body),
    };
  } catch (error) {
    if (isExtractionError(error)) throw new WebSourceError('extraction', `The text of ${url} could not be read: ${error.message}`);
    throw error;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
