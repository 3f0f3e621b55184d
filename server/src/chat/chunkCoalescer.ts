/**
 * Joins the tokens that arrive within a few milliseconds into one chunk.
 * Models often send several tokens at once, and every chunk costs a write per
 * listening socket; a screen cannot show them faster than it repaints anyway.
 * The first token goes out at once, so time to first token is untouched.
 */
export class ChunkCoalescer {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private sentFirst = false;

  constructor(
    private readonly emit: (text: string) => void,
    private readonly windowMs = 16,
  ) {}

  push(text: string): void {
    if (!this.sentFirst) {
      this.sentFirst = true;
      this.emit(text);
      return;
    }
    this.pending += text;
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Sends what is pending now (before the answer's end). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    this.emit(text);
  }
}
