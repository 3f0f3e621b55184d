import type { Message } from '../../web/src/api/types.js';
import { applyChunk, applyDone, applyError, applySnapshot, applyStart, markStale, newerOf, type Thread } from '../../web/src/chat/thread.js';

// The chat app's stream reducer: answers grow chunk by chunk in seq order,
// repeats are dropped, gaps wait, and a resume snapshot joins up with the
// chunks that keep arriving.

let n = 0;
function message(partial: Partial<Message> & Pick<Message, 'role'>): Message {
  n += 1;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    conversationId: 'c',
    parentId: null,
    content: '',
    status: 'complete',
    model: null,
    fallbackFrom: null,
    usage: null,
    finishReason: null,
    latencyMs: null,
    sources: [],
    error: null,
    editHistory: [],
    createdAt: new Date(0).toISOString(),
    ...partial,
  };
}

function started(thread: Thread = { messages: [], live: null }) {
  const question = message({ role: 'user', content: 'Why?', parentId: thread.messages.at(-1)?.id ?? null });
  const answer = message({ role: 'assistant', status: 'streaming', parentId: question.id });
  return { question, answer, thread: applyStart(thread, { userMessage: question, message: answer, seq: 0 }) };
}

const chunk = (messageId: string, seq: number, text: string) => ({ messageId, seq, text });
const textOf = (thread: Thread, id: string) => thread.messages.find((m) => m.id === id)!.content;

