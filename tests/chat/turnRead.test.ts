import { THREAD_MESSAGE } from '../../server/src/chat/answer.js';
import { READY_ATTACHMENTS } from '../../server/src/chat/attachmentsForAnswer.js';
import { turnToAnswerIn, type TurnToAnswer } from '../../server/src/commands/conversations/conversationAccess.js';
import type { GroupRole, Role } from '../../server/src/db/generated/enums.js';
import { anyApplicableQuota } from '../../server/src/governance/quotas/counterStore.js';
import { memoryState } from '../../server/src/memory/memoryAccess.js';
import { ownConversations } from '../../server/src/policies/index.js';
import type { Actor } from '../../server/src/policies/actor.js';
import { readableLinks } from '../../server/src/retrieval/searchScope.js';
import { createGroupRecord, createUserRecord } from '../support/factories.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// A question's first read is SQL straight to the driver; it must give what
// the Prisma include it replaced gave, field for field and type for type, and
// reach no more knowledge than the policies' Prisma scope does, for every
// kind of reader.
describe(`the read a question starts with (${engineName})`, () => {
  let t: TestDatabase;
  const actors: Record<'sam' | 'hana' | 'mona' | 'ada' | 'olga', Actor> = {} as never;
  const conversations: Record<keyof typeof actors, string> = {} as never;
  const bases: Record<'sales' | 'hr' | 'hanas' | 'deleted' | 'unattached', string> = {} as never;
  const groups: Record<'sales' | 'hr' | 'other', string> = {} as never;
  let assistantId: string;
  let unready: string[];

  /** The Prisma read turnToAnswerIn replaced, shaped as it returns. */
  async function viaPrisma(actor: Actor, conversationId: string): Promise<TurnToAnswer | null> {
    const found = await t.db.prisma.conversation.findFirst({
      where: { id: conversationId, ...ownConversations(actor) },
      include: {
        assistant: { include: { groups: true, knowledgeBases: readableLinks(actor) } },
        messages: { select: THREAD_MESSAGE, orderBy: { createdAt: 'asc' } },
        attachments: READY_ATTACHMENTS,
      },
    });
    if (!found) return null;
    const { assistant: withLinks, messages: thread, attachments, ...conversation } = found;
    const { knowledgeBases: knowledgeLinks, groups: _groups, ...assistant } = withLinks;
    return { conversation, assistant, thread, attachments, knowledgeLinks, asker: await askerViaOwnReads(actor) };
  }

  /** What the answer would otherwise ask in reads of their own. */
  const askerViaOwnReads = async (actor: Actor) => ({
    quotaApplies: await anyApplicableQuota(t.db, { userId: actor.id, groupIds: [...actor.groups.keys()], assistantId }),
    memory: await memoryState(t.db, actor.id),
  });

  const byBase = (turn: TurnToAnswer) => ({
    ...turn,
    knowledgeLinks: [...turn.knowledgeLinks]
      .sort((a, b) => a.knowledgeBaseId.localeCompare(b.knowledgeBaseId))
      .map((l) => ({ ...l, knowledgeBase: { ...l.knowledgeBase, files: [...l.knowledgeBase.files].sort((a, b) => a.id.localeCompare(b.id)) } })),
  });

  beforeAll(async () => {
    t = await createTestDatabase();
    const prisma = t.db.prisma;
    const person = async (role: Role) => createUserRecord(prisma, { role });
    const [sam, hana, mona, ada, olga] = await Promise.all([person('user'), person('manager'), person('manager'), person('admin'), person('user')]);
    // Mona is a manager by role who manages no group: she reads as a member does, and what she made.
    const sales = await createGroupRecord(prisma, undefined, [{ userId: sam.id }, { userId: mona.id }]);
    const hr = await createGroupRecord(prisma, undefined, [{ userId: hana.id, role: 'manager' }]);
    const other = await createGroupRecord(prisma, undefined, [{ userId: olga.id }]);
    Object.assign(groups, { sales: sales.id, hr: hr.id, other: other.id });
    const actor = (u: { id: string; email: string; role: Role }, groups: [string, GroupRole][]): Actor => ({ id: u.id, email: u.email, role: u.role, mustChangePassword: false, groups: new Map(groups) });
    Object.assign(actors, {
      sam: actor(sam, [[sales.id, 'member']]),
      hana: actor(hana, [[hr.id, 'manager']]),
      mona: actor(mona, [[sales.id, 'member']]),
      ada: actor(ada, []),
      olga: actor(olga, [[other.id, 'member']]),
    });

    const assistant = await prisma.assistant.create({
      data: {
        name: 'Helpdesk',
        instructions: 'Answer from the handbook — “politely”.',
        temperature: 0.35,
        topK: 7,
        similarityThreshold: 0.125,
        builtinTools: ['calculator', 'clock'],
        flowSteps: [{ label: 'Draft', modelId: null, instructions: 'draft it' }],
        groups: { create: [{ groupId: sales.id }, { groupId: hr.id }, { groupId: other.id }] },
      },
    });
    assistantId = assistant.id;
    const base = (name: string, data: object = {}) => prisma.knowledgeBase.create({ data: { name, ...data } });
    bases.sales = (await base('Sales', { language: 'simple', readers: { create: { groupId: sales.id } } })).id;
    bases.hr = (await base('HR', { maintainers: { create: { groupId: hr.id } } })).id;
    bases.hanas = (await base("Hana's", { createdById: hana.id })).id;
    bases.deleted = (await base('Gone', { deletedAt: new Date(), readers: { create: { groupId: sales.id } } })).id;
    bases.unattached = (await base('Elsewhere', { readers: { create: { groupId: sales.id } } })).id;
    await prisma.assistantKnowledgeBase.createMany({
      data: [
        { assistantId, knowledgeBaseId: bases.sales, tags: ['faq', 'pricing'] },
        { assistantId, knowledgeBaseId: bases.hr },
        { assistantId, knowledgeBaseId: bases.hanas },
        { assistantId, knowledgeBaseId: bases.deleted },
      ],
    });
    const file = (knowledgeBaseId: string, status: 'ready' | 'queued' | 'failed') =>
      prisma.knowledgeFile.create({ data: { knowledgeBaseId, status, originalName: `${status}.pdf`, mimeType: 'application/pdf', sizeBytes: 10n, sha256: status, storagePath: `x/${status}` } });
    await file(bases.sales, 'ready');
    unready = [(await file(bases.sales, 'queued')).id, (await file(bases.sales, 'failed')).id];

    for (const [name, who] of Object.entries({ sam, hana, mona, ada, olga })) {
      const conversation = await prisma.conversation.create({ data: { userId: who.id, assistantId, title: `${name}'s`, source: 'api' } });
      conversations[name as keyof typeof actors] = conversation.id;
      const asked = await prisma.message.create({ data: { conversationId: conversation.id, role: 'user', content: 'Where is the “refund” policy?\n\\ 100%', createdAt: new Date(Date.now() - 2000) } });
      const answer = await prisma.message.create({ data: { conversationId: conversation.id, parentId: asked.id, role: 'assistant', content: 'Page 3.', status: 'complete', createdAt: new Date(Date.now() - 1000) } });
      await prisma.conversation.update({ where: { id: conversation.id }, data: { activeLeafId: answer.id, memoryReviewedAt: new Date() } });
      const attachment = (status: 'ready' | 'queued', kind: 'document' | 'image', processedAt: Date | null) =>
        prisma.conversationAttachment.create({
          data: { conversationId: conversation.id, userId: who.id, originalName: `${kind}.bin`, mimeType: 'application/octet-stream', kind, status, sizeBytes: 5_000_000_123n, sha256: kind, storagePath: `a/${kind}`, chunkCount: 3, tokenCount: 900, embedder: 'local-hash-v1', embeddingDim: 384, processedAt },
        });
      await attachment('ready', 'document', new Date());
      await attachment('ready', 'image', null);
      await attachment('queued', 'document', null);
    }
  });
  afterAll(() => t.drop());

  it.each(['sam', 'hana', 'mona', 'ada', 'olga'] as const)("gives %s's turn as the Prisma include gave it", async (name) => {
    const actor = actors[name];
    const turn = await turnToAnswerIn(t, actor, conversations[name]);
    const expected = await viaPrisma(actor, conversations[name]);
    expect(expected).not.toBeNull();
    expect(byBase(turn)).toEqual(byBase(expected!));
    // The types JSON does not carry are restored.
    expect(turn.attachments.map((a) => typeof a.sizeBytes)).toEqual(['bigint', 'bigint']);
    expect(turn.thread[0]!.createdAt).toBeInstanceOf(Date);
    expect(turn.conversation.memoryReviewedAt).toBeInstanceOf(Date);
  });

  it("tells whether a quota governs the asker's calls, and their memory switches, as the reads of their own do", async () => {
    const prisma = t.db.prisma;
    const asker = async (name: keyof typeof actors) => {
      const { asker: read } = await turnToAnswerIn(t, actors[name], conversations[name]);
      expect(read).toEqual(await askerViaOwnReads(actors[name]));
      return read;
    };
    const governed = async () => Object.fromEntries(await Promise.all((['sam', 'hana', 'olga', 'ada'] as const).map(async (n) => [n, (await asker(n)).quotaApplies])));
    const elsewhere = await prisma.assistant.create({ data: { name: 'Elsewhere' } });
    const quotas: string[] = [];
    const quota = async (scope: 'global' | 'group' | 'user' | 'assistant', scopeId: string | null) => quotas.push((await prisma.quota.create({ data: { scope, scopeId, requestsPerHour: 100 } })).id);
    try {
      expect(await governed()).toEqual({ sam: false, hana: false, olga: false, ada: false });
      await quota('user', actors.sam.id);
      await quota('group', groups.hr);
      await quota('assistant', elsewhere.id);
      expect(await governed()).toEqual({ sam: true, hana: true, olga: false, ada: false });
      await quota('assistant', assistantId);
      expect(await governed()).toEqual({ sam: true, hana: true, olga: true, ada: true });
      await prisma.quota.deleteMany({ where: { id: { in: quotas } } });
      await quota('global', null);
      expect(await governed()).toEqual({ sam: true, hana: true, olga: true, ada: true });

      expect((await asker('sam')).memory).toEqual({ enabled: false, allowed: true, active: false });
      await prisma.user.update({ where: { id: actors.sam.id }, data: { memoryEnabled: true } });
      expect((await asker('sam')).memory).toEqual({ enabled: true, allowed: true, active: true });
      await prisma.group.update({ where: { id: groups.sales }, data: { memoryDisabled: true } });
      expect((await asker('sam')).memory).toEqual({ enabled: true, allowed: false, active: false });
      expect((await asker('mona')).memory).toEqual({ enabled: false, allowed: false, active: false });
      await prisma.user.update({ where: { id: actors.sam.id }, data: { active: false } });
      expect((await asker('sam')).memory).toEqual({ enabled: false, allowed: false, active: false });
    } finally {
      await prisma.quota.deleteMany({ where: { id: { in: quotas } } });
      await prisma.assistant.delete({ where: { id: elsewhere.id } });
      await prisma.user.update({ where: { id: actors.sam.id }, data: { memoryEnabled: false, active: true } });
      await prisma.group.update({ where: { id: groups.sales }, data: { memoryDisabled: false } });
    }
  });

  it('reaches exactly the bases each reader may read', async () => {
    const reached = async (name: keyof typeof actors) =>
      (await turnToAnswerIn(t, actors[name], conversations[name])).knowledgeLinks.map((l) => l.knowledgeBaseId).sort();
    expect(await reached('sam')).toEqual([bases.sales]);
    expect(await reached('hana')).toEqual([bases.hr, bases.hanas].sort());
    expect(await reached('mona')).toEqual([bases.sales]);
    expect(await reached('ada')).toEqual([bases.sales, bases.hr, bases.hanas].sort());
    expect(await reached('olga')).toEqual([]);
    const sales = (await turnToAnswerIn(t, actors.sam, conversations.sam)).knowledgeLinks[0]!;
    expect(sales).toMatchObject({ tags: ['faq', 'pricing'], knowledgeBase: { language: 'simple' } });
    expect(sales.knowledgeBase.files.map((f) => f.id).sort()).toEqual([...unready].sort());
  });

  it("does not find anyone else's conversation, an admin's reading included", async () => {
    await expect(turnToAnswerIn(t, actors.ada, conversations.sam)).rejects.toMatchObject({ status: 404 });
    await expect(turnToAnswerIn(t, actors.sam, conversations.olga)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a conversation whose assistant the asker may no longer use', async () => {
    const left: Actor = { ...actors.olga, groups: new Map() };
    await expect(turnToAnswerIn(t, left, conversations.olga)).rejects.toMatchObject({ status: 403 });
    await t.db.prisma.assistant.update({ where: { id: assistantId }, data: { deletedAt: new Date() } });
    try {
      await expect(turnToAnswerIn(t, actors.sam, conversations.sam)).rejects.toMatchObject({ status: 403 });
    } finally {
      await t.db.prisma.assistant.update({ where: { id: assistantId }, data: { deletedAt: null } });
    }
  });
});
