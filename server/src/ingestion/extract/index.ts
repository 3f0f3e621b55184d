/**
 * Extraction: the first step of the knowledge pipeline, from a stored file to
 * text spans that remember where they came from.
 *
 *   extractDocument(path, { fileName, timeoutMs, maxMemoryMb, ... })
 *     -> { kind, mime, pages?, spans: [{ text, page?, section?, ocr? }], warnings }
 *     or rejects with ExtractionError { code, message }
 *
 * Why a child process. Parsers are the part of Atrium that reads
 * attacker-controlled bytes with large, native or WebAssembly code (pdf.js,
 * mammoth/JSZip, libvips, Tesseract). A PDF that loops forever, a DOCX that
 * inflates to gigabytes or a crash in native code must cost one failed file,
 * never the API. Worker threads share the process: their resourceLimits cover
 * only the JS heap, not WebAssembly or native memory, and a native crash takes
 * every thread down. So each file is extracted in its own forked Node process
 * (sandbox/extractionChild.ts) that:
 *   - gets a wall-clock limit (timeoutMs): on expiry the parent SIGKILLs it;
 *   - gets a memory bound (maxMemoryMb): V8's --max-old-space-size for the heap,
 *     plus a watchdog on the process's resident memory (/proc/<pid>/status),
 *     which is what WebAssembly and native buffers actually consume;
 *   - inherits no secrets (a minimal environment);
 *   - handles one file and exits, so nothing leaks into the next file.
 * A timeout, OOM or crash becomes an ExtractionError ('timeout',
 * 'out_of_memory', 'crashed') and the parent carries on. Starting a process costs
 * ~0.1 s (more under tsx), small next to parsing a document; the OCR worker is
 * created lazily inside the child and reused for every page of that file.
 * From TypeScript sources (Jest, tsx) the child runs under tsx's loader; from
 * `server/dist` it runs the compiled .js.
 *
 * Flow inside the child (extractFile.ts): size check -> read -> detectFileType
 * (magic bytes; DOCX only if the ZIP holds word/document.xml; for text, charset
 * detection and the extension as a hint between text kinds) -> the registry
 * (registry.ts) picks the reader for the kind -> spans without text are dropped;
 * none left is the 'empty' failure.
 *
 * The registry maps each DocumentKind to one Extractor and loads it lazily:
 *   pdf       pdf-parse per page; pages without a text layer are rendered and OCR'd
 *   docx      ZIP central directory checked for bombs, then mammoth -> HTML -> sections
 *   image     sharp normalisation (EXIF rotation, grayscale, scale) -> tesseract.js
 *   text      charset-detected plain text
 *   markdown  split at headings (outside code fences)
 *   html      html-to-text, scripts/styles dropped, headings as sections
 *   csv       delimiter sniffed; rows as "Header: value; ..." lines, spans per row range
 *
 * Error codes (ExtractionErrorCode): unsupported_type, empty, too_large,
 * encrypted, corrupt, zip_bomb, timeout, out_of_memory, crashed, internal.
 * Nothing here logs: warnings (a page that failed to render) travel in the
 * result, and messages never include document text.
 */
export { extractDocument, type ExtractDocumentOptions } from './sandbox/isolatedExtraction.js';
export { detectFileType, type DetectFileTypeOptions } from './detectFileType.js';
export { ExtractionError, extractionErrorCodes, isExtractionError, type ExtractionErrorCode } from './extractionError.js';
export { defaultExtractionLimits, resolveLimits, type ExtractionLimits, type ZipLimits } from './limits.js';
export type { DetectedFileType, DocumentKind, ExtractionResult, TextSpan } from './types.js';
