import { Prisma } from '../../server/src/db/generated/client.js';
import type { PrismaClient } from '../../server/src/db/database.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// Proves the hand-written migrations match the Prisma schema: every model is
// created, read back with every scalar field selected, updated and deleted
// through the generated client. A missing or mistyped column fails here.

type Row = Record<string, unknown>;
type ModelName = (typeof Prisma.ModelName)[keyof typeof Prisma.ModelName];
type Fixture = { create: (p: PrismaClient) => Promise<Row>; update: Row; where: (row: Row) => Row };

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const comparable = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

describe(`schema matches the Prisma client (${engineName})`, () => {
  let t: TestDatabase;
  let prisma: PrismaClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestDatabase();
    prisma = t.db.prisma;
    const user = await prisma.user.create({ data: { email: 'owner@example.com', name: 'Owner', passwordHash: 'x' } });
    const group = await prisma.group.create({ data: { name: 'Owners' } });
    const provider = await prisma.provider.create({ data: { name: 'p0', kind: 'openai_compatible' } });
    const model = await prisma.model.create({ data: { providerId: provider.id, name: 'm0' } });
    const assistant = await prisma.assistant.create({ data: { name: 'A0', modelId: model.id, createdById: user.id } });
    const knowledgeBase = await prisma.knowledgeBase.create({ data: { name: 'Handbook', assistantId: assistant.id, createdById: user.id } });
    const file = await prisma.knowledgeFile.create({
      data: { knowledgeBaseId: knowledgeBase.id, originalName: 'a.pdf', mimeType: 'application/pdf', sizeBytes: 10n, sha256: 'f'.repeat(64), storagePath: 'x' },
    });
    const conversation = await prisma.conversation.create({ data: { userId: user.id, assistantId: assistant.id } });
    const message = await prisma.message.create({ data: { conversationId: conversation.id, role: 'user', content: 'hi' } });
    const family = await prisma.refreshTokenFamily.create({ data: { userId: user.id } });
    const quota = await prisma.quota.create({ data: { scope: 'user', scopeId: user.id } });
    Object.assign(ids, { knowledgeBase: knowledgeBase.id, user: user.id, group: group.id, provider: provider.id, model: model.id, assistant: assistant.id, file: file.id, conversation: conversation.id, message: message.id, family: family.id, quota: quota.id });
  });
  afterAll(() => t.drop());

  const fixtures: Record<ModelName, Fixture> = {
    User: { create: (p) => p.user.create({ data: { email: 'u@example.com', name: 'U', passwordHash: 'h', role: 'manager', lockedUntil: new Date() } }), update: { name: 'U2', failedLoginCount: 3, pending: 'approval', memoryEnabled: true }, where: (r) => ({ id: r.id }) },
    Group: { create: (p) => p.group.create({ data: { name: 'G', description: 'd' } }), update: { description: 'e', memoryDisabled: true }, where: (r) => ({ id: r.id }) },
    GroupMembership: { create: (p) => p.groupMembership.create({ data: { userId: ids.user!, groupId: ids.group!, role: 'manager' } }), update: { role: 'member' }, where: (r) => ({ userId_groupId: { userId: r.userId, groupId: r.groupId } }) },
    RefreshTokenFamily: { create: (p) => p.refreshTokenFamily.create({ data: { userId: ids.user!, ip: '127.0.0.1', userAgent: 'jest' } }), update: { revokedAt: new Date(), revokedReason: 'test' }, where: (r) => ({ id: r.id }) },
    RefreshToken: { create: (p) => p.refreshToken.create({ data: { familyId: ids.family!, tokenHash: 'h1', expiresAt: new Date(Date.now() + 1000) } }), update: { rotatedAt: new Date() }, where: (r) => ({ id: r.id }) },
    Assistant: { create: (p) => p.assistant.create({ data: { name: 'A', instructions: 'Be brief', topK: 8, similarityThreshold: 0.5, chunkSize: 256, chunkOverlap: 20, knowledgeOnly: true } }), update: { deletedAt: new Date(), temperature: 0.2 }, where: (r) => ({ id: r.id }) },
    AssistantGroup: { create: (p) => p.assistantGroup.create({ data: { assistantId: ids.assistant!, groupId: ids.group! } }), update: { createdAt: new Date(0) }, where: (r) => ({ assistantId_groupId: { assistantId: r.assistantId, groupId: r.groupId } }) },
    KnowledgeBase: { create: (p) => p.knowledgeBase.create({ data: { name: 'KB', description: 'd', tags: ['hr'], language: 'german' } }), update: { deletedAt: new Date(), tags: ['hr', 'policy'] }, where: (r) => ({ id: r.id }) },
    KnowledgeBaseMaintainer: { create: (p) => p.knowledgeBaseMaintainer.create({ data: { knowledgeBaseId: ids.knowledgeBase!, groupId: ids.group! } }), update: { createdAt: new Date(0) }, where: (r) => ({ knowledgeBaseId_groupId: { knowledgeBaseId: r.knowledgeBaseId, groupId: r.groupId } }) },
    KnowledgeBaseReader: { create: (p) => p.knowledgeBaseReader.create({ data: { knowledgeBaseId: ids.knowledgeBase!, groupId: ids.group! } }), update: { createdAt: new Date(0) }, where: (r) => ({ knowledgeBaseId_groupId: { knowledgeBaseId: r.knowledgeBaseId, groupId: r.groupId } }) },
    AssistantKnowledgeBase: { create: (p) => p.assistantKnowledgeBase.create({ data: { assistantId: ids.assistant!, knowledgeBaseId: ids.knowledgeBase!, tags: ['hr'] } }), update: { tags: [] }, where: (r) => ({ assistantId_knowledgeBaseId: { assistantId: r.assistantId, knowledgeBaseId: r.knowledgeBaseId } }) },
    KnowledgeFile: { create: (p) => p.knowledgeFile.create({ data: { knowledgeBaseId: ids.knowledgeBase!, tags: ['hr'], folder: 'policies/leave', originalName: 'b.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', sizeBytes: 5_000_000_000n, sha256: 'e'.repeat(64), storagePath: 'y', embedder: 'local', embeddingDim: 384 } }), update: { status: 'ready', progress: 100, chunkCount: 3, pageCount: 2, processedAt: new Date() }, where: (r) => ({ id: r.id }) },
    Chunk: { create: (p) => p.chunk.create({ data: { fileId: ids.file!, knowledgeBaseId: ids.knowledgeBase!, ordinal: 0, text: 'alpha', tokenCount: 1, page: 1, section: 'Intro', embedder: 'local', embeddingDim: 3 } }), update: { text: 'beta' }, where: (r) => ({ id: r.id }) },
    ChunkSemantics: {
      create: async (p) => {
        const chunk = await p.chunk.create({ data: { fileId: ids.file!, knowledgeBaseId: ids.knowledgeBase!, ordinal: 7, text: 'gamma', tokenCount: 1, embedder: 'local', embeddingDim: 3 } });
        return p.chunkSemantics.create({ data: { chunkId: chunk.id, model: 'use-lite-512', dimension: 2, vectors: new Uint8Array([1, 2, 3, 4]) } });
      },
      update: { vectors: new Uint8Array([5, 6]) },
      where: (r) => ({ chunkId_model: { chunkId: r.chunkId, model: r.model } }),
    },
    // Maintained by triggers on chunks; a base id with no chunks keeps the fixture clear of them.
    ChunkTermStat: { create: (p) => p.chunkTermStat.create({ data: { knowledgeBaseId: '00000000-0000-4000-8000-00000000a001', lexeme: 'alpha', chunkCount: 1 } }), update: { chunkCount: 2 }, where: (r) => ({ knowledgeBaseId_lexeme: { knowledgeBaseId: r.knowledgeBaseId, lexeme: r.lexeme } }) },
    ChunkCorpusStat: { create: (p) => p.chunkCorpusStat.create({ data: { knowledgeBaseId: '00000000-0000-4000-8000-00000000a001', chunkCount: 1n, tokenCount: 5n } }), update: { chunkCount: 2n, tokenCount: 9n }, where: (r) => ({ knowledgeBaseId: r.knowledgeBaseId }) },
    Conversation: { create: (p) => p.conversation.create({ data: { userId: ids.user!, assistantId: ids.assistant!, title: 'T' } }), update: { archived: true, memoryReviewedAt: new Date() }, where: (r) => ({ id: r.id }) },
    Message: { create: (p) => p.message.create({ data: { conversationId: ids.conversation!, parentId: ids.message!, role: 'assistant', content: 'answer', status: 'streaming', sources: [{ fileId: ids.file, score: 0.9 }] } }), update: { status: 'complete', promptTokens: 10, completionTokens: 5, editHistory: [{ content: 'old' }], retrievalPassages: 2, retrievalTopScore: 0.25 }, where: (r) => ({ id: r.id }) },
    Provider: { create: (p) => p.provider.create({ data: { name: 'p1', kind: 'anthropic', baseUrl: 'http://127.0.0.1:9' } }), update: { enabled: false }, where: (r) => ({ id: r.id }) },
    ApiKey: { create: (p) => p.apiKey.create({ data: { providerId: ids.provider!, ciphertext: bytes('c'), iv: bytes('i'), authTag: bytes('t'), wrappedDataKey: bytes('w'), masterKeyId: 'k1', hint: 'sk-…abcd' } }), update: { lastUsedAt: new Date(), masterKeyId: 'k2' }, where: (r) => ({ id: r.id }) },
    Model: { create: (p) => p.model.create({ data: { providerId: ids.provider!, name: 'm1', kind: 'embedding', inputPricePerMTok: new Prisma.Decimal('0.130000') } }), update: { outputPricePerMTok: new Prisma.Decimal('1.5'), contextWindow: 128000 }, where: (r) => ({ id: r.id }) },
    UsageLog: { create: (p) => p.usageLog.create({ data: { userId: ids.user!, groupIds: [ids.group!], assistantId: ids.assistant!, conversationId: ids.conversation!, messageId: ids.message!, modelId: ids.model!, modelName: 'm0', promptTokens: 10, completionTokens: 20, cost: new Prisma.Decimal('0.000123'), latencyMs: 42 } }), update: { outcome: 'error' }, where: (r) => ({ id: r.id }) },
    Quota: { create: (p) => p.quota.create({ data: { scope: 'group', scopeId: ids.group!, requestsPerMinute: 10, tokensPerDay: 100_000n, costPerMonth: new Prisma.Decimal('12.5') } }), update: { alertThresholdPct: 90 }, where: (r) => ({ id: r.id }) },
    QuotaCounter: { create: (p) => p.quotaCounter.create({ data: { quotaId: ids.quota!, period: 'day', periodStart: new Date('2026-11-22T00:00:00Z'), tokens: 5n } }), update: { reservedTokens: 7n, requests: 1, auditedBreaches: ['tokensPerDay'] }, where: (r) => ({ quotaId_period_periodStart: { quotaId: r.quotaId, period: r.period, periodStart: r.periodStart } }) },
    QuotaReservation: { create: (p) => p.quotaReservation.create({ data: { tokens: 500n, cost: new Prisma.Decimal('0.25'), counters: [{ quotaId: ids.quota, period: 'day', periodStart: '2026-11-22T00:00:00.000Z' }] } }), update: { tokens: 600n }, where: (r) => ({ id: r.id }) },
    QuotaAlert: { create: (p) => p.quotaAlert.create({ data: { quotaId: ids.quota!, limitName: 'tokensPerDay', periodStart: new Date('2026-11-22T00:00:00Z'), usedPct: 81 } }), update: { usedPct: 82 }, where: (r) => ({ id: r.id }) },
    // Append-only: updating and deleting are refused by the database, tested below.
    AuditLog: { create: (p) => p.auditLog.create({ data: { action: 'test', prevHash: 'p', hash: 'h' } }), update: {}, where: (r) => ({ id: r.id }) },
    Setting: { create: (p) => p.setting.create({ data: { key: 'rag.topK', value: { value: 5 } } }), update: { value: { value: 6 } }, where: (r) => ({ key: r.key }) },
    EmailVerification: { create: (p) => p.emailVerification.create({ data: { userId: ids.user!, tokenHash: 'v1', expiresAt: new Date(Date.now() + 1000) } }), update: { usedAt: new Date() }, where: (r) => ({ id: r.id }) },
    PersonalAccessToken: { create: (p) => p.personalAccessToken.create({ data: { userId: ids.user!, name: 'ci', lookup: '0123456789abcdef', secretHash: 'h'.repeat(64), scopes: ['chat', 'mcp'], expiresAt: new Date(Date.now() + 1000) } }), update: { lastUsedAt: new Date(), revokedAt: new Date(), revokedById: '00000000-0000-4000-8000-00000000b001' }, where: (r) => ({ id: r.id }) },
    Job: { create: (p) => p.job.create({ data: { type: 'ingest', payload: { fileId: ids.file }, dedupeKey: 'file:1' } }), update: { status: 'running', attempts: 1, lockedBy: 'w1', heartbeatAt: new Date() }, where: (r) => ({ id: r.id }) },
    // Identity: single sign-on and SCIM
    UserIdentity: { create: (p) => p.userIdentity.create({ data: { userId: ids.user!, issuer: 'https://idp.example.com', subject: 's1', email: 'owner@example.com' } }), update: { lastLoginAt: new Date() }, where: (r) => ({ id: r.id }) },
    SsoConfig: { create: (p) => p.ssoConfig.create({ data: { settings: { enabled: true }, ciphertext: bytes('c'), iv: bytes('i'), authTag: bytes('t'), wrappedDataKey: bytes('w'), masterKeyId: 'k1', secretHint: '…ab', updatedById: ids.user! } }), update: { secretHint: '…cd' }, where: (r) => ({ id: r.id }) },
    ScimToken: { create: (p) => p.scimToken.create({ data: { name: 'Entra ID', tokenHash: 'h', hint: '…ab', createdById: ids.user! } }), update: { lastUsedAt: new Date(), revokedAt: new Date() }, where: (r) => ({ id: r.id }) },
    // Staff features: feedback, prompt library.
    MessageFeedback: { create: (p) => p.messageFeedback.create({ data: { messageId: ids.message!, userId: ids.user!, rating: 'down', reasons: ['wrong'], comment: 'No' } }), update: { rating: 'up', reasons: [] }, where: (r) => ({ id: r.id }) },
    SavedPrompt: { create: (p) => p.savedPrompt.create({ data: { ownerId: ids.user!, title: 'T', text: 'Hello {{name}}' } }), update: { title: 'T2' }, where: (r) => ({ id: r.id }) },
    SavedPromptGroup: {
      create: async (p) => p.savedPromptGroup.create({ data: { promptId: (await p.savedPrompt.create({ data: { ownerId: ids.user!, title: 'P', text: 'x' } })).id, groupId: ids.group! } }),
      // Nothing but its keys: the group is set again (read once ids are filled in).
      get update() {
        return { groupId: ids.group! };
      },
      where: (r) => ({ promptId_groupId: { promptId: r.promptId, groupId: r.groupId } }),
    },
    // Memory (its vector and tsvector are written with raw SQL, tests/chat/memory.test.ts).
    ConversationAttachment: {
      create: (p) => p.conversationAttachment.create({ data: { conversationId: ids.conversation!, userId: ids.user!, originalName: 'shot.png', mimeType: 'image/png', kind: 'image', sizeBytes: 2048n, sha256: 'a'.repeat(64), storagePath: 'z' } }),
      update: { status: 'ready', progress: 100, chunkCount: 1, tokenCount: 12, processedAt: new Date() },
      where: (r) => ({ id: r.id }),
    },
    Memory: { create: (p) => p.memory.create({ data: { userId: ids.user!, text: 'Works in Berlin', status: 'proposed', origin: 'proposed', conversationId: ids.conversation!, embedder: 'local', embeddingDim: 384 } }), update: { status: 'kept', text: 'Works in Lisbon' }, where: (r) => ({ id: r.id }) },
    ConversationShare: {
      create: (p) => p.conversationShare.create({ data: { conversationId: ids.conversation!, ownerId: ids.user!, leafMessageId: ids.message!, title: 'T', audience: 'group', groupId: ids.group!, token: 'share-token-0000000000' } }),
      update: { title: 'T2' },
      where: (r) => ({ id: r.id }),
    },
    ConversationShareView: {
      create: async (p) => {
        const share = await p.conversationShare.create({ data: { conversationId: ids.conversation!, ownerId: ids.user!, leafMessageId: ids.message!, title: 'L', audience: 'link', token: 'share-token-1111111111' } });
        return p.conversationShareView.create({ data: { shareId: share.id, userId: ids.user! } });
      },
      update: { firstViewedAt: new Date(0) },
      where: (r) => ({ shareId_userId: { shareId: r.shareId, userId: r.userId } }),
    },
    ToolServer: {
      create: (p) =>
        p.toolServer.create({
          data: { name: 'CRM', url: 'http://127.0.0.1:9/mcp', headerNames: ['X-Api-Key'], ciphertext: bytes('c'), iv: bytes('i'), authTag: bytes('t'), wrappedDataKey: bytes('w'), masterKeyId: 'k1', createdById: ids.user! },
        }),
      update: { enabled: false, disabledTools: ['delete_all'] },
      where: (r) => ({ id: r.id }),
    },
    ToolServerGroup: {
      create: async (p) => p.toolServerGroup.create({ data: { toolServerId: (await p.toolServer.create({ data: { name: 'CRM-g', url: 'http://127.0.0.1:9/mcp' } })).id, groupId: ids.group! } }),
      get update() {
        return { groupId: ids.group! };
      },
      where: (r) => ({ toolServerId_groupId: { toolServerId: r.toolServerId, groupId: r.groupId } }),
    },
    ToolServerAssistant: {
      create: async (p) => p.toolServerAssistant.create({ data: { toolServerId: (await p.toolServer.create({ data: { name: 'CRM-a', url: 'http://127.0.0.1:9/mcp' } })).id, assistantId: ids.assistant! } }),
      get update() {
        return { assistantId: ids.assistant! };
      },
      where: (r) => ({ toolServerId_assistantId: { toolServerId: r.toolServerId, assistantId: r.assistantId } }),
    },
    WebSource: {
      create: (p) => p.webSource.create({ data: { knowledgeBaseId: ids.knowledgeBase!, url: 'https://example.com/', mode: 'site', maxDepth: 2, maxPages: 50, scheduleMinutes: 1440, createdById: ids.user! } }),
      update: { status: 'done', lastSyncStartedAt: new Date(), lastSyncFinishedAt: new Date(), lastAdded: 3, lastChanged: 1, lastRemoved: 1, lastUnchanged: 4, lastErrors: 1, lastError: 'one page failed' },
      where: (r) => ({ id: r.id }),
    },
    WebSourcePage: {
      create: async (p) =>
        p.webSourcePage.create({
          data: {
            webSourceId: (await p.webSource.create({ data: { knowledgeBaseId: ids.knowledgeBase!, url: 'https://example.com/a' } })).id,
            url: 'https://example.com/a',
            title: 'A',
            kind: 'html',
            etag: '"v1"',
            lastModified: 'Wed, 02 Dec 2026 10:00:00 GMT',
            contentHash: 'a'.repeat(64),
            links: ['https://example.com/b'],
            depth: 1,
            knowledgeFileId: ids.file!,
          },
        }),
      update: { lastError: 'timeout', links: [], knowledgeFileId: null },
      where: (r) => ({ id: r.id }),
    },
  };

  it('has a fixture for every model in the schema', () => {
    expect(Object.keys(fixtures).sort()).toEqual(Object.values(Prisma.ModelName).sort());
  });

  it.each(Object.values(Prisma.ModelName))('%s: create, read every scalar field, update, delete', async (model) => {
    const delegate = (prisma as unknown as Record<string, Record<string, (args: unknown) => Promise<Row>>>)[model[0]!.toLowerCase() + model.slice(1)]!;
    const scalarFields = Object.keys((Prisma as unknown as Record<string, Record<string, string>>)[`${model}ScalarFieldEnum`]!);
    const fixture = fixtures[model];
    const created = await fixture.create(prisma);
    const where = fixture.where(created);
    const read = await delegate.findUnique!({ where, select: Object.fromEntries(scalarFields.map((f) => [f, true])) });
    expect(Object.keys(read).sort()).toEqual([...scalarFields].sort());
    if (model === 'AuditLog') return;
    const updated = await delegate.update!({ where, data: fixture.update });
    for (const [key, value] of Object.entries(fixture.update)) expect(comparable(updated[key])).toEqual(comparable(value));
    await delegate.delete!({ where });
    expect(await delegate.findUnique!({ where })).toBeNull();
  });

  it('refuses UPDATE and DELETE on the audit log', async () => {
    const entry = await prisma.auditLog.create({ data: { action: 'immutable', prevHash: 'p2', hash: 'h2' } });
    await expect(prisma.auditLog.update({ where: { id: entry.id }, data: { action: 'changed' } })).rejects.toThrow(/append-only/);
    await expect(prisma.auditLog.delete({ where: { id: entry.id } })).rejects.toThrow(/append-only/);
    expect((await prisma.auditLog.findUniqueOrThrow({ where: { id: entry.id } })).action).toBe('immutable');
  });

  it('stores vectors and answers cosine and full-text queries through the HNSW and GIN indexes', async () => {
    const file = ids.file!;
    const base = ids.knowledgeBase!;
    const vec = (hot: number) => `[${Array.from({ length: 384 }, (_, i) => (i === hot ? 1 : 0.01)).join(',')}]`;
    const texts = ['The cat sat on the mat', 'Quarterly revenue grew by ten percent', 'Vacation policy allows twenty days'];
    for (const [i, text] of texts.entries()) {
      await prisma.$executeRawUnsafe(
        `INSERT INTO chunks (file_id, knowledge_base_id, ordinal, text, token_count, embedder, embedding_dim, embedding)
         VALUES ($1::uuid, $2::uuid, $3, $4, 5, 'test', 384, $5::vector)`,
        file, base, 100 + i, text, vec(i),
      );
    }
    const nearest = await prisma.$queryRawUnsafe<{ text: string; similarity: number }[]>(
      `SELECT text, 1 - ((embedding::vector(384)) <=> $1::vector(384)) AS similarity
         FROM chunks WHERE embedding_dim = 384 AND knowledge_base_id = $2::uuid
        ORDER BY (embedding::vector(384)) <=> $1::vector(384) LIMIT 1`,
      vec(1), base,
    );
    expect(nearest[0]!.text).toBe(texts[1]);
    expect(nearest[0]!.similarity).toBeGreaterThan(0.9);

    const fullText = await prisma.$queryRawUnsafe<{ text: string }[]>(
      `SELECT text FROM chunks WHERE tsv @@ websearch_to_tsquery('english', $1) AND knowledge_base_id = $2::uuid`,
      'vacations', base,
    );
    expect(fullText.map((r) => r.text)).toEqual([texts[2]]);

    await expect(
      prisma.$executeRawUnsafe(
        `INSERT INTO chunks (file_id, knowledge_base_id, ordinal, text, token_count, embedder, embedding_dim, embedding)
         VALUES ($1::uuid, $2::uuid, 999, 'wrong size', 1, 'test', 384, '[1,2,3]'::vector)`,
        file, base,
      ),
    ).rejects.toThrow(/chunks_embedding_dim_check/);
  });
});
