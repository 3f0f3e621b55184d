import { storeAnswer, type AnswerEnd } from '../../server/src/chat/answer.js';
import { createUserRecord } from '../support/factories.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// The answer's last write goes straight to the driver (Database.query), not
// through Prisma; what it hands the client must still be Prisma's Message,
// field for field, as a later read of the same row gives it.
describe(`an answer stored as it ended (${engineName})`, () => {
  let t: TestDatabase;
  let conversationId: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    const user = await createUserRecord(t.db.prisma);
    const assistant = await t.db.prisma.assistant.create({ data: { name: 'Helpdesk' } });
    conversationId = (await t.db.prisma.conversation.create({ data: { userId: user.id, assistantId: assistant.id } })).id;
  });
  afterAll(() => t.drop());

  const streaming = () => t.db.prisma.message.create({ data: { conversationId, role: 'assistant', content: '', status: 'streaming', editHistory: [{ content: 'before', editedAt: '2026-12-01T00:00:00.000Z' }] } });

  it('returns the row as Prisma reads it, with every field typed the same', async () => {
    const message = await streaming();
    const end: AnswerEnd = {
      content: 'Refunds take 14 days — “quoted” \\ and 100% of it',
      status: 'complete',
      finishReason: 'tool_limit',
      model: 'gpt-x',
      fallbackFrom: 'gpt-main',
      promptTokens: 1234,
      completionTokens: 56,
      latencyMs: 789,
      error: null,
      toolCalls: [{ id: 'call_1', tool: 'calculator', server: null, arguments: '{"a":1}', status: 'done', result: '2', error: null, durationMs: 3, step: 1, offset: 0 }] as never,
      steps: null,
      sources: [{ kind: 'file', index: 1, chunkId: '42', fileId: 'f', fileName: 'policy.pdf', page: 3, section: null, score: 0.5, snippet: 'x' }],
      retrievalPassages: 7,
      retrievalTopScore: 0.8125,
    };
    const saved = await storeAnswer(t.db, message.id, end);
    const read = await t.db.prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(saved).toEqual(read);
    expect(saved.updatedAt).toBeInstanceOf(Date);
    expect(saved.updatedAt.getTime()).toBeGreaterThanOrEqual(message.updatedAt.getTime());
    expect(saved).toMatchObject({ ...end, editHistory: message.editHistory });
  });

  it('stores nulls as SQL nulls, not JSON null', async () => {
    const message = await streaming();
    const end: AnswerEnd = { content: '', status: 'error', finishReason: 'error', model: null, fallbackFrom: null, promptTokens: null, completionTokens: null, latencyMs: 5, error: 'The model provider could not be reached', toolCalls: null, steps: null, sources: [], retrievalPassages: 0, retrievalTopScore: null };
    const saved = await storeAnswer(t.db, message.id, end);
    expect(saved).toEqual(await t.db.prisma.message.findUniqueOrThrow({ where: { id: message.id } }));
    const [nulls] = await t.db.query<{ tool_calls_null: boolean; steps_null: boolean }>('SELECT tool_calls IS NULL AS tool_calls_null, steps IS NULL AS steps_null FROM messages WHERE id = $1::uuid', [message.id]);
    expect(nulls).toEqual({ tool_calls_null: true, steps_null: true });
  });

  it('fails when the message is gone (its conversation deleted while the answer was written)', async () => {
    const message = await streaming();
    await t.db.prisma.message.delete({ where: { id: message.id } });
    await expect(storeAnswer(t.db, message.id, { content: 'late', status: 'complete', finishReason: 'stop', model: null, fallbackFrom: null, promptTokens: null, completionTokens: null, latencyMs: 1, error: null, toolCalls: null, steps: null, sources: [], retrievalPassages: 0, retrievalTopScore: null })).rejects.toThrow(/is gone/);
  });
});
