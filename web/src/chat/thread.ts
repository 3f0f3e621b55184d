import type { ErrorInfo, FlowStepRun, Message, ToolCall } from '../api/types.js';

// How a conversation's messages change as chat events arrive. Pure, so the
// ordering rules (consecutive seq, duplicates, gaps, a resume snapshot taken
// while chunks keep coming) are tested without a browser.

export interface Chunk {
  messageId: string;
  seq: number;
  text: string;
}

/** The answer being written now, as far as this client has seen it. */
export interface LiveAnswer {
  messageId: string;
  /** The last chunk applied; the next one must be seq + 1. */
  seq: number;
  /** Chunks that arrived out of order or during a resume, applied once they fit. */
  pending: Chunk[];
  /** A gap was seen or the connection dropped: the text must be re-synced with chat:resume. */
  stale: boolean;
}

export interface Thread {
  messages: Message[];
  live: LiveAnswer | null;
}

export interface StartEvent {
  userMessage: Message | null;
  message: Message;
  seq: number;
}

/**
 * A new answer (send, regenerate, edit): the branch shown is cut after the
 * new messages' parent, as the server's tree does, then they are appended.
 */
export function applyStart(thread: Thread, event: StartEvent): Thread {
  const first = event.userMessage ?? event.message;
  const cut = first.parentId === null ? 0 : thread.messages.findIndex((m) => m.id === first.parentId) + 1;
  const kept = cut > 0 || first.parentId === null ? thread.messages.slice(0, cut) : thread.messages;
  const added = event.userMessage ? [event.userMessage, event.message] : [event.message];
  return {
    messages: [...kept.filter((m) => !added.some((a) => a.id === m.id)), ...added],
    live: { messageId: event.message.id, seq: event.seq, pending: [], stale: false },
  };
}

/** Appends a chunk if it is the next one; keeps it aside if it comes early; drops a repeat. */
export function applyChunk(thread: Thread, chunk: Chunk): Thread {
  const live = thread.live;
  if (!live || live.messageId !== chunk.messageId) {
    // A chunk of an answer this client has not seen start (another tab, or a reload mid-answer).
    if (!thread.messages.some((m) => m.id === chunk.messageId)) return thread;
    return { ...thread, live: { messageId: chunk.messageId, seq: 0, pending: [chunk], stale: true } };
  }
  if (chunk.seq <= live.seq || live.pending.some((c) => c.seq === chunk.seq)) return thread;
  return drain({ ...thread, live: { ...live, pending: [...live.pending, chunk] } });
}

/** The server's text so far (chat:resume); chunks after it follow. null: nothing is being written any more. */
export function applySnapshot(thread: Thread, snapshot: { messageId: string; seq: number; text: string; toolCalls?: ToolCall[]; steps?: FlowStepRun[] } | null): Thread {
  if (!snapshot) return { ...thread, live: null };
  const pending = thread.live?.messageId === snapshot.messageId ? thread.live.pending.filter((c) => c.seq > snapshot.seq) : [];
  const messages = thread.messages.map((m) =>
    m.id === snapshot.messageId ? { ...m, content: snapshot.text, status: 'streaming' as const, ...(snapshot.toolCalls ? { toolCalls: snapshot.toolCalls } : {}), ...(snapshot.steps?.length ? { steps: snapshot.steps } : {}) } : m,
  );
  return drain({ messages, live: { messageId: snapshot.messageId, seq: snapshot.seq, pending, stale: false } });
}

/** A tool call started or ended: the latest record replaces the one with its id. */
export function applyTool(thread: Thread, event: { messageId: string; call: ToolCall }): Thread {
  if (!thread.messages.some((m) => m.id === event.messageId)) return thread;
  return {
    ...thread,
    messages: thread.messages.map((m) => {
      if (m.id !== event.messageId) return m;
      const calls = m.toolCalls ?? [];
      const known = calls.some((c) => c.id === event.call.id);
      return { ...m, toolCalls: known ? calls.map((c) => (c.id === event.call.id ? event.call : c)) : [...calls, event.call] };
    }),
  };
}

