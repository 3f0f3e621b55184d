import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { eventually, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';
import { startHandbookServer, type HandbookServer } from './handbookServer.js';

// LangChain's ChatOpenAI as a second real client of the OpenAI-compatible API:
// pointed at /api/openai/v1 with a personal access token, it gets an
// assistant's answer (with the assistant's instructions and retrieval) both
// whole and streamed.

describe(`OpenAI-compatible API through LangChain's ChatOpenAI (${engineName})`, () => {
  let server: HandbookServer;
  let t: ChatTestServer;
  let chat: ChatOpenAI;
  let patId: string;

  beforeAll(async () => {
    server = await startHandbookServer('Holiday policy. Every employee receives twenty-seven days of paid holiday per calendar year.');
    t = server.t;
    const pat = (await t.json(server.staff.token, 'POST', '/api/v1/me/tokens', { name: 'langchain', scopes: ['chat'] })).body;
    patId = pat.id;
    chat = new ChatOpenAI({ model: server.assistantId, apiKey: pat.token, configuration: { baseURL: `${t.url}/api/openai/v1` }, maxRetries: 0 });
  }, 120_000);
  afterAll(() => server.close());

  it('invokes an assistant and gets its answer with token usage', async () => {
    t.openai.chat.script({ text: 'Twenty-seven days [1].' });
    const before = t.openai.chatRequests().length;
    const reply = await chat.invoke([new SystemMessage('Ignored: the assistant has its own.'), new HumanMessage('How many holiday days do I get?')]);
    expect(reply.content).toBe('Twenty-seven days [1].');
    expect(reply.usage_metadata).toMatchObject({ output_tokens: expect.any(Number), input_tokens: expect.any(Number) });
    // The assistant's instructions and the retrieved passage reached the model, the caller's system message did not.
    const sent = t.openai.chatRequests().slice(before).at(-1)!.body;
    expect(sent.messages[0]!.content).toContain('You answer questions about HR policies.');
    expect(sent.messages[0]!.content).toContain('twenty-seven days');
    expect(JSON.stringify(sent.messages)).not.toContain('Ignored:');
  });

  it('streams an assistant answer chunk by chunk, recorded in usage as an API call', async () => {
    t.openai.chat.script({ text: 'You receive twenty-seven days of paid holiday each year.', chunkDelayMs: 5 });
    const parts: string[] = [];
    for await (const chunk of await chat.stream('How much paid holiday is there?')) parts.push(String(chunk.content));
    expect(parts.filter(Boolean).length).toBeGreaterThan(1);
    expect(parts.join('')).toBe('You receive twenty-seven days of paid holiday each year.');
    const prisma = t.server.services.prisma;
    const usage = await eventually(() => prisma.usageLog.count({ where: { tokenId: patId, source: 'api', outcome: 'success' } }), (n) => n >= 2);
    expect(usage).toBe(2);
  });
});
