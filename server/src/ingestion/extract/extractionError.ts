// Every way an extraction can fail, as a stable code the pipeline stores on the
// file row and the console translates, plus a message a user can act on. The
// message never contains document text or server paths.
export const extractionErrorCodes = [
  'unsupported_type', // not one of the formats we read (or a ZIP that is not a DOCX)
  'empty', // zero bytes, or a valid document with no text in it
  'too_large', // file, page count or image dimensions above the configured limits
  'encrypted', // password-protected
  'corrupt', // damaged beyond what the parser can recover
  'zip_bomb', // DOCX whose declared content would expand far beyond its size
  'timeout', // parser ran past the time limit and was stopped
  'out_of_memory', // parser went past the memory bound and was stopped
  'crashed', // the isolated extraction process died for another reason
  'internal', // a problem on our side (stored file missing...), not a property of the file
] as const;

export type ExtractionErrorCode = (typeof extractionErrorCodes)[number];

export class ExtractionError extends Error {
  constructor(
    readonly code: ExtractionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExtractionError';
  }
}

export function isExtractionError(error: unknown): error is ExtractionError {
  return error instanceof ExtractionError;
}

export function isExtractionErrorCode(value: unknown): value is ExtractionErrorCode {
  return typeof value === 'string' && (extractionErrorCodes as readonly string[]).includes(value);
}

/** The message of an unknown thrown value, for wrapping it in a readable reason. */
export function describeCause(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
