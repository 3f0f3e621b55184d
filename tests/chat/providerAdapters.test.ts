import { ProviderError, type ChatProvider, type ChatStreamEvent, type ProviderEndpoint } from '../../server/src/chat/llm/chatProvider.js';
import { toAnthropicMessages } from '../../server/src/chat/llm/anthropic.js';
import { createChatProvider } from '../../server/src/chat/llm/registry.js';
import { AnthropicTestServer, apiKeyOf } from '../support/anthropicTestServer.js';
import { OpenAiTestServer } from '../support/openaiTestServer.js';

// Both adapters, driven through the official SDKs against servers that speak
// each provider's real streaming protocol.

async function collect(stream: AsyncIterable<ChatStreamEvent>): Promise<{ text: string; events: ChatStreamEvent[] }> {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return { text: events.map((e) => (e.type === 'delta' ? e.text : '')).join(''), events };
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the call to fail');
}

const request = (signal?: AbortSignal) => ({
  model: 'm',
  messages: [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'What is the capital of France?' },
  ],
  maxTokens: 50,
  temperature: 0.2,
  signal,
});

const servers = [
  { name: 'OpenAI-compatible', make: () => new OpenAiTestServer(), kind: 'openai_compatible' as const },
  { name: 'Anthropic', make: () => new AnthropicTestServer(), kind: 'anthropic' as const },
];

