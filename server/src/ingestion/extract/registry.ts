import type { Extractor } from './extractors/extractionInput.js';
import type { DocumentKind } from './types.js';

// One reader per kind. Modules load on first use: a CSV upload should not pay
// for loading pdf.js or the OCR engine into the extraction process.
const extractorLoaders: Record<DocumentKind, () => Promise<Extractor>> = {
  pdf: async () => (await import('./extractors/pdfExtractor.js')).extractPdf,
  docx: async () => (await import('./extractors/docxExtractor.js')).extractDocx,
  image: async () => (await import('./extractors/imageExtractor.js')).extractImage,
  text: async () => (await import('./extractors/plainTextExtractor.js')).extractPlainText,
  markdown: async () => (await import('./extractors/markdownExtractor.js')).extractMarkdown,
  html: async () => (await import('./extractors/htmlExtractor.js')).extractHtml,
  csv: async () => (await import('./extractors/csvExtractor.js')).extractCsv,
};

export function loadExtractor(kind: DocumentKind): Promise<Extractor> {
  return extractorLoaders[kind]();
}
