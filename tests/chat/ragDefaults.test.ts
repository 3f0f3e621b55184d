import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChatServer, eventually, uploadAndWait, isTitleRequest, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// The system's RAG defaults (an admin setting) apply wherever an assistant
// sets no value of its own: how many passages reach the model, how files are
// chunked, and which files a change leaves out of date until re-indexed.

const TEXT = fileURLToPath(new URL('../fixtures/documents/misc/unstructured__norwich-city.txt', import.meta.url));
const QUESTION = 'Which clubs did Iwan Roberts play for, and how many goals did he score for Norwich City?';

describe(`RAG defaults take effect (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let assistantId: string;

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Football' })).body.id;
    expect(await uploadAndWait(t, admin.token, assistantId, TEXT)).toBe('ready');
  });
  afterAll(() => t.close());

  const saveDefaults = async (value: object) => expect((await t.json(admin.token, 'PUT', '/api/v1/settings/rag.defaults', value)).status).toBe(200);
  /** How many numbered passages the model server received in the system prompt of the last answer. */
  async function passagesSentToModel(): Promise<number> {
    const conversationId = (await t.json(admin.token, 'POST', '/api/v1/conversations', { assistantId })).body.id;
    expect((await t.json(admin.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: QUESTION })).status).toBe(201);
    const call = t.openai.chatRequests().filter((r) => !isTitleRequest({ ...r.body, stream: true } as never)).at(-1)!;
    // Each passage opens with its number and source label: "[1] unstructured__norwich-city.txt".
    return (String(call.body.messages[0]!.content).match(/^\[\d+\] unstructured__norwich-city\.txt/gm) ?? []).length;
  }
  const fileOf = async () => (await t.json(admin.token, 'GET', `/api/v1/assistants/${assistantId}/files`)).body.data[0];

  it('sends the default top-k passages to the model, and the assistant’s own value over it', async () => {
    expect(await passagesSentToModel()).toBe(5);
    await saveDefaults({ topK: 2, similarityThreshold: null, chunkSize: 512, chunkOverlap: 50 });
    expect(await passagesSentToModel()).toBe(2);
    const search = await t.json(admin.token, 'POST', `/api/v1/assistants/${assistantId}/search`, { query: QUESTION });
    expect(search.body.results).toHaveLength(2);

    await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { topK: 3 });
    expect(await passagesSentToModel()).toBe(3);
    await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { topK: null });
    expect(await passagesSentToModel()).toBe(2);
  });

  it('applies the default similarity threshold to passages that share no word with the question', async () => {
    await saveDefaults({ topK: 5, similarityThreshold: 0, chunkSize: 512, chunkOverlap: 50 });
    const unrelated = 'zzyzx quokka?';
    const loose = await t.json(admin.token, 'POST', `/api/v1/assistants/${assistantId}/search`, { query: unrelated });
    expect(loose.body.results.length).toBeGreaterThan(0);
    await saveDefaults({ topK: 5, similarityThreshold: 0.99, chunkSize: 512, chunkOverlap: 50 });
    const strict = await t.json(admin.token, 'POST', `/api/v1/assistants/${assistantId}/search`, { query: unrelated });
    expect(strict.body.results).toEqual([]);
  });

  it('chunks with the defaults, lists the files a change leaves out of date, and re-indexes them on request', async () => {
    const before = await fileOf();
    const chunksAt512 = before.chunkCount as number;
    const outdated = () => t.json(admin.token, 'GET', '/api/v1/settings/rag.defaults/outdated-files');
    expect((await outdated()).body).toEqual({ data: [], total: 0 });

    await saveDefaults({ topK: 5, similarityThreshold: null, chunkSize: 128, chunkOverlap: 16 });
    const listed = await outdated();
    expect(listed.body.total).toBe(1);
    expect(listed.body.data[0]).toMatchObject({
      id: before.id,
      name: 'unstructured__norwich-city.txt',
      assistantId,
      assistantName: 'Football',
      indexedWith: { chunkSize: 512, chunkOverlap: 50 },
      wouldUse: { chunkSize: 128, chunkOverlap: 16 },
    });
    // An assistant's own chunking takes precedence over the defaults.
    await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { chunkSize: 512, chunkOverlap: 50 });
    expect((await outdated()).body.total).toBe(0);
    await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { chunkSize: null, chunkOverlap: null });

    const staff = await t.login({ role: 'manager' });
    expect((await t.json(staff.token, 'POST', '/api/v1/settings/rag.defaults/outdated-files/reindex')).status).toBe(403);
    const queued = await t.json(admin.token, 'POST', '/api/v1/settings/rag.defaults/outdated-files/reindex');
    expect([queued.status, queued.body]).toEqual([202, { queued: 1 }]);
    const after = await eventually(fileOf, (f) => f.status === 'ready' && f.processedAt !== before.processedAt, 90_000);
    // Smaller chunks, so clearly more of them.
    expect(after.chunkCount).toBeGreaterThan(chunksAt512 * 2);
    const longest = await t.server.services.prisma.chunk.aggregate({ where: { fileId: before.id }, _max: { tokenCount: true } });
    expect(longest._max.tokenCount).toBeLessThanOrEqual(128);
    expect((await outdated()).body.total).toBe(0);
    const audit = await t.server.services.prisma.auditLog.findFirstOrThrow({ where: { action: 'knowledge.reindex_outdated' } });
    expect(audit.newValues).toMatchObject({ files: 1, chunkSize: 128, chunkOverlap: 16 });
  });
});
