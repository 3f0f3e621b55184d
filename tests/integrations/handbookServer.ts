import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChatServer, uploadAndWait, type ChatTestServer } from '../support/chatServer.js';

// What the integration tests share: a real chat server with an admin, a member
// of staff, an "HR handbook" assistant shared with the staff member's group and
// holding a real indexed text file, and a "Board room" assistant they may not use.

export interface HandbookServer {
  t: ChatTestServer;
  admin: { id: string; token: string };
  staff: { id: string; token: string };
  assistantId: string;
  hiddenId: string;
  close(): Promise<void>;
}

export async function startHandbookServer(handbook: string): Promise<HandbookServer> {
  const t = await startChatServer();
  const admin = await t.login({ role: 'admin' });
  const staff = await t.login({ role: 'user' });
  const group = await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Staff' });
  await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${staff.id}`, { role: 'member' });
  const assistant = { name: 'HR handbook', description: 'HR policies', instructions: 'You answer questions about HR policies.', groupIds: [group.body.id] };
  const assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', assistant)).body.id as string;
  const hiddenId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Board room', instructions: 'Secret.' })).body.id as string;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-handbook-'));
  fs.writeFileSync(path.join(tmp, 'handbook.txt'), handbook);
  const status = await uploadAndWait(t, admin.token, assistantId, path.join(tmp, 'handbook.txt'));
  if (status !== 'ready') throw new Error(`handbook not indexed: ${status}`);
  return {
    t,
    admin,
    staff,
    assistantId,
    hiddenId,
    async close() {
      await t.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
