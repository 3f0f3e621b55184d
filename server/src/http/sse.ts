import type { Request, Response } from 'express';

// Server-sent events: headers that keep proxies and compression from holding
// events back, a comment every 15 s so idle connections stay open, and one
// `event:`/`data:` frame per event.

const HEARTBEAT_MS = 15_000;

export function wantsEventStream(req: Request): boolean {
  return (req.get('accept') ?? '').includes('text/event-stream');
}

export interface EventStream {
  send(event: string, data: unknown): void;
  end(): void;
  /** Called once when the client goes away or the stream ends. */
  onClose(listener: () => void): void;
}

export function openEventStream(req: Request, res: Response): EventStream {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    // no-transform keeps the compression middleware from buffering events.
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // nginx: pass events through as they come.
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const listeners: (() => void)[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const listener of listeners) listener();
  };
  req.on('close', close);
  res.on('close', close);
  return {
    send(event, data) {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      close();
      res.end();
    },
    onClose(listener) {
      listeners.push(listener);
    },
  };
}
