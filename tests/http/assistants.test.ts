import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGroupRecord } from '../support/factories.js';
import { uploadVia } from '../support/knowledge.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

type Session = Awaited<ReturnType<TestApp['signIn']>>;

describe(`assistants: create, update, delete, restore (${engineName})`, () => {
  let t: TestApp;
  let uploadsDir: string;
  let admin: Session;
  let manager: Session;
  let member: Session;
  let managed: { id: string };
  let foreign: { id: string };
  const auth = (session: Session) => ({ Authorization: `Bearer ${session.token}` });

  beforeAll(async () => {
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-assistants-'));
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000', UPLOADS_DIR: uploadsDir });
    admin = await t.signIn({ role: 'admin' });
    manager = await t.signIn({ role: 'manager' });
    member = await t.signIn({ role: 'user' });
    managed = await createGroupRecord(t.prisma, 'managed', [{ userId: manager.user.id, role: 'manager' }, { userId: member.user.id }]);
    foreign = await createGroupRecord(t.prisma, 'foreign', [{ userId: member.user.id }]);
    // A fresh database and three sign-ins; slow when the machine is busy.
  }, 60_000);
  afterAll(async () => {
    await t.close();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
  });

  async function chatModel(options: { kind?: 'chat' | 'embedding'; enabled?: boolean; providerEnabled?: boolean } = {}) {
    const provider = await t.prisma.provider.create({ data: { name: `p-${Math.random()}`, kind: 'openai_compatible', enabled: options.providerEnabled ?? true } });
    return t.prisma.model.create({ data: { providerId: provider.id, name: `m-${Math.random()}`, displayName: 'Model M', kind: options.kind ?? 'chat', enabled: options.enabled ?? true } });
  }

  async function create(session: Session, body: Record<string, unknown>) {
    return (await t.http.post('/api/v1/assistants').set(auth(session)).send({ name: 'Helper', ...body }).expect(201)).body as { id: string };
  }

  const auditOf = (assistantId: string, action: string) => t.prisma.auditLog.findMany({ where: { resourceId: assistantId, action }, orderBy: { id: 'asc' } });

  it('accepts only an enabled chat model of an enabled provider, on create and update', async () => {
    const model = await chatModel();
    const created = await t.http.post('/api/v1/assistants').set(auth(admin)).send({ name: 'Modelled', modelId: model.id }).expect(201);
    expect(created.body.model).toEqual({ id: model.id, name: model.name, displayName: 'Model M' });

    const refused = [await chatModel({ kind: 'embedding' }), await chatModel({ enabled: false }), await chatModel({ providerEnabled: false })];
    for (const bad of [...refused.map((m) => m.id), '00000000-0000-4000-8000-000000000000']) {
      const res = await t.http.patch(`/api/v1/assistants/${created.body.id}`).set(auth(admin)).send({ modelId: bad }).expect(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', details: { issues: [expect.objectContaining({ path: 'modelId' })] } });
      await t.http.post('/api/v1/assistants').set(auth(admin)).send({ name: 'Bad', modelId: bad }).expect(400);
    }
    const cleared = await t.http.patch(`/api/v1/assistants/${created.body.id}`).set(auth(admin)).send({ modelId: null }).expect(200);
    expect(cleared.body).toMatchObject({ model: null, modelId: null });
  });

  it('updates any field, audits only what changed with old and new values, and writes nothing for a no-op', async () => {
    const a = await create(admin, { instructions: 'Be brief.', groupIds: [managed.id], chunkSize: 400 });
    const res = await t.http
      .patch(`/api/v1/assistants/${a.id}`)
      .set(auth(admin))
      .send({ name: 'Renamed', instructions: 'Be brief.', temperature: 0.2, topK: 8, similarityThreshold: null, chunkOverlap: 40, knowledgeOnly: true, groupIds: [foreign.id] })
      .expect(200);
    expect(res.body).toMatchObject({
      name: 'Renamed',
      instructions: 'Be brief.',
      temperature: 0.2,
      knowledgeOnly: true,
      retrieval: { topK: 8, similarityThreshold: null, chunkSize: 400, chunkOverlap: 40 },
      groupIds: [foreign.id],
      can: { manage: true },
    });
    const [entry] = await auditOf(a.id, 'assistant.update');
    expect(entry).toMatchObject({
      actorId: admin.user.id,
      oldValues: { name: 'Helper', temperature: 0.7, topK: null, chunkOverlap: null, knowledgeOnly: false, groupIds: [managed.id] },
      newValues: { name: 'Renamed', temperature: 0.2, topK: 8, chunkOverlap: 40, knowledgeOnly: true, groupIds: [foreign.id] },
    });
    // Unchanged fields are not in the entry.
    expect(Object.keys(entry!.newValues as object).sort()).toEqual(['chunkOverlap', 'groupIds', 'knowledgeOnly', 'name', 'temperature', 'topK']);

    await t.http.patch(`/api/v1/assistants/${a.id}`).set(auth(admin)).send({ name: 'Renamed', groupIds: [foreign.id] }).expect(200);
    expect(await auditOf(a.id, 'assistant.update')).toHaveLength(1);

    const overlap = await t.http.patch(`/api/v1/assistants/${a.id}`).set(auth(admin)).send({ chunkOverlap: 400 }).expect(400);
    expect(overlap.body.error.details.issues[0].path).toBe('chunkOverlap');
    await t.http.patch(`/api/v1/assistants/${a.id}`).set(auth(admin)).send({}).expect(400);
    await t.http.patch(`/api/v1/assistants/${a.id}`).set(auth(admin)).send({ name: '' }).expect(400);
    await t.http.patch(`/api/v1/assistants/${a.id}`).set(auth(admin)).send({ createdById: admin.user.id }).expect(400);
    await t.http.patch(`/api/v1/assistants/${a.id}`).set(auth(admin)).send({ groupIds: ['00000000-0000-4000-8000-000000000000'] }).expect(400);
  });

  it('lets a manager change groups they manage only, and never remove groups they do not manage', async () => {
    const second = await createGroupRecord(t.prisma, 'second-managed', [{ userId: manager.user.id, role: 'manager' }]);
    // Shared by an admin with a group the manager runs and one they do not.
    const a = await create(admin, { groupIds: [managed.id, foreign.id] });

    const sneaky = await t.http.patch(`/api/v1/assistants/${a.id}`).set(auth(manager)).send({ groupIds: [managed.id] }).expect(403);
    expect(sneaky.body.error.details).toEqual({ groupIds: [foreign.id] });
    await t.http.patch(`/api/v1/assistants/${a.id}`).set(auth(manager)).send({ groupIds: [managed.id, foreign.id, (await createGroupRecord(t.prisma)).id] }).expect(403);

    const ok = await t.http.patch(`/api/v1/assistants/${a.id}`).set(auth(manager)).send({ description: 'Ours', groupIds: [foreign.id, second.id, managed.id] }).expect(200);
    expect([...ok.body.groupIds].sort()).toEqual([managed.id, foreign.id, second.id].sort());
    const [entry] = await auditOf(a.id, 'assistant.update');
    expect(entry).toMatchObject({ actorId: manager.user.id, oldValues: { description: '' }, newValues: { description: 'Ours', groupIds: [managed.id, foreign.id, second.id].sort() } });

    // An assistant of groups the manager has nothing to do with is not even found.
    const elsewhere = await create(admin, { groupIds: [(await createGroupRecord(t.prisma)).id] });
    await t.http.patch(`/api/v1/assistants/${elsewhere.id}`).set(auth(manager)).send({ description: 'x' }).expect(404);
    await t.http.delete(`/api/v1/assistants/${elsewhere.id}`).set(auth(manager)).expect(404);
    await t.http.post('/api/v1/assistants').set(auth(manager)).send({ name: 'Sneaky', groupIds: [foreign.id] }).expect(403);
  });

  it('refuses staff every change, and shows them no prompt, tuning or sharing', async () => {
    const a = await create(manager, { instructions: 'Secret prompt', groupIds: [managed.id], topK: 3 });
    await t.http.post('/api/v1/assistants').set(auth(member)).send({ name: 'Mine' }).expect(403);
    await t.http.patch(`/api/v1/assistants/${a.id}`).set(auth(member)).send({ name: 'Mine' }).expect(403);
    await t.http.delete(`/api/v1/assistants/${a.id}`).set(auth(member)).expect(403);
    await t.http.delete(`/api/v1/assistants/${a.id}/avatar`).set(auth(member)).expect(403);

    const seen = (await t.http.get(`/api/v1/assistants/${a.id}`).set(auth(member)).expect(200)).body;
    expect(seen).toMatchObject({ id: a.id, name: 'Helper', avatarUrl: null, model: null, knowledgeOnly: false, can: { manage: false } });
    for (const hidden of ['instructions', 'retrieval', 'groupIds', 'temperature', 'maxTokens', 'modelId']) expect(seen).not.toHaveProperty(hidden);
    expect(JSON.stringify((await t.http.get('/api/v1/assistants').set(auth(member)).expect(200)).body)).not.toContain('Secret prompt');

    const managerView = (await t.http.get(`/api/v1/assistants/${a.id}`).set(auth(manager)).expect(200)).body;
    expect(managerView).toMatchObject({ instructions: 'Secret prompt', retrieval: { topK: 3 }, groupIds: [managed.id], can: { manage: true } });
  });

  it('soft-deletes: the assistant vanishes for everyone and takes no uploads until a manager restores it', async () => {
    const a = await create(manager, { name: 'Doomed', groupIds: [managed.id] });
    await t.http.delete(`/api/v1/assistants/${a.id}`).set(auth(manager)).expect(204);
    expect((await t.prisma.assistant.findUniqueOrThrow({ where: { id: a.id } })).deletedAt).toBeInstanceOf(Date);

    for (const session of [member, manager, admin]) {
      await t.http.get(`/api/v1/assistants/${a.id}`).set(auth(session)).expect(404);
      const listed = await t.http.get('/api/v1/assistants?pageSize=200').set(auth(session)).expect(200);
      expect(listed.body.data.map((x: { id: string }) => x.id)).not.toContain(a.id);
    }
    await uploadVia(t, manager.token, a.id, [{ name: 'notes.txt', content: Buffer.from('Some notes') }]).expect(404);
    await t.http.post(`/api/v1/assistants/${a.id}/search`).set(auth(member)).send({ query: 'notes' }).expect(404);
    await t.http.patch(`/api/v1/assistants/${a.id}`).set(auth(manager)).send({ name: 'Zombie' }).expect(404);
    await t.http.delete(`/api/v1/assistants/${a.id}`).set(auth(manager)).expect(404);

    // The deleted list: the managers who could manage it, and admins; never staff.
    const deletedFor = async (session: Session) =>
      (await t.http.get('/api/v1/assistants?deleted=true&pageSize=200').set(auth(session)).expect(200)).body.data.map((x: { id: string }) => x.id);
    expect(await deletedFor(manager)).toEqual([a.id]);
    expect(await deletedFor(admin)).toContain(a.id);
    expect(await deletedFor(member)).toEqual([]);
    const otherManager = await t.signIn({ role: 'manager' });
    expect(await deletedFor(otherManager)).toEqual([]);
    const [listedDeleted] = (await t.http.get('/api/v1/assistants?deleted=true&q=doomed').set(auth(admin)).expect(200)).body.data;
    expect(listedDeleted).toMatchObject({ id: a.id, deletedAt: expect.any(String), can: { manage: true } });

    await t.http.post(`/api/v1/assistants/${a.id}/restore`).set(auth(member)).expect(404);
    await t.http.post(`/api/v1/assistants/${a.id}/restore`).set(auth(otherManager)).expect(404);
    const restored = await t.http.post(`/api/v1/assistants/${a.id}/restore`).set(auth(manager)).expect(200);
    expect(restored.body).toMatchObject({ id: a.id, deletedAt: null });
    await t.http.get(`/api/v1/assistants/${a.id}`).set(auth(member)).expect(200);
    await uploadVia(t, manager.token, a.id, [{ name: 'notes.txt', content: Buffer.from('Some notes') }]).expect(201);
    // Restoring again changes nothing and writes no entry.
    await t.http.post(`/api/v1/assistants/${a.id}/restore`).set(auth(admin)).expect(200);

    const [deletion] = await auditOf(a.id, 'assistant.delete');
    expect(deletion).toMatchObject({ actorId: manager.user.id, oldValues: { deletedAt: null }, newValues: { deletedAt: expect.any(String) } });
    const restorations = await auditOf(a.id, 'assistant.restore');
    expect(restorations).toHaveLength(1);
    expect(restorations[0]).toMatchObject({ actorId: manager.user.id, oldValues: { deletedAt: expect.any(String) }, newValues: { deletedAt: null } });
    expect((await t.http.get('/api/v1/audit/verify').set(auth(admin)).expect(200)).body.ok).toBe(true);
  });

  it('lets an admin delete and restore any assistant', async () => {
    const a = await create(manager, { groupIds: [managed.id] });
    await t.http.delete(`/api/v1/assistants/${a.id}`).set(auth(admin)).expect(204);
    await t.http.post(`/api/v1/assistants/${a.id}/restore`).set(auth(admin)).expect(200);
    expect((await auditOf(a.id, 'assistant.delete'))[0]?.actorId).toBe(admin.user.id);
  });
});
