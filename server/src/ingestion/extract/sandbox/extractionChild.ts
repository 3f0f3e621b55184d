import { ExtractionError, describeCause } from '../extractionError.js';
import { extractFile } from '../extractFile.js';
import type { ExtractReply, ExtractRequest } from './protocol.js';

// Entry point of the extraction process forked by extractDocument. It handles
// exactly one file and exits, so nothing a hostile file did (leaked memory, a
// wedged parser, stray timers) can outlive that file.

async function handle(request: ExtractRequest): Promise<ExtractReply> {
  try {
    const result = await extractFile(request.filePath, {
      limits: request.limits,
      ...(request.fileName !== undefined ? { fileName: request.fileName } : {}),
    });
    return { type: 'result', result };
  } catch (error) {
    if (error instanceof ExtractionError) return { type: 'error', code: error.code, message: error.message };
    return { type: 'error', code: 'internal', message: `Extraction failed unexpectedly (${describeCause(error)})` };
  }
}

process.once('message', (request: ExtractRequest) => {
  void handle(request).then((reply) => {
    // Exiting also stops the OCR worker threads; there is no state worth a graceful shutdown.
    process.send?.(reply, () => process.exit(0));
  });
});

// The parent went away (crash, restart): there is nobody left to answer.
process.once('disconnect', () => process.exit(0));