/** A flow step started or ended: the whole record replaces what the answer had under its index. */
export function applyStep(thread: Thread, event: { messageId: string; step: FlowStepRun }): Thread {
  return updateMessage(thread, event.messageId, (m) => {
    const steps = [...(m.steps ?? [])];
    // Text already streamed for the step is kept when a record without it arrives out of order.
    const known = steps[event.step.index];
    steps[event.step.index] = { ...event.step, text: event.step.text.length >= (known?.text.length ?? 0) ? event.step.text : known!.text };
    return { ...m, steps };
  });
}

/** Text of a flow step before the last one. */
export function applyStepText(thread: Thread, event: { messageId: string; index: number; text: string }): Thread {
  return updateMessage(thread, event.messageId, (m) => {
    const steps = [...(m.steps ?? [])];
    const step = steps[event.index];
    if (!step) return m;
    steps[event.index] = { ...step, text: step.text + event.text };
    return { ...m, steps };
  });
}

function updateMessage(thread: Thread, messageId: string, change: (m: Message) => Message): Thread {
  if (!thread.messages.some((m) => m.id === messageId)) return thread;
  return { ...thread, messages: thread.messages.map((m) => (m.id === messageId ? change(m) : m)) };
}

/** The finished answer (complete, stopped) replaces the streamed one. */
export function applyDone(thread: Thread, message: Message): Thread {
  return {
    messages: replaceOrAppend(thread.messages, message),
    live: thread.live?.messageId === message.id ? null : thread.live,
  };
}

/** A failed answer: the stored message when there is one, else a marker on the streamed one. */
export function applyError(thread: Thread, event: { messageId?: string | null; error: ErrorInfo; message?: Message | null }): Thread {
  const messages = event.message
    ? replaceOrAppend(thread.messages, event.message)
    : thread.messages.map((m) => (m.id === event.messageId ? { ...m, status: 'error' as const, error: event.error.message } : m));
  return { messages, live: thread.live?.messageId === (event.message?.id ?? event.messageId) ? null : thread.live };
}

/**
 * A fetched conversation replaces the cached one, unless the fetch was
 * answered before an answer this client already follows had started (the
 * previous answer's end asks for a refetch; a quick next question can beat it).
 */
export function newerOf<T extends Thread>(cached: T | undefined, fetched: T): T {
  if (cached?.live && !fetched.messages.some((m) => m.id === cached.live!.messageId)) return cached;
  return fetched;
}

/** The connection dropped: what arrives next may have gaps, so the answer is re-synced on reconnect. */
export function markStale(thread: Thread): Thread {
  return thread.live ? { ...thread, live: { ...thread.live, stale: true } } : thread;
}

function drain(thread: Thread): Thread {
  const live = thread.live!;
  if (live.stale) return thread;
  let { seq } = live;
  let text = '';
  const pending = [...live.pending].sort((a, b) => a.seq - b.seq);
  while (pending[0] && pending[0].seq <= seq + 1) {
    const next = pending.shift()!;
    if (next.seq === seq + 1) {
      text += next.text;
      seq = next.seq;
    }
  }
  // A chunk further ahead means some were missed: re-sync rather than show a hole.
  const stale = pending.length > 0 && pending.length >= GAP_TOLERANCE;
  if (!text) return { ...thread, live: { ...live, pending, stale } };
  return {
    messages: thread.messages.map((m) => (m.id === live.messageId ? { ...m, content: m.content + text } : m)),
    live: { ...live, seq, pending, stale },
  };
}

/** Chunks held back before a gap is treated as lost (socket.io keeps order, so one is already unusual). */
const GAP_TOLERANCE = 3;

function replaceOrAppend(messages: Message[], message: Message): Message[] {
  return messages.some((m) => m.id === message.id) ? messages.map((m) => (m.id === message.id ? message : m)) : [...messages, message];
}
