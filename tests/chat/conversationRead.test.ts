import { readConversationForReading } from '../../server/src/commands/conversations/conversationBranch.js';
import { activePath } from '../../server/src/chat/conversationTree.js';
import type { PrismaClient } from '../../server/src/db/database.js';
import type { Actor } from '../../server/src/policies/actor.js';
import { createUserRecord } from '../support/factories.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// The conversation the chat app opens is read with SQL of its own
// (readConversationForReading); it must give what the Prisma include it
// replaced gives, field for field, on every kind of thread.

const actorOf = (user: { id: string; email: string }): Actor => ({ id: user.id, email: user.email, role: 'user', mustChangePassword: false, groups: new Map() });

/** The Prisma include the SQL replaced, kept here as the reference. */
async function throughPrisma(prisma: PrismaClient, actor: Actor, id: string) {
  const found = await prisma.conversation.findFirst({
    where: { id, userId: actor.id },
    include: { messages: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], include: { feedback: { where: { userId: actor.id } } } } },
  });
  if (!found) return null;
  const { messages: withFeedback, ...conversation } = found;
  const feedback = new Map(withFeedback.flatMap((m) => m.feedback.map((f) => [m.id, f] as const)));
  const messages = withFeedback.map(({ feedback: _feedback, ...message }) => message);
  return { conversation, messages, path: activePath(messages, conversation.activeLeafId), feedback };
}

describe(`reading a conversation (${engineName})`, () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let owner: Actor;
  let other: Actor;
  let assistantId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = database.db.prisma;
    owner = actorOf(await createUserRecord(prisma));
    other = actorOf(await createUserRecord(prisma));
    assistantId = (await prisma.assistant.create({ data: { name: 'Reader', instructions: 'Hi.' } })).id;
  });
  afterAll(() => database.drop());

  const at = (second: number) => new Date(Date.UTC(2026, 11, 4, 12, 0, second, 123));

  it('gives what the Prisma include gave: branches, every field, only the reader’s feedback', async () => {
    const conversation = await prisma.conversation.create({ data: { userId: owner.id, assistantId, title: 'Forks', memoryReviewedAt: at(0) } });
    const question = await prisma.message.create({ data: { conversationId: conversation.id, role: 'user', content: 'Why?', createdAt: at(1), editHistory: [{ content: 'Why', editedAt: at(0).toISOString() }] } });
    const first = await prisma.message.create({
      data: {
        conversationId: conversation.id,
        parentId: question.id,
        role: 'assistant',
        content: 'Because [1].',
        model: 'm',
        promptTokens: 10,
        completionTokens: 3,
        finishReason: 'stop',
        latencyMs: 42,
        sources: [{ n: 1, fileName: 'a.pdf', page: 2, excerpt: 'x' }],
        toolCalls: [{ name: 'search', arguments: { q: 'x' } }],
        steps: [{ label: 'draft', text: 'd' }],
        retrievalPassages: 4,
        retrievalTopScore: 0.625,
        createdAt: at(2),
      },
    });
    const second = await prisma.message.create({ data: { conversationId: conversation.id, parentId: question.id, role: 'assistant', content: 'Since.', status: 'error', error: 'boom', fallbackFrom: 'n', createdAt: at(3) } });
    await prisma.messageFeedback.create({ data: { messageId: first.id, userId: owner.id, rating: 'down', reasons: ['wrong', 'other'], comment: 'no' } });
    await prisma.messageFeedback.create({ data: { messageId: second.id, userId: other.id, rating: 'up' } });
    await prisma.conversation.update({ where: { id: conversation.id }, data: { activeLeafId: first.id } });

    const read = await readConversationForReading({ prisma }, owner, conversation.id);
    expect(read).toEqual(await throughPrisma(prisma, owner, conversation.id));
    expect(read.messages.map((m) => m.id)).toEqual([question.id, first.id, second.id]);
    expect(read.path.map((m) => m.id)).toEqual([question.id, first.id]);
    expect([...read.feedback.keys()]).toEqual([first.id]);
    expect(read.messages[1]!.createdAt).toBeInstanceOf(Date);
  });

  it('reads a conversation with no messages yet', async () => {
    const conversation = await prisma.conversation.create({ data: { userId: owner.id, assistantId } });
    const read = await readConversationForReading({ prisma }, owner, conversation.id);
    expect(read).toEqual(await throughPrisma(prisma, owner, conversation.id));
    expect(read.messages).toEqual([]);
  });

  it('finds nothing of another user’s, nor what does not exist', async () => {
    const conversation = await prisma.conversation.create({ data: { userId: owner.id, assistantId } });
    await expect(readConversationForReading({ prisma }, other, conversation.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(readConversationForReading({ prisma }, owner, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'not_found' });
  });
});
