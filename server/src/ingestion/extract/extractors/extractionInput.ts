import type { ExtractionLimits } from '../limits.js';
import type { DetectedFileType, ExtractedText } from '../types.js';

export interface ExtractionInput {
  bytes: Buffer;
  fileType: DetectedFileType;
  limits: ExtractionLimits;
}

/** One format's reader. Throws ExtractionError for anything wrong with the file. */
export type Extractor = (input: ExtractionInput) => Promise<ExtractedText>;
