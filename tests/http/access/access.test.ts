import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGroupRecord, createUserRecord, ownKnowledgeBaseRecord } from '../../support/factories.js';
import { createTestApp, type TestApp } from '../../support/testApp.js';
import { engineName } from '../../support/testDb.js';
import type { BaseIds, Ids, Probe, ProbeArea, Role } from './probe.js';

// Every operation in the OpenAPI document, probed as nobody, as staff, as a
// manager and as an admin, with a valid request so that access is the only
// reason to refuse. The probes come from every `*.probes.ts` module beside this
// file (see probe.ts); a route missing from all of them fails the first test.

const PUBLIC = new Set(['post /api/v1/auth/login', 'post /api/v1/auth/refresh', 'post /api/v1/auth/logout']);
// Identity: the steps of single sign-on, which run before anyone has a token.
['get /api/v1/auth/oidc/config', 'get /api/v1/auth/oidc/login', 'get /api/v1/auth/oidc/callback', 'post /api/v1/auth/oidc/logout'].forEach((op) => PUBLIC.add(op));

const here = path.dirname(fileURLToPath(import.meta.url));
const areas: ProbeArea[] = (
  await Promise.all(
    fs
      .readdirSync(here)
      .filter((f) => f.endsWith('.probes.ts'))
      .map(async (f) => ((await import(path.join(here, f))) as { default: ProbeArea }).default),
  )
).sort((a, b) => (a.order ?? 50) - (b.order ?? 50));

const probes: Record<string, Probe> = {};
for (const area of areas) {
  for (const [op, probe] of Object.entries(area.probes)) {
    if (probes[op]) throw new Error(`Two probe modules define ${op}`);
    probes[op] = probe;
  }
}
for (const area of areas) area.public?.forEach((op) => PUBLIC.add(op));

describe(`access rules on every endpoint (${engineName})`, () => {
  let t: TestApp;
  let uploadsDir: string;
  beforeAll(async () => {
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-access-'));
    // MASTER_KEY: storing provider API keys needs one.
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000', UPLOADS_DIR: uploadsDir, MASTER_KEY: randomBytes(32).toString('base64') });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
  });

  it('has a probe for every operation the API documents', async () => {
    const doc = (await t.http.get('/api/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.filter((op) => !PUBLIC.has(op)).sort()).toEqual(Object.keys(probes).sort());
  });

  async function fixture(role: Exclude<Role, 'anonymous'> | 'anonymous') {
    const other = await createUserRecord(t.prisma);
    const member = await createUserRecord(t.prisma);
    const session = role === 'anonymous' ? undefined : await t.signIn({ role });
    const managedGroup = await createGroupRecord(t.prisma, undefined, [
      ...(session ? [{ userId: session.user.id, role: 'manager' as const }] : []),
      { userId: member.id },
    ]);
    const otherGroup = await createGroupRecord(t.prisma);
    // An assistant shared with the group the actor manages (a staff actor is merely a member in effect).
    const assistant = await t.prisma.assistant.create({ data: { name: 'Shared', groups: { create: [{ groupId: managedGroup.id }] } } });
    const stored = path.join(assistant.id, 'original');
    fs.mkdirSync(path.join(uploadsDir, assistant.id), { recursive: true });
    fs.writeFileSync(path.join(uploadsDir, stored), 'Handbook text');
    const knowledgeBase = await ownKnowledgeBaseRecord(t.prisma, assistant.id);
    const file = await t.prisma.knowledgeFile.create({
      data: { knowledgeBaseId: knowledgeBase.id, originalName: 'handbook.txt', mimeType: 'text/plain', sizeBytes: 13n, sha256: 'a'.repeat(64), storagePath: stored, status: 'ready' },
    });
    const base: BaseIds = { self: session?.user.id ?? other.id, other: other.id, managedGroup: managedGroup.id, otherGroup: otherGroup.id, member: member.id, assistant: assistant.id, file: file.id };
    const ids: Ids = { ...base };
    for (const area of areas) Object.assign(ids, await area.setup?.({ prisma: t.prisma, role, ids: base, uploadsDir }));
    return { ids, token: session?.token };
  }

  async function call(op: string, probe: Probe, ids: Ids, token?: string) {
    const [method] = op.split(' ') as ['get' | 'post' | 'put' | 'patch' | 'delete'];
    let req = t.http[method](probe.path(ids));
    if (token) req = req.set('Authorization', `Bearer ${token}`);
    if (probe.upload) {
      const file = probe.uploadFile?.() ?? { content: Buffer.from(`probe upload ${Math.random()}`), name: 'probe.txt' };
      return req.attach(probe.upload, file.content, file.name);
    }
    return probe.body ? req.send(probe.body(ids)) : req;
  }

  it('refuses every protected operation without a token, with the error shape', async () => {
    const { ids } = await fixture('anonymous');
    for (const [op, probe] of Object.entries(probes)) {
      const res = await call(op, probe, ids);
      expect({ op, status: res.status, code: res.body?.error?.code }).toEqual({ op, status: 401, code: 'unauthenticated' });
    }
  });

  it.each(['user', 'manager', 'admin'] as const)('answers a %s exactly as the policies say', async (role) => {
    const { ids, token } = await fixture(role);
    const seen: Record<string, number> = {};
    const expected: Record<string, number> = {};
    for (const [op, probe] of Object.entries(probes)) {
      const res = await call(op, probe, ids, token);
      seen[op] = res.status;
      expected[op] = probe.expect[role];
      if (res.status >= 400) expect(res.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
    }
    expect(seen).toEqual(expected);
  });

  it('lets a manager list only the groups they manage', async () => {
    const { ids, token } = await fixture('manager');
    const res = await t.http.get('/api/v1/groups?pageSize=200').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.body.data.map((g: { id: string }) => g.id)).toEqual([ids.managedGroup]);
    const one = await t.http.get(`/api/v1/groups/${ids.managedGroup}`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(one.body.members.map((m: { userId: string }) => m.userId)).toContain(ids.member);
  });

  it('lets anyone read their own user record but nobody else’s', async () => {
    const { ids, token } = await fixture('user');
    await t.http.get(`/api/v1/users/${ids.self}`).set('Authorization', `Bearer ${token}`).expect(200);
    await t.http.get(`/api/v1/users/${ids.other}`).set('Authorization', `Bearer ${token}`).expect(404);
  });
});
