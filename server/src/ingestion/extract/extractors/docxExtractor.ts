import mammoth from 'mammoth';
import { ExtractionError, describeCause } from '../extractionError.js';
import type { ExtractedText } from '../types.js';
import { assertSafeToExpand, isDocxArchive, listZipEntries } from '../zipInspection.js';
import type { ExtractionInput } from './extractionInput.js';
import { htmlToSections } from './htmlSections.js';

// mammoth maps Word's heading styles to <h1>..<h6>, so going through its HTML
// keeps headings as sections with the same code as HTML files. The archive is
// checked from its central directory before mammoth inflates anything.

// Images are replaced by an empty <img> without reading their bytes: they carry
// no text, and inlining them as data URIs would only cost memory.
const skipImages = mammoth.images.imgElement(async () => ({ src: '' }));

export async function extractDocx({ bytes, limits }: ExtractionInput): Promise<ExtractedText> {
  const entries = await listZipEntries(bytes, limits.zip.maxEntries);
  if (!isDocxArchive(entries)) {
    throw new ExtractionError('unsupported_type', 'The file is a ZIP archive but not a DOCX document (word/document.xml is missing)');
  }
  assertSafeToExpand(entries, limits.zip);

  let html: string;
  try {
    ({ value: html } = await mammoth.convertToHtml(
      { buffer: bytes },
      { convertImage: skipImages, externalFileAccess: false, ignoreEmptyParagraphs: true },
    ));
  } catch (error) {
    throw new ExtractionError('corrupt', `The DOCX document is damaged or unreadable (${describeCause(error)})`);
  }
  return { spans: htmlToSections(html) };
}
