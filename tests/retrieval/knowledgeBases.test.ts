import { createGroupRecord } from '../support/factories.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, isTitleRequest, startChatServer, uploadAndWait, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';
import { turnToAnswerIn } from '../../server/src/commands/conversations/conversationAccess.js';
import type { Actor } from '../../server/src/policies/actor.js';

// Knowledge bases shared by assistants, read by chosen groups. What reaches
// the model is read from the OpenAI-compatible test server: a passage of a
// base the asking person may not read must never be in the prompt, even on an
// assistant they may use.

const HANDBOOK = 'The office opens at eight in the morning and the canteen serves lunch from noon.';
const ONBOARDING = 'New colleagues collect their laptop and badge from the front desk on their first morning.';
const PAYROLL = 'Salaries are paid on the twenty-fifth of each month by bank transfer; bonuses arrive in March.';

describe(`knowledge bases shared by assistants, read by groups (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let sam: { id: string; token: string };
  let hana: { id: string; token: string };
  const ids = { sales: '', hr: '', handbook: '', payroll: '', helpdesk: '', onboarding: '' };

  async function upload(token: string, baseId: string, name: string, text: string, query = '') {
    const form = new FormData();
    form.append('files', new Blob([Buffer.from(text)]), name);
    const res = await fetch(`${t.url}/api/v1/knowledge-bases/${baseId}/files${query}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(res.status).toBe(201);
    const fileId = ((await res.json()) as { files: { id: string }[] }).files[0]!.id;
    const status = await eventually(
      async () => (await t.json(token, 'GET', `/api/v1/knowledge-bases/${baseId}/files/${fileId}`)).body.status as string,
      (s) => s === 'ready' || s === 'failed',
      90_000,
    );
    expect(status).toBe('ready');
    return fileId;
  }

  /** The system prompt of the model call that answered `question` on `assistantId` for `token`. */
  async function promptFor(token: string, assistantId: string, question: string): Promise<string> {
    const conversationId = (await t.json(token, 'POST', '/api/v1/conversations', { assistantId })).body.id;
    expect((await t.json(token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: question })).status).toBe(201);
    const call = t.openai.chatRequests().filter((r) => !isTitleRequest({ ...r.body, stream: true } as never)).at(-1)!;
    return String(call.body.messages[0]!.content);
  }

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    sam = await t.login({ role: 'user', name: 'Sam Sales' });
    hana = await t.login({ role: 'manager', name: 'Hana HR' });
    const prisma = t.server.services.prisma;
    ids.sales = (await createGroupRecord(prisma, 'Sales', [{ userId: sam.id }])).id;
    ids.hr = (await createGroupRecord(prisma, 'HR', [{ userId: hana.id, role: 'manager' }])).id;

    const handbook = await t.json(admin.token, 'POST', '/api/v1/knowledge-bases', { name: 'Handbook', tags: ['company'], readerGroupIds: [ids.sales, ids.hr] });
    expect(handbook.status).toBe(201);
    ids.handbook = handbook.body.id;
    // HR's managers maintain the payroll base themselves; only HR reads it.
    const payroll = await t.json(hana.token, 'POST', '/api/v1/knowledge-bases', { name: 'Payroll', maintainerGroupIds: [ids.hr], readerGroupIds: [ids.hr] });
    expect(payroll.status).toBe(201);
    ids.payroll = payroll.body.id;

    await upload(admin.token, ids.handbook, 'office.txt', HANDBOOK, '?folder=facilities');
    await upload(admin.token, ids.handbook, 'first-day.txt', ONBOARDING, '?folder=people/onboarding&tags=onboarding');
    await upload(hana.token, ids.payroll, 'salaries.txt', PAYROLL);

    const helpdesk = await t.json(admin.token, 'POST', '/api/v1/assistants', {
      name: 'Helpdesk',
      groupIds: [ids.sales, ids.hr],
      knowledgeBases: [{ knowledgeBaseId: ids.handbook }, { knowledgeBaseId: ids.payroll }],
    });
    expect(helpdesk.status).toBe(201);
    expect(helpdesk.body.knowledgeBases).toHaveLength(2);
    ids.helpdesk = helpdesk.body.id;
    ids.onboarding = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Onboarding', groupIds: [ids.sales] })).body.id;
    expect((await t.json(admin.token, 'PUT', `/api/v1/assistants/${ids.onboarding}/knowledge-bases/${ids.handbook}`, {})).status).toBe(200);
  }, 240_000);
  afterAll(() => t.close());

  const question = 'When are salaries paid, when does the office open, and where do new colleagues get their laptop?';

  it('never sends a base the asker may not read, even through an assistant they may use', async () => {
    const samPrompt = await promptFor(sam.token, ids.helpdesk, question);
    expect(samPrompt).toContain(HANDBOOK);
    expect(samPrompt).not.toContain('Salaries are paid');

    const hanaPrompt = await promptFor(hana.token, ids.helpdesk, question);
    expect(hanaPrompt).toContain(HANDBOOK);
    expect(hanaPrompt).toContain(PAYROLL);

    // The same rule on the search route (REST, MCP's search_knowledge).
    const search = await t.json(sam.token, 'POST', `/api/v1/assistants/${ids.helpdesk}/search`, { query: 'When are salaries paid?' });
    expect(search.status).toBe(200);
    expect(search.body.results.map((r: { fileName: string }) => r.fileName)).not.toContain('salaries.txt');
  });

  it('serves one base to two assistants, each limited by its own tag filter', async () => {
    const before = await promptFor(sam.token, ids.onboarding, question);
    expect(before).toContain(HANDBOOK);
    expect(before).toContain(ONBOARDING);

    const limited = await t.json(admin.token, 'PUT', `/api/v1/assistants/${ids.onboarding}/knowledge-bases/${ids.handbook}`, { tags: ['onboarding'] });
    expect(limited.body.knowledgeBases).toEqual([{ knowledgeBaseId: ids.handbook, tags: ['onboarding'] }]);
    const after = await promptFor(sam.token, ids.onboarding, question);
    expect(after).toContain(ONBOARDING);
    expect(after).not.toContain(HANDBOOK);
    // Helpdesk attaches the whole base and is not affected.
    expect(await promptFor(sam.token, ids.helpdesk, question)).toContain(HANDBOOK);
  });

  it('finds the same passages when the search is begun from the read a question starts with', async () => {
    const retriever = t.server.services.retriever;
    const readers = {
      sam: { id: sam.id, email: 'sam@example.com', mustChangePassword: false, role: 'user' as const, groups: new Map([[ids.sales, 'member' as const]]) },
      hana: { id: hana.id, email: 'hana@example.com', mustChangePassword: false, role: 'manager' as const, groups: new Map([[ids.hr, 'manager' as const]]) },
    };
    const cases = [
      { reader: readers.sam, token: sam.token, assistantId: ids.helpdesk },
      { reader: readers.hana, token: hana.token, assistantId: ids.helpdesk },
      { reader: readers.sam, token: sam.token, assistantId: ids.onboarding }, // a tag filter
    ];
    const turnIn = async (token: string, reader: Actor, assistantId: string) =>
      turnToAnswerIn(t.server.services, reader, (await t.json(token, 'POST', '/api/v1/conversations', { assistantId })).body.id);
    for (const { reader, token, assistantId } of cases) {
      const turn = turnIn(token, reader, assistantId);
      const request = { assistantId, reader, query: question, topK: 5, minScore: 0, mode: 'hybrid' as const };
      const plain = await retriever.retrieve(request);
      const prepared = retriever.prepareSearch(question, turn);
      expect(await prepared.query).not.toBeNull();
      expect(await retriever.retrieve({ ...request, prepared })).toEqual(plain);
      expect(plain.length).toBeGreaterThan(0);
      // With attachments the question is analysed by the search itself, with them counted.
      expect(await retriever.prepareSearch(question, turn.then((read) => ({ ...read, attachments: [{}] }))).query).toBeNull();
    }
    const sams = await retriever.retrieve({ ...cases[0]!, query: question, topK: 5, minScore: 0, prepared: retriever.prepareSearch(question, turnIn(sam.token, readers.sam, ids.helpdesk)) });
    expect(sams.map((p) => p.fileName)).not.toContain('salaries.txt');
  });

  it('lets a base be read only by the groups it names: detaching or withdrawing the group stops its passages', async () => {
    expect((await t.json(admin.token, 'PATCH', `/api/v1/knowledge-bases/${ids.handbook}`, { readerGroupIds: [ids.hr] })).status).toBe(200);
    const withdrawn = await promptFor(sam.token, ids.helpdesk, question);
    expect(withdrawn).not.toContain(HANDBOOK);
    expect((await t.json(admin.token, 'PATCH', `/api/v1/knowledge-bases/${ids.handbook}`, { readerGroupIds: [ids.sales, ids.hr] })).status).toBe(200);

    expect((await t.json(admin.token, 'DELETE', `/api/v1/assistants/${ids.helpdesk}/knowledge-bases/${ids.handbook}`)).status).toBe(204);
    expect(await promptFor(hana.token, ids.helpdesk, question)).not.toContain(HANDBOOK);
  });

  it('lists bases by tag and files by folder and tag, and keeps managers to the bases their groups maintain', async () => {
    const byTag = await t.json(admin.token, 'GET', '/api/v1/knowledge-bases?tag=company');
    expect(byTag.body.data.map((b: { name: string }) => b.name)).toEqual(['Handbook']);
    const inFolder = await t.json(admin.token, 'GET', `/api/v1/knowledge-bases/${ids.handbook}/files?folder=people`);
    expect(inFolder.body.data.map((f: { name: string; folder: string }) => [f.name, f.folder])).toEqual([['first-day.txt', 'people/onboarding']]);
    const tagged = await t.json(admin.token, 'GET', `/api/v1/knowledge-bases/${ids.handbook}/files?tag=onboarding`);
    expect(tagged.body.total).toBe(1);

    // Hana reads the handbook (HR is a reader) but does not maintain it.
    const list = await t.json(hana.token, 'GET', '/api/v1/knowledge-bases?order=asc');
    expect(list.body.data.map((b: { name: string; can: { manage: boolean } }) => [b.name, b.can.manage])).toEqual([
      ['Handbook', false],
      ['Payroll', true],
    ]);
    expect((await t.json(hana.token, 'PATCH', `/api/v1/knowledge-bases/${ids.handbook}`, { name: 'Mine now' })).status).toBe(403);
    expect((await t.json(sam.token, 'GET', '/api/v1/knowledge-bases')).status).toBe(403);
  });

  it("keeps an assistant's own base (its Knowledge tab) read by the groups the assistant is shared with", async () => {
    const own = 'The car park behind the office is free for staff after six in the evening.';
    const assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Facilities', groupIds: [ids.hr] })).body.id as string;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-own-base-'));
    fs.writeFileSync(path.join(dir, 'parking.txt'), own);
    expect(await uploadAndWait(t, admin.token, assistantId, path.join(dir, 'parking.txt'))).toBe('ready');
    fs.rmSync(dir, { recursive: true, force: true });
    const files = await t.json(admin.token, 'GET', `/api/v1/assistants/${assistantId}/files`);
    const base = await t.json(admin.token, 'GET', `/api/v1/knowledge-bases/${files.body.data[0].knowledgeBaseId}`);
    expect(base.body).toMatchObject({ name: 'Facilities knowledge', assistantId, readerGroupIds: [ids.hr], maintainerGroupIds: [ids.hr] });

    // Shared with Sales afterwards: Sales reads the assistant's own files too.
    expect((await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { groupIds: [ids.hr, ids.sales] })).status).toBe(200);
    expect(await promptFor(sam.token, assistantId, 'Where can I park in the evening?')).toContain(own);
  });
});
