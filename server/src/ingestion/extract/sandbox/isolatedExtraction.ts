import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ExtractionError, isExtractionErrorCode } from '../extractionError.js';
import { checkFileSize } from '../extractFile.js';
import { resolveLimits, type ExtractionLimitOverrides, type ExtractionLimits } from '../limits.js';
import type { ExtractionResult } from '../types.js';
import { residentMemoryMb } from './processMemory.js';
import type { ExtractReply, ExtractRequest } from './protocol.js';

export interface ExtractDocumentOptions extends ExtractionLimitOverrides {
  /** Name the file was uploaded with (stored files have generated names); a hint between text kinds only. */
  fileName?: string;
  /** Aborting kills the child at once and rejects with the signal's reason (not an ExtractionError). */
  signal?: AbortSignal;
}

const memoryPollMs = 100;
const stderrTailBytes = 8 * 1024;

interface ChildEntry {
  modulePath: string;
  execArgv: string[];
}

// Compiled builds run the .js child directly. From TypeScript sources (Jest,
// `tsx watch`) plain node cannot load the .ts child, so it is started with tsx's
// loader, resolved from this file so the working directory does not matter.
function childEntry(): ChildEntry {
  if (!import.meta.url.endsWith('.ts')) {
    return { modulePath: fileURLToPath(new URL('./extractionChild.js', import.meta.url)), execArgv: [] };
  }
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { modulePath: fileURLToPath(new URL('./extractionChild.ts', import.meta.url)), execArgv: ['--import', tsxLoader] };
}

// The child gets no secrets: parsers see only what they need to run.
function childEnvironment(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'NODE_ENV', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'SYSTEMROOT'];
  return Object.fromEntries(keep.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
}

function outOfMemory(limits: ExtractionLimits): ExtractionError {
  return new ExtractionError('out_of_memory', `Extraction needed more than ${limits.maxMemoryMb} MiB of memory and was stopped`);
}

function describeExit(code: number | null, signal: NodeJS.Signals | null, stderrTail: string, limits: ExtractionLimits): ExtractionError {
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderrTail)) return outOfMemory(limits);
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  return new ExtractionError('crashed', `The extraction process ${how} before finishing`);
}

function runInChild(filePath: string, fileName: string | undefined, limits: ExtractionLimits, signal?: AbortSignal): Promise<ExtractionResult> {
  const entry = childEntry();
  let child: ChildProcess;
  try {
    child = fork(entry.modulePath, [], {
      execArgv: [...entry.execArgv, `--max-old-space-size=${limits.maxMemoryMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: childEnvironment(),
    });
  } catch (error) {
    return Promise.reject(new ExtractionError('crashed', `The extraction process could not start (${(error as Error).message})`));
  }

  return new Promise<ExtractionResult>((resolve, reject) => {
    let settled = false;
    let stderrTail = '';

    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(memoryWatch);
      signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      outcome();
    };

    const timer = setTimeout(() => {
      settle(() => reject(new ExtractionError('timeout', `Extraction took longer than ${limits.timeoutMs / 1000} s and was stopped`)));
    }, limits.timeoutMs);

    const memoryWatch = setInterval(() => {
      if (child.pid === undefined) return;
      void residentMemoryMb(child.pid).then((rss) => {
        if (rss !== undefined && rss > limits.maxMemoryMb) settle(() => reject(outOfMemory(limits)));
      });
    }, memoryPollMs);

    function onAbort() {
      settle(() => reject(signal?.reason ?? new Error('extraction aborted')));
    }
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-stderrTailBytes);
    });

    child.on('message', (reply: ExtractReply) => {
      if (reply.type === 'result') {
        settle(() => resolve(reply.result));
      } else {
        const code = isExtractionErrorCode(reply.code) ? reply.code : 'internal';
        settle(() => reject(new ExtractionError(code, reply.message)));
      }
    });

    child.on('error', (error) => {
      settle(() => reject(new ExtractionError('crashed', `The extraction process failed (${error.message})`)));
    });

    // 'close' comes after the IPC channel has delivered everything, so a reply
    // sent just before exiting is never mistaken for a crash.
    child.on('close', (code, signal) => {
      settle(() => reject(describeExit(code, signal, stderrTail, limits)));
    });

    const request: ExtractRequest = { type: 'extract', filePath, limits, ...(fileName !== undefined ? { fileName } : {}) };
    child.send(request);
  });
}

/**
 * Extracts the text of a stored file in a separate process bounded in time and
 * memory. Resolves with spans that keep their page or section; rejects only
 * with an ExtractionError.
 */
export async function extractDocument(filePath: string, options: ExtractDocumentOptions = {}): Promise<ExtractionResult> {
  const { fileName, signal, ...overrides } = options;
  const limits = resolveLimits(overrides);
  const absolutePath = path.resolve(filePath);
  try {
    await checkFileSize(absolutePath, limits);
  } catch (error) {
    if (error instanceof ExtractionError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ExtractionError('internal', `The file to extract could not be opened (${code})`);
  }
  return runInChild(absolutePath, fileName, limits, signal);
}
