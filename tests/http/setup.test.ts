import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGroupRecord, createUserRecord, ownKnowledgeBaseRecord } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

// The first-run checklist ticks each step from what exists, and offers an
// Ollama it finds answering (here a stand-in speaking Ollama's /api/tags).

describe('first-run checklist', () => {
  let t: TestApp;
  let ollama: http.Server;
  let admin: string;

  beforeAll(async () => {
    ollama = http.createServer((req, res) => {
      if (req.url === '/api/tags') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ models: [{ name: 'llama3.2:3b' }, { name: 'nomic-embed-text' }] }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => ollama.listen(0, '127.0.0.1', resolve));
    t = await createTestApp({ OLLAMA_URL: `http://127.0.0.1:${(ollama.address() as AddressInfo).port}` });
    admin = (await t.signIn({ role: 'admin' })).token;
  }, 120_000);
  afterAll(async () => {
    await new Promise<void>((resolve) => ollama.close(() => resolve()));
    await t.close();
  });

  const checklist = async () => {
    const res = await t.http.get('/api/v1/setup/checklist').set('Authorization', `Bearer ${admin}`);
    expect(res.status).toBe(200);
    return res.body as { steps: { id: string; done: boolean; link: string; hint?: string }[]; complete: boolean; ollama: { models: string[] } | null };
  };
  const done = async () => Object.fromEntries((await checklist()).steps.map((s) => [s.id, s.done]));

  it('starts with nothing done and offers the Ollama it found', async () => {
    const list = await checklist();
    expect(list.complete).toBe(false);
    expect(list.steps.map((s) => [s.id, s.done])).toEqual([['provider', false], ['assistant', false], ['knowledge', false], ['shared', false], ['people', false]]);
    expect(list.ollama?.models).toEqual(['llama3.2:3b', 'nomic-embed-text']);
    expect(list.steps[0]!.hint).toMatch(/\/v1/);
    expect(list.steps.every((s) => s.link.startsWith('/'))).toBe(true);
  });

  it('ticks each step as the admin does it', async () => {
    const provider = await t.prisma.provider.create({ data: { name: 'Local Ollama', kind: 'openai_compatible', baseUrl: 'http://127.0.0.1:11434/v1' } });
    await t.prisma.model.create({ data: { providerId: provider.id, name: 'llama3.2:3b' } });
    expect(await done()).toMatchObject({ provider: true, assistant: false });

    const assistant = await t.prisma.assistant.create({ data: { name: 'Helpdesk' } });
    expect(await done()).toMatchObject({ assistant: true, knowledge: false });
    const base = await ownKnowledgeBaseRecord(t.prisma, assistant.id);
    await t.prisma.knowledgeFile.create({ data: { knowledgeBaseId: base.id, originalName: 'faq.txt', mimeType: 'text/plain', sizeBytes: 3n, sha256: 'b'.repeat(64), storagePath: 'x', status: 'ready' } });
    expect(await done()).toMatchObject({ knowledge: true, shared: false });
    const group = await createGroupRecord(t.prisma, 'Helpdesk users');
    await t.prisma.assistantGroup.create({ data: { assistantId: assistant.id, groupId: group.id } });
    expect(await done()).toMatchObject({ shared: true, people: false });
    await createUserRecord(t.prisma);
    expect((await checklist()).complete).toBe(true);
  });

  it('creates the Everyone group with every account in it, which new accounts join until switched off', async () => {
    const put = (joinByDefault: boolean) => t.http.put('/api/v1/setup/everyone').set('Authorization', `Bearer ${admin}`).send({ joinByDefault });
    const active = await t.prisma.user.count({ where: { active: true } });
    const created = await put(true);
    expect(created.status).toBe(200);
    const everyone = created.body.id as string;
    expect(await t.prisma.groupMembership.count({ where: { groupId: everyone } })).toBe(active);
    expect((await checklist()) as unknown).toMatchObject({ everyone: { id: everyone, joinByDefault: true } });

    const newcomer = await t.http.post('/api/v1/users').set('Authorization', `Bearer ${admin}`).send({ email: 'newcomer@example.com', name: 'New Comer', role: 'user' });
    expect(newcomer.status).toBe(201);
    expect(newcomer.body.groups.map((g: { name: string }) => g.name)).toEqual(['Everyone']);

    expect((await put(false)).body).toMatchObject({ id: everyone, joinByDefault: false });
    const later = await t.http.post('/api/v1/users').set('Authorization', `Bearer ${admin}`).send({ email: 'later@example.com', name: 'Later', role: 'user' });
    expect(later.body.groups).toEqual([]);
    // Switching it back on does not sweep in the accounts created meanwhile.
    await put(true);
    expect(await t.prisma.groupMembership.count({ where: { groupId: everyone, userId: later.body.id } })).toBe(0);
  });

  it('is for admins only', async () => {
    const manager = await t.signIn({ role: 'manager' });
    expect((await t.http.get('/api/v1/setup/checklist').set('Authorization', `Bearer ${manager.token}`)).status).toBe(403);
  });
});
