import type { Request, Response } from 'express';
import type { ChatEvent } from '../../../chat/chatEvents.js';
import type { Generation } from '../../../chat/generationHub.js';
import { AppError } from '../../../errors/appError.js';
import { presentChatEvent } from '../../presenters/chatEvent.js';
import { presentMessage } from '../../presenters/message.js';
import { openEventStream, wantsEventStream } from '../../sse.js';
import type { RouteResult } from '../../route.js';

/**
 * Sends an answer the way the client asked: as server-sent events (`start`,
 * `chunk`..., then `done` or `error`, the same payloads as socket.io's
 * chat:* events) with `Accept: text/event-stream`, otherwise as one JSON
 * body once the answer is complete. A client that goes away does not stop
 * the answer; it is saved and can be followed again.
 */
export async function respondWithAnswer(req: Request, res: Response, generation: Generation, status = 201): Promise<RouteResult> {
  if (wantsEventStream(req)) {
    const stream = openEventStream(req, res);
    const unsubscribe = generation.subscribe((event) => {
      stream.send(event.type, presentChatEvent(event));
      if (event.type === 'done' || event.type === 'error') stream.end();
    });
    stream.onClose(unsubscribe);
    return;
  }
  const events: ChatEvent[] = [];
  generation.subscribe((event) => events.push(event));
  await generation.finished();
  const start = events.find((e) => e.type === 'start');
  const final = events.at(-1);
  if (final?.type === 'error') throw new AppError('upstream_failed', final.error.message, final.error.details);
  if (final?.type !== 'done') throw new AppError('internal', 'The answer ended without a result');
  return { status, body: { userMessage: start?.type === 'start' && start.userMessage ? presentMessage(start.userMessage) : null, message: presentMessage(final.message) } };
}