describe.each(servers)('$name adapter', ({ make, kind }) => {
  let server: OpenAiTestServer | AnthropicTestServer;
  let provider: ChatProvider;
  const endpoint = (over: Partial<ProviderEndpoint> = {}): ProviderEndpoint => ({ kind, baseUrl: server.baseUrl, apiKey: 'sk-test-secret', timeoutMs: 2000, ...over });

  beforeEach(async () => {
    server = await make().start();
    provider = createChatProvider(endpoint());
  });
  afterEach(() => server.close());

  it('streams deltas in order and ends with the provider’s usage', async () => {
    server.chat.script({ text: 'Paris is the capital of France.', chunkDelayMs: 2 });
    const { text, events } = await collect(provider.streamChat(request()));
    expect(text).toBe('Paris is the capital of France.');
    expect(events.filter((e) => e.type === 'delta').length).toBe(6);
    const done = events.at(-1);
    expect(done).toEqual({ type: 'done', finishReason: 'stop', usage: { promptTokens: expect.any(Number), completionTokens: 6 } });
    expect(done?.type === 'done' && done.usage!.promptTokens).toBeGreaterThan(5);
    expect(server.chat.completed).toBe(1);
  });

  it('sends the system prompt, the turns, and the token limit', async () => {
    await collect(provider.streamChat(request()));
    const body = server.requests.at(-1)!.body as Record<string, unknown>;
    expect(body.max_tokens).toBe(50);
    expect(body.stream).toBe(true);
    if (kind === 'anthropic') {
      expect(body.system).toBe('Be brief.');
      expect(body.messages).toEqual([{ role: 'user', content: 'What is the capital of France?' }]);
      expect(apiKeyOf(server.requests.at(-1)!)).toBe('sk-test-secret');
    } else {
      expect(body.messages).toEqual(request().messages.map(({ role, content }) => ({ role, content })));
      expect(body.stream_options).toEqual({ include_usage: true });
      expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer sk-test-secret');
    }
  });

  it('reports a length finish', async () => {
    server.chat.script({ text: 'cut short', finishReason: 'length' });
    const { events } = await collect(provider.streamChat(request()));
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'length' });
  });

  it('maps 429 to rate_limited with the wait the server asked for', async () => {
    server.chat.fail(429, 1, { retryAfter: '7' });
    const error = await failureOf(collect(provider.streamChat(request())));
    expect(error.failure).toBe('rate_limited');
    expect(error.retryable).toBe(true);
    expect(error.details.retryAfterMs).toBe(7000);
  });

  it('maps 401 to unauthorized and 5xx to unavailable, 400 to rejected', async () => {
    server.chat.fail(401).fail(503).fail(400);
    expect((await failureOf(collect(provider.streamChat(request())))).failure).toBe('unauthorized');
    expect((await failureOf(collect(provider.streamChat(request())))).failure).toBe('unavailable');
    const rejected = await failureOf(collect(provider.streamChat(request())));
    expect(rejected.failure).toBe('rejected');
    expect(rejected.retryable).toBe(false);
  });

  it('gives up on a slow first token with timeout, and cancels the upstream request', async () => {
    server.chat.script({ text: 'too late', firstTokenDelayMs: 5000 });
    const slow = createChatProvider(endpoint({ timeoutMs: 300 }));
    const started = Date.now();
    const error = await failureOf(collect(slow.streamChat(request())));
    expect(error.failure).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => server.chat.cancelled === 1);
  });

  it('gives up on a server that never sends headers', async () => {
    server.chat.script({ text: 'never', headersDelayMs: 5000 });
    const slow = createChatProvider(endpoint({ timeoutMs: 300 }));
    expect((await failureOf(collect(slow.streamChat(request())))).failure).toBe('timeout');
  });

  it('waits as long as tokens keep coming, each gap under the limit, however long the answer takes', async () => {
    server.chat.script({ text: 'one two three four five six', chunkDelayMs: 150 });
    const steady = createChatProvider(endpoint({ timeoutMs: 400 }));
    const started = Date.now();
    expect((await collect(steady.streamChat(request()))).text).toBe('one two three four five six');
    expect(Date.now() - started).toBeGreaterThan(600);
  });

  it('gives up on a stream that goes quiet mid-answer, after the tokens that arrived', async () => {
    server.chat.script({ text: 'one two three', chunkDelayMs: 3000 });
    const stalling = createChatProvider(endpoint({ timeoutMs: 300 }));
    const seen: string[] = [];
    const started = Date.now();
    const error = await failureOf(
      (async () => {
        for await (const e of stalling.streamChat(request())) if (e.type === 'delta') seen.push(e.text);
      })(),
    );
    expect(error.failure).toBe('timeout');
    expect(seen.join('')).toBe('one ');
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => server.chat.cancelled === 1);
  });

  it('treats a connection cut mid-stream as unavailable, after the tokens that arrived', async () => {
    server.chat.script({ text: 'one two three four five', disconnectAfterTokens: 2 });
    const seen: string[] = [];
    const error = await failureOf(
      (async () => {
        for await (const e of provider.streamChat(request())) if (e.type === 'delta') seen.push(e.text);
      })(),
    );
    expect(error.failure).toBe('unavailable');
    expect(seen.join('')).toBe('one two ');
  });

  it('surfaces an error event inside the stream', async () => {
    server.chat.script({ text: 'one two three', errorAfterTokens: 1 });
    const error = await failureOf(collect(provider.streamChat(request())));
    expect(['unavailable', 'rejected']).toContain(error.failure);
    expect(error.message).toMatch(/error|overloaded/i);
  });

  it('stops when the caller aborts: cancelled, and the server sees the client leave', async () => {
    server.chat.script({ text: 'a b c d e f g h i j k l m n o p', chunkDelayMs: 50 });
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await failureOf(
      (async () => {
        for await (const e of provider.streamChat(request(controller.signal))) {
          if (e.type === 'delta') seen.push(e.text);
          if (seen.length === 3) controller.abort();
        }
      })(),
    );
    expect(error.failure).toBe('cancelled');
    expect(seen).toHaveLength(3);
    await waitFor(() => server.chat.cancelled === 1);
    expect(server.chat.completed).toBe(0);
  });

  it('lists models and tests the connection', async () => {
    server.models = ['b-model', 'a-model'];
    expect(await provider.listModels()).toEqual(['a-model', 'b-model']);
    const check = await provider.testConnection();
    expect(check).toEqual({ ok: true, latencyMs: expect.any(Number), models: ['a-model', 'b-model'] });
  });

  it('reports a failed connection test without throwing', async () => {
    const dead = createChatProvider(endpoint({ baseUrl: 'http://127.0.0.1:9/v1' }));
    const check = await dead.testConnection();
    expect(check.ok).toBe(false);
    expect(check.error).toMatch(/reach|connect/i);
  });

  it('estimates prompt tokens', () => {
    const short = provider.countTokens([{ role: 'user', content: 'hi' }]);
    const long = provider.countTokens([{ role: 'user', content: 'hi '.repeat(500) }]);
    expect(short).toBeGreaterThan(0);
    expect(long).toBeGreaterThan(400);
  });
});

describe('Anthropic turn shaping', () => {
  it('takes the system prompt apart, merges consecutive turns and starts with the user', () => {
    expect(
      toAnthropicMessages([
        { role: 'system', content: 'S1' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'system', content: 'S2' },
      ]),
    ).toEqual({
      system: 'S1\n\nS2',
      messages: [
        { role: 'user', content: '(conversation continues)' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'a\n\nb' },
      ],
    });
  });

  it('is refused by the test server when turns do not alternate, so the shaping matters', async () => {
    const server = await new AnthropicTestServer().start();
    try {
      const res = await fetch(`${server.baseUrl}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }),
      });
      expect(res.status).toBe(400);
    } finally {
      await server.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
