import yauzl from 'yauzl';
import { ExtractionError, describeCause } from './extractionError.js';
import type { ZipLimits } from './limits.js';

// DOCX files are ZIP archives. We read only the central directory (the table of
// contents at the end of the archive, no decompression) to decide whether the
// archive is a DOCX and whether expanding it is safe, before any parser inflates
// a single byte. Sizes in the directory can lie; the memory bound of the
// extraction process is the backstop for that case.

export interface ZipEntrySummary {
  name: string;
  compressedBytes: number;
  uncompressedBytes: number;
}

const bytesPerMiB = 1024 * 1024;

/** Lists the archive's entries from its central directory; `source` is the bytes or a file path. */
export async function listZipEntries(source: Buffer | string, maxEntries: number): Promise<ZipEntrySummary[]> {
  const options: yauzl.Options = { lazyEntries: true, autoClose: true, decodeStrings: true, strictFileNames: false };
  let zip: yauzl.ZipFile;
  try {
    zip = typeof source === 'string' ? await yauzl.openPromise(source, options) : await yauzl.fromBufferPromise(source, options);
  } catch (error) {
    throw new ExtractionError('corrupt', `The ZIP container is damaged or unreadable (${describeCause(error)})`);
  }
  if (zip.entryCount > maxEntries) {
    zip.close();
    throw new ExtractionError('zip_bomb', `The archive lists ${zip.entryCount} entries (limit ${maxEntries})`);
  }
  return new Promise((resolve, reject) => {
    const entries: ZipEntrySummary[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push({ name: entry.fileName, compressedBytes: entry.compressedSize, uncompressedBytes: entry.uncompressedSize });
      zip.readEntry();
    });
    zip.on('end', () => {
      zip.close();
      resolve(entries);
    });
    zip.on('error', (error: unknown) => {
      zip.close();
      reject(new ExtractionError('corrupt', `The ZIP container is damaged or unreadable (${describeCause(error)})`));
    });
    zip.readEntry();
  });
}

export function isDocxArchive(entries: readonly ZipEntrySummary[]): boolean {
  return entries.some((entry) => entry.name === 'word/document.xml');
}

export function assertSafeToExpand(entries: readonly ZipEntrySummary[], limits: ZipLimits): void {
  const total = entries.reduce((sum, entry) => sum + entry.uncompressedBytes, 0);
  if (total > limits.maxUncompressedBytes) {
    throw new ExtractionError(
      'zip_bomb',
      `The document would expand to ${Math.round(total / bytesPerMiB)} MiB (limit ${Math.round(limits.maxUncompressedBytes / bytesPerMiB)} MiB)`,
    );
  }
  // Small parts legitimately compress very well (repetitive XML); only a big
  // expansion at an extreme ratio is the signature of a bomb.
  const suspicious = entries.find(
    (entry) =>
      entry.uncompressedBytes > bytesPerMiB &&
      entry.uncompressedBytes / Math.max(entry.compressedBytes, 1) > limits.maxCompressionRatio,
  );
  if (suspicious) {
    const ratio = Math.round(suspicious.uncompressedBytes / Math.max(suspicious.compressedBytes, 1));
    throw new ExtractionError(
      'zip_bomb',
      `A part of the document is compressed ${ratio}:1 (limit ${limits.maxCompressionRatio}:1), which is typical of a zip bomb`,
    );
  }
}
