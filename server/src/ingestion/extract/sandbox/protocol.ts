import type { ExtractionErrorCode } from '../extractionError.js';
import type { ExtractionLimits } from '../limits.js';
import type { ExtractionResult } from '../types.js';

// Messages between the API process and its extraction child, over the IPC channel.

export interface ExtractRequest {
  type: 'extract';
  filePath: string;
  fileName?: string;
  limits: ExtractionLimits;
}

export type ExtractReply =
  | { type: 'result'; result: ExtractionResult }
  | { type: 'error'; code: ExtractionErrorCode; message: string };