describe('stream reducer', () => {
  it('appends the question and an empty answer, then chunks in order', () => {
    const { question, answer, thread } = started();
    expect(thread.messages.map((m) => m.id)).toEqual([question.id, answer.id]);
    let t = applyChunk(thread, chunk(answer.id, 1, 'Because '));
    t = applyChunk(t, chunk(answer.id, 2, 'it is.'));
    expect(textOf(t, answer.id)).toBe('Because it is.');
    expect(t.live).toMatchObject({ messageId: answer.id, seq: 2, stale: false });
  });

  it('drops a chunk it has already applied', () => {
    const { answer, thread } = started();
    let t = applyChunk(thread, chunk(answer.id, 1, 'a'));
    t = applyChunk(t, chunk(answer.id, 1, 'a'));
    t = applyChunk(t, chunk(answer.id, 2, 'b'));
    t = applyChunk(t, chunk(answer.id, 2, 'b'));
    expect(textOf(t, answer.id)).toBe('ab');
  });

  it('holds an early chunk until the missing one arrives', () => {
    const { answer, thread } = started();
    let t = applyChunk(thread, chunk(answer.id, 2, 'b'));
    expect(textOf(t, answer.id)).toBe('');
    t = applyChunk(t, chunk(answer.id, 1, 'a'));
    expect(textOf(t, answer.id)).toBe('ab');
    expect(t.live!.pending).toEqual([]);
  });

  it('marks the answer stale when chunks keep coming past a gap', () => {
    const { answer, thread } = started();
    let t = applyChunk(thread, chunk(answer.id, 1, 'a'));
    for (const seq of [3, 4, 5]) t = applyChunk(t, chunk(answer.id, seq, String(seq)));
    expect(t.live!.stale).toBe(true);
    expect(textOf(t, answer.id)).toBe('a');
  });

  it('joins a resume snapshot with the chunks that arrived around it, without repeats or holes', () => {
    const { answer, thread } = started();
    let t = applyChunk(thread, chunk(answer.id, 1, 'one '));
    t = markStale(t); // the connection dropped
    // Chunks 2..3 were lost; 4 and 5 arrive before the snapshot answer does.
    t = applyChunk(t, chunk(answer.id, 4, 'four '));
    t = applyChunk(t, chunk(answer.id, 5, 'five '));
    expect(textOf(t, answer.id)).toBe('one ');
    t = applySnapshot(t, { messageId: answer.id, seq: 4, text: 'one two three four ' });
    expect(textOf(t, answer.id)).toBe('one two three four five ');
    t = applyChunk(t, chunk(answer.id, 6, 'six'));
    expect(textOf(t, answer.id)).toBe('one two three four five six');
    expect(t.live).toMatchObject({ seq: 6, stale: false, pending: [] });
  });

  it('follows an answer it did not see start once resumed (a reload mid-answer)', () => {
    const question = message({ role: 'user', content: 'q' });
    const answer = message({ role: 'assistant', status: 'streaming', parentId: question.id, content: '' });
    let t: Thread = { messages: [question, answer], live: { messageId: answer.id, seq: 0, pending: [], stale: true } };
    t = applyChunk(t, chunk(answer.id, 8, 'h'));
    expect(textOf(t, answer.id)).toBe('');
    t = applySnapshot(t, { messageId: answer.id, seq: 7, text: 'abcdefg' });
    expect(textOf(t, answer.id)).toBe('abcdefgh');
  });

  it('ends the live answer with the stored one, and with null when nothing runs any more', () => {
    const { answer, thread } = started();
    const stored = { ...answer, content: 'Done.', status: 'complete' as const };
    const t = applyDone(applyChunk(thread, chunk(answer.id, 1, 'Do')), stored);
    expect(t.live).toBeNull();
    expect(textOf(t, answer.id)).toBe('Done.');
    expect(applySnapshot(started().thread, null).live).toBeNull();
  });

  it('marks a failed answer with its error', () => {
    const { answer, thread } = started();
    const t = applyError(thread, { messageId: answer.id, error: { code: 'upstream_failed', message: 'Provider down' } });
    expect(t.messages.at(-1)).toMatchObject({ status: 'error', error: 'Provider down' });
    expect(t.live).toBeNull();
  });

  it('replaces the turn after the parent on regenerate and edit, as the server tree does', () => {
    const first = started();
    let t = applyDone(first.thread, { ...first.answer, status: 'complete', content: 'A1' });
    const second = started(t);
    t = applyDone(second.thread, { ...second.answer, status: 'complete', content: 'A2' });
    expect(t.messages).toHaveLength(4);

    // Regenerate the first answer: no new question, the answer's parent is the first question.
    const again = message({ role: 'assistant', status: 'streaming', parentId: first.question.id });
    const regenerated = applyStart(t, { userMessage: null, message: again, seq: 0 });
    expect(regenerated.messages.map((m) => m.id)).toEqual([first.question.id, again.id]);

    // Edit the second question: a sibling of it, under the first answer.
    const edited = message({ role: 'user', content: 'Why not?', parentId: first.answer.id });
    const answer = message({ role: 'assistant', status: 'streaming', parentId: edited.id });
    const afterEdit = applyStart(t, { userMessage: edited, message: answer, seq: 0 });
    expect(afterEdit.messages.map((m) => m.id)).toEqual([first.question.id, first.answer.id, edited.id, answer.id]);

    // Editing the very first question starts the thread over.
    const root = message({ role: 'user', content: 'New start', parentId: null });
    const rootAnswer = message({ role: 'assistant', status: 'streaming', parentId: root.id });
    expect(applyStart(t, { userMessage: root, message: rootAnswer, seq: 0 }).messages.map((m) => m.id)).toEqual([root.id, rootAnswer.id]);
  });
});

describe('refetched conversations', () => {
  it('keep the cached thread when the fetch predates the answer being followed', () => {
    const before = started();
    const done = applyDone(before.thread, { ...before.answer, status: 'complete', content: 'A1' });
    const next = started(done); // a quick next question, while the refetch after A1 is on its way
    expect(newerOf(next.thread, done)).toBe(next.thread);
    const fetchedLater = { messages: next.thread.messages, live: null };
    expect(newerOf(next.thread, fetchedLater)).toBe(fetchedLater);
    expect(newerOf(undefined, done)).toBe(done);
  });
});
