import type { TextEncodingName } from '../../lib/textDecoding.js';

export const documentKinds = ['pdf', 'docx', 'image', 'text', 'markdown', 'html', 'csv'] as const;
export type DocumentKind = (typeof documentKinds)[number];

/** How messages name each kind ("The HTML page could not be read"). */
export const documentKindLabels: Record<DocumentKind, string> = {
  pdf: 'PDF',
  docx: 'DOCX document',
  image: 'image',
  text: 'text file',
  markdown: 'Markdown file',
  html: 'HTML page',
  csv: 'CSV file',
};

export interface DetectedFileType {
  mime: string;
  kind: DocumentKind;
  /** For text kinds: the encoding inferred from the bytes. */
  encoding?: TextEncodingName;
}

/**
 * A run of text with where it came from, so chunks can cite a page or a heading.
 * `page` is 1-based; `section` is the heading trail ("Usage > Library") or, for
 * CSV, the rows the text covers.
 */
export interface TextSpan {
  text: string;
  page?: number;
  section?: string;
  /** The text was read by OCR from an image, not from a text layer. */
  ocr?: boolean;
}

/** What one extractor produces. */
export interface ExtractedText {
  pages?: number;
  spans: TextSpan[];
  /** Problems that cost part of the document but not all of it (a page that failed to render...). */
  warnings?: string[];
}

export interface ExtractionResult extends ExtractedText {
  kind: DocumentKind;
  mime: string;
  encoding?: TextEncodingName;
  warnings: string[];
}
