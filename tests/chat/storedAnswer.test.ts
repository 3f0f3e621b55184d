import { storeAnswer, type AnswerEnd } from '../../server/src/chat/answer.js';
import { UsageRecorder, type UsageEntry } from '../../server/src/governance/quotas/index.js';
import { createGroupRecord, createUserRecord } from '../support/factories.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// The answer's last write goes straight to the driver (Database.query), not
// through Prisma; what it hands the client must still be Prisma's Message,
// field for field, as a later read of the same row gives it.
describe(`an answer stored as it ended (${engineName})`, () => {
  let t: TestDatabase;
  let conversationId: string;
  let userId: string;
  let assistantId: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    const group = await createGroupRecord(t.db.prisma);
    const user = await createUserRecord(t.db.prisma);
    await t.db.prisma.groupMembership.create({ data: { userId: user.id, groupId: group.id } });
    const assistant = await t.db.prisma.assistant.create({ data: { name: 'Helpdesk' } });
    userId = user.id;
    assistantId = assistant.id;
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

  it("writes the last call's usage record in the same statement, as the recorder writes it", async () => {
    const provider = await t.db.prisma.provider.create({ data: { name: 'Local', kind: 'openai_compatible' } });
    const model = await t.db.prisma.model.create({ data: { providerId: provider.id, name: 'gpt-x', displayName: 'GPT X', kind: 'chat' } });
    const end: AnswerEnd = { content: 'Done.', status: 'complete', finishReason: 'stop', model: 'gpt-x', fallbackFrom: null, promptTokens: 120, completionTokens: 3, latencyMs: 40, error: null, toolCalls: null, steps: null, sources: [], retrievalPassages: 0, retrievalTopScore: null };
    const entry = (messageId: string, modelId: string): UsageEntry => ({ userId, assistantId, conversationId, messageId, modelId, modelName: 'gpt-x', promptTokens: 120, completionTokens: 3, cost: 0.000123, latencyMs: 40, outcome: 'success', source: 'chat', token: { id: '00000000-0000-4000-8000-000000000001', name: 'ci' } });
    const comparable = ({ id: _id, createdAt: _at, messageId: _m, ...rest }: Record<string, unknown>) => rest;
    const together = await streaming();
    const saved = await storeAnswer(t.db, together.id, end, entry(together.id, model.id));
    expect(saved).toMatchObject(end);
    const apart = await streaming();
    await new UsageRecorder(t.db).record(entry(apart.id, model.id));
    const [written] = await t.db.prisma.usageLog.findMany({ where: { messageId: together.id } });
    const [recorded] = await t.db.prisma.usageLog.findMany({ where: { messageId: apart.id } });
    expect(written).toBeDefined();
    expect(comparable(written!)).toEqual(comparable(recorded!));
    expect(written).toMatchObject({ userId, modelId: model.id, promptTokens: 120, completionTokens: 3, outcome: 'success', tokenName: 'ci' });
    expect(written!.groupIds).toHaveLength(1);

    // A model deleted while the answer was written: the answer is still stored, and the record keeps the model's name.
    const later = await streaming();
    await t.db.prisma.model.delete({ where: { id: model.id } });
    await expect(storeAnswer(t.db, later.id, end, entry(later.id, model.id))).resolves.toMatchObject({ status: 'complete' });
    expect(await t.db.prisma.usageLog.findFirst({ where: { messageId: later.id } })).toMatchObject({ modelId: null, modelName: 'gpt-x' });
  });

  it('fails when the message is gone (its conversation deleted while the answer was written)', async () => {
    const message = await streaming();
    await t.db.prisma.message.delete({ where: { id: message.id } });
    await expect(storeAnswer(t.db, message.id, { content: 'late', status: 'complete', finishReason: 'stop', model: null, fallbackFrom: null, promptTokens: null, completionTokens: null, latencyMs: 1, error: null, toolCalls: null, steps: null, sources: [], retrievalPassages: 0, retrievalTopScore: null })).rejects.toThrow(/is gone/);
  });
});
