import { fileURLToPath } from 'node:url';
import { eventually, readEvents, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// MCP servers that run as commands on the host: only the operator declares
// them (MCP_STDIO_SERVERS); the console and API see them, choose who may use
// them and which tools, but cannot add one, point it elsewhere or delete it.
// Atrium starts the declared command (a real SDK server over stdio) for each
// session, with the declared environment.

const script = fileURLToPath(new URL('./stdioToolServer.mjs', import.meta.url));

describe(`stdio tool servers declared by the operator (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let user: { id: string; token: string };
  let group: string;
  let assistantId: string;
  let server: { id: string; transport: string; command: string; url: string };

  beforeAll(async () => {
    const declared = [{ name: 'Text tools', command: process.execPath, args: [script], env: { TEXT_TOOLS_GREETING: 'hello from the operator' } }];
    t = await startChatServer({ CHAT_TITLES: 'false', MCP_STDIO_SERVERS: JSON.stringify(declared) });
    admin = await t.login({ role: 'admin' });
    user = await t.login({ role: 'user' });
    group = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Writers' })).body.id;
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group}/members/${user.id}`, { role: 'member' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Editor', groupIds: [group] })).body.id;
  }, 120_000);
  afterAll(() => t?.close());

  it('lists the declared server with its command, offering nothing until an admin chooses groups and assistants', async () => {
    const listed = (await t.json(admin.token, 'GET', '/api/v1/tool-servers')).body;
    expect(listed).toEqual([expect.objectContaining({ name: 'Text tools', transport: 'stdio', command: `${process.execPath} ${script}`, groupIds: [], assistantIds: [] })]);
    expect(JSON.stringify(listed)).not.toContain('hello from the operator');
    server = listed[0];
    const tested = await t.json(admin.token, 'POST', `/api/v1/tool-servers/${server.id}/test`);
    expect(tested.body).toMatchObject({ ok: true, tools: [expect.objectContaining({ name: 'word_count', enabled: true })] });
  });

  it('refuses to change what the operator declared, or to delete it, but lets admins choose who uses it', async () => {
    for (const body of [{ url: 'http://127.0.0.1:9/mcp' }, { name: 'Renamed' }, { headers: { 'X-Api-Key': 'k' } }]) {
      const res = await t.json(admin.token, 'PATCH', `/api/v1/tool-servers/${server.id}`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await t.json(admin.token, 'DELETE', `/api/v1/tool-servers/${server.id}`)).status).toBe(409);
    const chosen = await t.json(admin.token, 'PATCH', `/api/v1/tool-servers/${server.id}`, { groupIds: [group], assistantIds: [assistantId] });
    expect(chosen.status).toBe(200);
  });

  it('runs the declared command for a tool call, with the declared environment', async () => {
    const conversationId = (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    t.openai.chat.script({ text: '', toolCalls: [{ name: 'Text_tools__word_count', arguments: { text: 'one two three four' } }] }, { text: 'Four words.' });
    const events = await readEvents(await t.api(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'Count: one two three four' }, { accept: 'text/event-stream' }));
    const offered = (t.openai.chatRequests().at(-2)!.body.tools ?? []).map((tool) => tool.function.name);
    expect(offered).toEqual(['Text_tools__word_count']);
    const message = events.at(-1)!.data.message;
    expect(message).toMatchObject({ status: 'complete', content: 'Four words.' });
    expect(message.toolCalls[0]).toMatchObject({ tool: 'Text_tools__word_count', displayName: 'word_count', server: 'Text tools', status: 'done' });
    expect(message.toolCalls[0].result).toMatch(/^4 words \(pid \d+, hello from the operator\)$/);
    // A separate process ran it, and it is gone after the session.
    const pid = Number(/pid (\d+)/.exec(message.toolCalls[0].result)![1]);
    expect(pid).not.toBe(process.pid);
    const gone = () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    await eventually(gone, Boolean, 5_000);
  });

  it('cannot be added through the API: only HTTP URLs are accepted', async () => {
    const res = await t.json(admin.token, 'POST', '/api/v1/tool-servers', { name: 'Shell', url: 'stdio:/bin/sh' });
    expect(res.status).toBe(400);
  });
});
