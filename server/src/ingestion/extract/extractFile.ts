import { readFile, stat } from 'node:fs/promises';
import { detectFileType } from './detectFileType.js';
import { ExtractionError, describeCause } from './extractionError.js';
import type { ExtractionLimits } from './limits.js';
import { loadExtractor } from './registry.js';
import { documentKindLabels, type ExtractionResult, type TextSpan } from './types.js';

// The extraction itself, in whatever process calls it. The API never calls this
// directly: extractDocument runs it in a separate, limited process (see index.ts).

export interface ExtractFileOptions {
  limits: ExtractionLimits;
  /** Name the file was uploaded with, as a hint between text kinds. */
  fileName?: string;
}

const bytesPerMiB = 1024 * 1024;

/** Refuses empty and oversized files from their size alone. */
export async function checkFileSize(filePath: string, limits: ExtractionLimits): Promise<void> {
  const { size } = await stat(filePath);
  if (size === 0) throw new ExtractionError('empty', 'The file is empty');
  if (size > limits.maxFileBytes) {
    throw new ExtractionError(
      'too_large',
      `The file is ${(size / bytesPerMiB).toFixed(1)} MiB (limit ${(limits.maxFileBytes / bytesPerMiB).toFixed(1)} MiB)`,
    );
  }
}

function keepText(spans: TextSpan[]): TextSpan[] {
  return spans.filter((span) => span.text.trim() !== '');
}

export async function extractFile(filePath: string, { limits, fileName }: ExtractFileOptions): Promise<ExtractionResult> {
  await checkFileSize(filePath, limits);
  const bytes = await readFile(filePath);
  const fileType = await detectFileType(bytes, { fileName: fileName ?? filePath, maxZipEntries: limits.zip.maxEntries });
  const extract = await loadExtractor(fileType.kind);
  let extracted;
  try {
    extracted = await extract({ bytes, fileType, limits });
  } catch (error) {
    if (error instanceof ExtractionError) throw error;
    // A parser tripping over content (hostile nesting, malformed structures) is
    // a property of the file; the cause stays in the message for diagnosis.
    throw new ExtractionError('corrupt', `The ${documentKindLabels[fileType.kind]} could not be read (${describeCause(error)})`);
  }
  const spans = keepText(extracted.spans);
  if (spans.length === 0) throw new ExtractionError('empty', 'No text was found in the document');
  return {
    kind: fileType.kind,
    mime: fileType.mime,
    ...(fileType.encoding ? { encoding: fileType.encoding } : {}),
    ...(extracted.pages !== undefined ? { pages: extracted.pages } : {}),
    spans,
    warnings: extracted.warnings ?? [],
  };
}
