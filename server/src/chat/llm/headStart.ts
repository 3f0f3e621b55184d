import type { ChatStreamEvent } from './chatProvider.js';

/**
 * A model stream started before anyone reads it: the request goes out at
 * once and its events wait, in order, until `take()` hands them over. The
 * answer path uses it to overlap the model's time to first token with storing
 * the turn, the last database write before the first chunk.
 */
export class HeadStart {
  /** When the request went out (performance.now()): the call's latency counts from here. */
  readonly startedAt = performance.now();
  private readonly controller = new AbortController();
  private readonly iterator: AsyncIterator<ChatStreamEvent>;
  private readonly first: Promise<IteratorResult<ChatStreamEvent>>;
  private taken = false;

  constructor(open: (signal: AbortSignal) => AsyncIterable<ChatStreamEvent>) {
    this.iterator = open(this.controller.signal)[Symbol.asyncIterator]();
    this.first = this.iterator.next();
    // take() reads it; a start that is abandoned must not end as an unhandled rejection.
    this.first.catch(() => undefined);
  }

  /** Aborting `signal` (the answer's stop) aborts the request too. */
  follow(signal: AbortSignal): void {
    if (signal.aborted) this.controller.abort(signal.reason);
    else signal.addEventListener('abort', () => this.controller.abort(signal.reason), { once: true });
  }

  /** The stream from its first event. Once only: a retry opens a new request. */
  take(): AsyncIterable<ChatStreamEvent> {
    if (this.taken) throw new Error('A head start is read once');
    this.taken = true;
    const { iterator, first } = this;
    return {
      async *[Symbol.asyncIterator]() {
        let next = await first;
        try {
          while (!next.done) {
            yield next.value;
            next = await iterator.next();
          }
        } finally {
          // A reader that stops early (a stop, a failure downstream) ends the request.
          if (!next.done) await iterator.return?.();
        }
      },
    };
  }

  /** Cancels the request when nothing took it (the turn could not be stored). */
  abandon(): void {
    if (!this.taken) this.controller.abort();
  }
}
