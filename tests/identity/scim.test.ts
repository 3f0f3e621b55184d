import { emitWithAck, eventually, record, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// SCIM 2.0 provisioning, replaying the request sequences Entra ID and Okta
// send (as their documentation and validators show them) against the real
// server, then checking that deprovisioning ends a person's access at once.

const SCIM = '/api/scim/v2';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe(`SCIM provisioning (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: { id: string; token: string };

  const token = async (name: string) => (await t.json(admin.token, 'POST', '/api/v1/identity/scim-tokens', { name })).body as { id: string; token: string };
  const scim = async (bearer: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.url}${SCIM}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
  };
  const audit = (actorEmail: string) => t.server.services.prisma.auditLog.findMany({ where: { actorEmail }, orderBy: { id: 'asc' } });

  beforeAll(async () => {
    t = await startChatServer();
    admin = await t.login({ role: 'admin' });
  }, 120_000);
  afterAll(() => t.close());

  it('serves the discovery documents and refuses requests without a live token, in SCIM’s error shape', async () => {
    const { token: bearer } = await token('Discovery');
    const config = await scim(bearer, 'GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.type).toMatch(/application\/scim\+json/);
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, bulk: { supported: false } });
    expect((await scim(bearer, 'GET', '/ResourceTypes')).body.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    expect((await scim(bearer, 'GET', '/Schemas')).body.totalResults).toBe(2);

    for (const wrong of ['', 'scim_not-a-token', admin.token]) {
      const res = await scim(wrong, 'GET', '/Users');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    }
    expect((await scim(bearer, 'GET', '/Users?filter=name.givenName sw "A"')).body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
  });

  it('replays Entra ID: find, create, update, deactivate ("False"), delete a user; a group with members', async () => {
    const { token: bearer } = await token('Entra ID');
    const userName = 'Test_User_ab6490ee@contoso.com';
    expect((await scim(bearer, 'GET', `/Users?filter=userName eq "${userName}"`)).body).toMatchObject({ totalResults: 0, Resources: [] });

    const created = await scim(bearer, 'POST', '/Users', {
      schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@contoso.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ userName: userName.toLowerCase(), active: true, externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', name: { givenName: 'givenName' } });
    const id = created.body.id as string;
    expect((await scim(bearer, 'POST', '/Users', { schemas: [USER_SCHEMA], userName, active: true })).body).toMatchObject({ status: '409', scimType: 'uniqueness' });

    const byExternal = await scim(bearer, 'GET', '/Users?filter=externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"');
    expect(byExternal.body.Resources.map((u: { id: string }) => u.id)).toEqual([id]);
    expect((await scim(bearer, 'GET', `/Users?filter=userName eq "${userName.toUpperCase()}"`)).body.totalResults).toBe(1);

    const updated = await scim(bearer, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH_SCHEMA],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@contoso.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        { op: 'Add', path: 'title', value: 'Engineer' },
      ],
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ userName: 'updatedemail@contoso.com', displayName: 'givenName updatedFamilyName' });

    const disabled = await scim(bearer, 'PATCH', `/Users/${id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(disabled.body.active).toBe(false);
    expect((await scim(bearer, 'PATCH', `/Users/${id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] })).body.active).toBe(true);

    // Groups: look up, create, add and remove a member, rename, delete.
    expect((await scim(bearer, 'GET', '/Groups?excludedAttributes=members&filter=displayName eq "Entra Sales"')).body.totalResults).toBe(0);
    const group = await scim(bearer, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'Entra Sales', meta: { resourceType: 'Group' }, members: [] });
    expect(group.status).toBe(201);
    const gid = group.body.id as string;
    await scim(bearer, 'PATCH', `/Groups/${gid}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Add', path: 'members', value: [{ value: id }] }] });
    expect((await scim(bearer, 'GET', `/Groups/${gid}`)).body.members.map((m: { value: string }) => m.value)).toEqual([id]);
    expect((await scim(bearer, 'GET', `/Groups/${gid}?excludedAttributes=members`)).body.members).toBeUndefined();
    await scim(bearer, 'PATCH', `/Groups/${gid}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Remove', path: 'members', value: [{ value: id }] }] });
    const renamed = await scim(bearer, 'PATCH', `/Groups/${gid}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', path: 'displayName', value: 'Entra Sales EMEA' }] });
    expect(renamed.body).toMatchObject({ displayName: 'Entra Sales EMEA', members: [] });
    expect((await scim(bearer, 'DELETE', `/Groups/${gid}`)).status).toBe(204);
    expect((await scim(bearer, 'GET', `/Groups/${gid}`)).status).toBe(404);

    // DELETE deactivates: the account and its history stay.
    expect((await scim(bearer, 'DELETE', `/Users/${id}`)).status).toBe(204);
    const row = await t.server.services.prisma.user.findUniqueOrThrow({ where: { id } });
    expect(row.active).toBe(false);

    const actions = (await audit('scim:Entra ID')).map((a) => a.action);
    expect(actions).toEqual([
      'scim.user_create',
      'scim.user_update',
      'scim.user_deactivate',
      'scim.user_reactivate',
      'scim.group_create',
      'scim.group_update',
      'scim.group_update',
      'scim.group_update',
      'scim.group_delete',
      'scim.user_deactivate',
    ]);
  });

  it('replays Okta: create, replace, deactivate without a path; groups with members[value eq] removal; manual members kept', async () => {
    const { token: bearer } = await token('Okta');
    expect((await scim(bearer, 'GET', '/Users?filter=userName%20eq%20%22jane.doe%40example.com%22&startIndex=1&count=100')).body.totalResults).toBe(0);
    const created = await scim(bearer, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'jane.doe@example.com',
      name: { givenName: 'Jane', familyName: 'Doe' },
      emails: [{ primary: true, value: 'jane.doe@example.com', type: 'work' }],
      displayName: 'Jane Doe',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await scim(bearer, 'GET', `/Users/${id}`)).body).toMatchObject({ displayName: 'Jane Doe', active: true });

    const replaced = await scim(bearer, 'PUT', `/Users/${id}`, {
      schemas: [USER_SCHEMA],
      id,
      userName: 'jane.doe@example.com',
      name: { givenName: 'Jane', familyName: 'Smith' },
      emails: [{ primary: true, value: 'jane.doe@example.com', type: 'work' }],
      displayName: 'Jane Smith',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
    });
    expect(replaced.body).toMatchObject({ displayName: 'Jane Smith' });

    const other = await t.login({ email: 'manual.member@example.com' });
    const group = await scim(bearer, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Okta Engineering', members: [{ value: id, display: 'jane.doe@example.com' }] });
    const gid = group.body.id as string;
    // An admin adds someone by hand; what Okta sends later must not remove them.
    expect((await t.api(admin.token, 'PUT', `/api/v1/groups/${gid}/members/${other.id}`, { role: 'member' })).status).toBe(204);

    await scim(bearer, 'PATCH', `/Groups/${gid}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', value: { id: gid, displayName: 'Okta Platform' } }] });
    await scim(bearer, 'PATCH', `/Groups/${gid}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] });
    await scim(bearer, 'PATCH', `/Groups/${gid}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'remove', path: `members[value eq "${other.id}"]` }] });
    let seen = (await scim(bearer, 'GET', `/Groups/${gid}`)).body;
    expect(seen).toMatchObject({ displayName: 'Okta Platform' });
    expect(seen.members.map((m: { value: string }) => m.value)).toEqual([other.id]);

    await scim(bearer, 'PATCH', `/Groups/${gid}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'add', path: 'members', value: [{ value: id, display: 'jane.doe@example.com' }] }] });
    await scim(bearer, 'PUT', `/Groups/${gid}`, { schemas: [GROUP_SCHEMA], id: gid, displayName: 'Okta Platform', members: [] });
    seen = (await scim(bearer, 'GET', `/Groups/${gid}`)).body;
    expect(seen.members.map((m: { value: string }) => m.value)).toEqual([other.id]);
    const memberships = await t.server.services.prisma.groupMembership.findMany({ where: { groupId: gid } });
    expect(memberships.map((m) => [m.userId, m.source])).toEqual([[other.id, 'manual']]);

    const off = await scim(bearer, 'PATCH', `/Users/${id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(off.body.active).toBe(false);
    expect((await audit('scim:Okta')).map((a) => a.action)).toContain('scim.user_deactivate');
  });

  it('ends a deactivated person’s access at once: REST, refresh, socket, and the answer being written', async () => {
    const { token: bearer } = await token('Entra deprovisioning');
    const person = await t.login({ role: 'admin', email: 'leaver@example.com' });
    const login = await fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'leaver@example.com', password: 'correct horse battery 42' }) });
    const refreshCookie = login.headers.getSetCookie().find((c) => c.startsWith('atrium_refresh='))!.split(';')[0]!;

    const assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Leaver' })).body.id as string;
    const conversationId = (await t.json(person.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    const socket = await t.socket(person.token);
    const seen = record(socket, ['chat:chunk', 'chat:done']);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    t.openai.chat.script({ text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '), chunkDelayMs: 30 });
    await emitWithAck(socket, 'chat:send', { conversationId, content: 'a long answer please' });
    await eventually(() => seen.filter((e) => e.name === 'chat:chunk').length >= 2);

    const res = await scim(bearer, 'PATCH', `/Users/${person.id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(res.body.active).toBe(false);

    expect(await disconnected).toBe('io server disconnect');
    const stored = await eventually(
      () => t.server.services.prisma.message.findFirst({ where: { conversationId, role: 'assistant' } }),
      (m) => m !== null && m.status !== 'streaming',
    );
    expect(stored!.status).toBe('stopped');
    expect(stored!.content.split(' ').length).toBeLessThan(200);
    expect((await t.api(person.token, 'GET', '/api/v1/me')).status).toBe(401);
    const refresh = await fetch(`${t.url}/api/v1/auth/refresh`, { method: 'POST', headers: { cookie: refreshCookie } });
    expect(refresh.status).toBe(401);
    await expect(t.socket(person.token)).rejects.toMatchObject({ data: { code: 'unauthenticated' } });
  });

  it('rotates and revokes tokens: the old secret stops working at once', async () => {
    const created = await token('Rotating');
    expect((await scim(created.token, 'GET', '/Users')).status).toBe(200);
    const list = await t.json(admin.token, 'GET', '/api/v1/identity/scim-tokens');
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    const rotated = await t.json(admin.token, 'POST', `/api/v1/identity/scim-tokens/${created.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect((await scim(created.token, 'GET', '/Users')).status).toBe(401);
    expect((await scim(rotated.body.token, 'GET', '/Users')).status).toBe(200);
    expect((await t.api(admin.token, 'DELETE', `/api/v1/identity/scim-tokens/${created.id}`)).status).toBe(204);
    expect((await scim(rotated.body.token, 'GET', '/Users')).status).toBe(401);
    const stored = await t.server.services.prisma.scimToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.tokenHash).not.toContain(rotated.body.token);
  });
});
