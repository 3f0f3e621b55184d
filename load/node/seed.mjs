// What the virtual users need before the clock starts: an assistant with a
// small knowledge file (so answers run retrieval, as in real use), a group
// that may use it, and one account per virtual user with its own
// conversation, logged in with a password it set itself.
import fs from 'node:fs';
import { call } from './client.mjs';
import { sleep } from './stack.mjs';

const KNOWLEDGE = new URL('../../tests/fixtures/documents/misc/unstructured__norwich-city.txt', import.meta.url);
export const QUESTION = 'Which football club plays at Carrow Road and what is its nickname?';

/** Uploads the knowledge file to an assistant and waits until it is indexed (failed or late: an error). */
export async function uploadKnowledge(api, token, assistantId, { timeoutMs = 120_000 } = {}) {
  const form = new FormData();
  form.append('files', new Blob([fs.readFileSync(KNOWLEDGE)]), 'norwich.txt');
  const upload = await fetch(`${api}/api/v1/assistants/${assistantId}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form, signal: AbortSignal.timeout(30_000) });
  if (!upload.ok) throw new Error(`knowledge upload: ${upload.status} ${await upload.text()}`);
  const fileId = (await upload.json()).files[0].id;
  for (let status = '', until = Date.now() + timeoutMs; status !== 'ready'; ) {
    if (Date.now() > until) throw new Error(`knowledge file not ready within ${timeoutMs / 1000} s`);
    await sleep(200);
    status = (await call(api, 'GET', `/api/v1/assistants/${assistantId}/files/${fileId}`, { token })).status;
    if (status === 'failed') throw new Error('knowledge file failed to index');
  }
}

export async function seedAssistant(api, admin) {
  const { accessToken: token } = await call(api, 'POST', '/api/v1/auth/login', { body: admin });
  const assistant = await call(api, 'POST', '/api/v1/assistants', { token, body: { name: 'Load test', instructions: 'Answer briefly.' } });
  await uploadKnowledge(api, token, assistant.id);
  const group = await call(api, 'POST', '/api/v1/groups', { token, body: { name: 'Load users' } });
  await call(api, 'PATCH', `/api/v1/assistants/${assistant.id}`, { token, body: { groupIds: [group.id] } });
  return { token, assistantId: assistant.id, groupId: group.id };
}

async function createUser(api, seed, label, i) {
  const { token, groupId, assistantId } = seed;
  const created = await call(api, 'POST', '/api/v1/users', { token, body: { email: `${label}-${i}@example.com`, name: `${label} ${i}`, role: 'user' } });
  await call(api, 'PUT', `/api/v1/groups/${groupId}/members/${created.id}`, { token, body: { role: 'member' } });
  const temporary = await call(api, 'POST', '/api/v1/auth/login', { body: { email: created.email, password: created.temporaryPassword } });
  const session = await call(api, 'POST', '/api/v1/me/password', { token: temporary.accessToken, body: { currentPassword: created.temporaryPassword, newPassword: `${label} load password ${i} long enough` } });
  const conversation = await call(api, 'POST', '/api/v1/conversations', { token: session.accessToken, body: { assistantId } });
  return { token: session.accessToken, conversationId: conversation.id };
}

/** `count` users named after the scenario, created ten at a time. */
export async function createUsers(api, seed, label, count) {
  const users = [];
  for (let i = 0; i < count; i += 10) {
    users.push(...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => createUser(api, seed, label, i + j)))));
  }
  return users;
}

/** Gives each user's conversation one answered question, all at once. */
export async function answerOnce(api, users) {
  await Promise.all(users.map((u) => call(api, 'POST', `/api/v1/conversations/${u.conversationId}/messages`, { token: u.token, body: { content: QUESTION } })));
}
