import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGroupRecord, createUserRecord, DEFAULT_PASSWORD, uniqueEmail } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// Every operation in the OpenAPI document, probed as nobody, as staff, as a
// manager and as an admin, with a valid request so that access is the only
// reason to refuse. A route missing from this table fails the first test.

type Role = 'anonymous' | 'user' | 'manager' | 'admin';
interface Ids { self: string; other: string; managedGroup: string; otherGroup: string; member: string; assistant: string; file: string }
interface Probe {
  path: (ids: Ids) => string;
  body?: () => object;
  /** Sent as a multipart upload instead of JSON. */
  upload?: true;
  expect: Record<Exclude<Role, 'anonymous'>, number>;
}

const PUBLIC = new Set(['post /api/v1/auth/login', 'post /api/v1/auth/refresh', 'post /api/v1/auth/logout']);

// Ordered: destructive calls and the password change (which ends the session) come last.
const probes: Record<string, Probe> = {
  'get /api/v1/me': { path: () => '/api/v1/me', expect: { user: 200, manager: 200, admin: 200 } },
  'patch /api/v1/me': { path: () => '/api/v1/me', body: () => ({ name: 'Renamed' }), expect: { user: 200, manager: 200, admin: 200 } },
  'get /api/v1/users': { path: () => '/api/v1/users', expect: { user: 403, manager: 403, admin: 200 } },
  'post /api/v1/users': { path: () => '/api/v1/users', body: () => ({ email: uniqueEmail(), name: 'New', role: 'user' }), expect: { user: 403, manager: 403, admin: 201 } },
  'get /api/v1/users/{id}': { path: (i) => `/api/v1/users/${i.other}`, expect: { user: 404, manager: 404, admin: 200 } },
  'patch /api/v1/users/{id}': { path: (i) => `/api/v1/users/${i.other}`, body: () => ({ name: 'Changed' }), expect: { user: 403, manager: 403, admin: 200 } },
  'post /api/v1/users/{id}/reset-password': { path: (i) => `/api/v1/users/${i.other}/reset-password`, body: () => ({}), expect: { user: 403, manager: 403, admin: 200 } },
  'get /api/v1/groups': { path: () => '/api/v1/groups', expect: { user: 403, manager: 200, admin: 200 } },
  'post /api/v1/groups': { path: () => '/api/v1/groups', body: () => ({ name: `g-${Math.random()}` }), expect: { user: 403, manager: 403, admin: 201 } },
  'get /api/v1/groups/{id}': { path: (i) => `/api/v1/groups/${i.otherGroup}`, expect: { user: 404, manager: 404, admin: 200 } },
  'patch /api/v1/groups/{id}': { path: (i) => `/api/v1/groups/${i.managedGroup}`, body: () => ({ description: 'x' }), expect: { user: 403, manager: 403, admin: 200 } },
  'put /api/v1/groups/{id}/members/{userId}': { path: (i) => `/api/v1/groups/${i.managedGroup}/members/${i.other}`, body: () => ({ role: 'member' }), expect: { user: 403, manager: 403, admin: 204 } },
  'delete /api/v1/groups/{id}/members/{userId}': { path: (i) => `/api/v1/groups/${i.managedGroup}/members/${i.member}`, expect: { user: 403, manager: 403, admin: 204 } },
  'post /api/v1/assistants': { path: () => '/api/v1/assistants', body: () => ({ name: 'Probe' }), expect: { user: 403, manager: 201, admin: 201 } },
  'get /api/v1/assistants': { path: () => '/api/v1/assistants', expect: { user: 200, manager: 200, admin: 200 } },
  'get /api/v1/assistants/{id}': { path: (i) => `/api/v1/assistants/${i.assistant}`, expect: { user: 200, manager: 200, admin: 200 } },
  'post /api/v1/assistants/{id}/files': { path: (i) => `/api/v1/assistants/${i.assistant}/files`, upload: true, expect: { user: 403, manager: 201, admin: 201 } },
  'get /api/v1/assistants/{id}/files': { path: (i) => `/api/v1/assistants/${i.assistant}/files`, expect: { user: 403, manager: 200, admin: 200 } },
  'get /api/v1/assistants/{id}/files/{fileId}': { path: (i) => `/api/v1/assistants/${i.assistant}/files/${i.file}`, expect: { user: 403, manager: 200, admin: 200 } },
  'get /api/v1/assistants/{id}/files/{fileId}/download': { path: (i) => `/api/v1/assistants/${i.assistant}/files/${i.file}/download`, expect: { user: 403, manager: 200, admin: 200 } },
  'post /api/v1/assistants/{id}/files/{fileId}/reindex': { path: (i) => `/api/v1/assistants/${i.assistant}/files/${i.file}/reindex`, expect: { user: 403, manager: 202, admin: 202 } },
  'post /api/v1/assistants/{id}/search': { path: (i) => `/api/v1/assistants/${i.assistant}/search`, body: () => ({ query: 'anything' }), expect: { user: 200, manager: 200, admin: 200 } },
  'delete /api/v1/assistants/{id}/files/{fileId}': { path: (i) => `/api/v1/assistants/${i.assistant}/files/${i.file}`, expect: { user: 403, manager: 204, admin: 204 } },
  'get /api/v1/audit': { path: () => '/api/v1/audit', expect: { user: 403, manager: 403, admin: 200 } },
  'get /api/v1/audit/verify': { path: () => '/api/v1/audit/verify', expect: { user: 403, manager: 403, admin: 200 } },
  'delete /api/v1/groups/{id}': { path: (i) => `/api/v1/groups/${i.otherGroup}`, expect: { user: 403, manager: 403, admin: 204 } },
  'post /api/v1/me/password': { path: () => '/api/v1/me/password', body: () => ({ currentPassword: DEFAULT_PASSWORD, newPassword: 'another good secret 8' }), expect: { user: 200, manager: 200, admin: 200 } },
};

describe(`access rules on every endpoint (${engineName})`, () => {
  let t: TestApp;
  let uploadsDir: string;
  beforeAll(async () => {
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-access-'));
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000', UPLOADS_DIR: uploadsDir });
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
    const file = await t.prisma.knowledgeFile.create({
      data: { assistantId: assistant.id, originalName: 'handbook.txt', mimeType: 'text/plain', sizeBytes: 13n, sha256: 'a'.repeat(64), storagePath: stored, status: 'ready' },
    });
    const ids: Ids = { self: session?.user.id ?? other.id, other: other.id, managedGroup: managedGroup.id, otherGroup: otherGroup.id, member: member.id, assistant: assistant.id, file: file.id };
    return { ids, token: session?.token };
  }

  async function call(op: string, probe: Probe, ids: Ids, token?: string) {
    const [method] = op.split(' ') as ['get' | 'post' | 'put' | 'patch' | 'delete'];
    let req = t.http[method](probe.path(ids));
    if (token) req = req.set('Authorization', `Bearer ${token}`);
    if (probe.upload) return req.attach('files', Buffer.from(`probe upload ${Math.random()}`), 'probe.txt');
    return probe.body ? req.send(probe.body()) : req;
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
