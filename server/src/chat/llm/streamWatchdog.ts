import { ProviderError, type ChatRequest, type ChatStreamEvent } from './chatProvider.js';

/**
 * Iterates an upstream stream with a time limit on the first item and on every
 * gap after it. When the limit passes, `abort` cancels the upstream request and
 * the iteration fails with ProviderError 'timeout' instead of hanging on a
 * model that stopped sending.
 */
export async function* withIdleTimeout<T>(source: AsyncIterable<T>, timeoutMs: number, abort: () => void): AsyncGenerator<T> {
  // One timer for the whole stream: an item only notes its time, and the
  // timer, when it fires, waits out whatever is left of the gap since the last
  // one; setting a timer again for every token was a cost on every token.
  let timedOut = false;
  let lastItemAt = performance.now();
  const check = () => {
    const idle = performance.now() - lastItemAt;
    if (idle < timeoutMs) {
      timer = setTimeout(check, timeoutMs - idle);
      return;
    }
    timedOut = true;
    abort();
  };
  let timer = setTimeout(check, timeoutMs);
  try {
    for await (const item of source) {
      lastItemAt = performance.now();
      yield item;
    }
  } catch (error) {
    if (timedOut) throw new ProviderError('timeout', `The model sent nothing for ${Math.round(timeoutMs / 1000)} s`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw new ProviderError('timeout', `The model sent nothing for ${Math.round(timeoutMs / 1000)} s`);
}

/** One signal that fires when either the caller's or ours does. */
export function linkedAbort(signal: AbortSignal | undefined): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  if (!signal) return { controller, dispose: () => undefined };
  if (signal.aborted) controller.abort(signal.reason);
  const forward = () => controller.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  return { controller, dispose: () => signal.removeEventListener('abort', forward) };
}

/**
 * What every adapter's streamChat does around its SDK call: link the caller's
 * abort to the request, give up on silence after `timeoutMs`, and turn every
 * failure into a ProviderError (an abort mid-stream is the caller's stop,
 * however the SDK words it).
 */
export async function* guardedStream(
  request: ChatRequest,
  timeoutMs: number,
  open: (signal: AbortSignal) => AsyncGenerator<ChatStreamEvent>,
  toError: (error: unknown) => ProviderError,
): AsyncGenerator<ChatStreamEvent> {
  const { controller, dispose } = linkedAbort(request.signal);
  try {
    yield* withIdleTimeout(open(controller.signal), timeoutMs, () => controller.abort());
  } catch (error) {
    if (request.signal?.aborted) throw new ProviderError('cancelled', 'The request was cancelled');
    throw toError(error);
  } finally {
    dispose();
  }
}
