import type { ChatMessage, ChatProvider, ChatStreamEvent, ToolCallRequest, ToolDefinition } from '../../server/src/chat/llm/chatProvider.js';
import { createChatProvider } from '../../server/src/chat/llm/registry.js';
import { AnthropicTestServer } from '../support/anthropicTestServer.js';
import { OpenAiTestServer } from '../support/openaiTestServer.js';

// Tool calling at the provider boundary, through the official SDKs against
// servers that speak each protocol's tool use: OpenAI's streamed `tool_calls`
// (arguments split across chunks, several calls in one turn) and Anthropic's
// `tool_use` blocks with `input_json_delta`; then the results sent back in
// each protocol's own shape.

const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'The weather in a city today.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const clock: ToolDefinition = { name: 'current_time', description: 'The current time.', parameters: { type: 'object', properties: {} } };

async function collect(stream: AsyncIterable<ChatStreamEvent>) {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return {
    text: events.map((e) => (e.type === 'delta' ? e.text : '')).join(''),
    calls: events.flatMap((e) => (e.type === 'tool_call' ? [e.call] : [])),
    done: events.at(-1),
  };
}

const servers = [
  { name: 'OpenAI-compatible', make: () => new OpenAiTestServer(), kind: 'openai_compatible' as const },
  { name: 'Anthropic', make: () => new AnthropicTestServer(), kind: 'anthropic' as const },
];

describe.each(servers)('$name tool calling', ({ make, kind }) => {
  let server: OpenAiTestServer | AnthropicTestServer;
  let provider: ChatProvider;

  beforeEach(async () => {
    server = await make().start();
    provider = createChatProvider({ kind, baseUrl: server.baseUrl, apiKey: 'sk-test', timeoutMs: 5000 });
  });
  afterEach(() => server.close());

  const question: ChatMessage[] = [
    { role: 'system', content: 'Use tools when they help.' },
    { role: 'user', content: 'Weather in Oslo and Lima, and the time?' },
  ];

  it('offers the tools and assembles several calls whose arguments arrive in pieces', async () => {
    server.chat.script({
      text: 'Let me check.',
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: { city: 'Oslo', detail: 'a "quoted", long value' } },
        { id: 'call_b', name: 'get_weather', arguments: { city: 'Lima' } },
        { id: 'call_c', name: 'current_time', arguments: {} },
      ],
    });
    const { text, calls, done } = await collect(provider.streamChat({ model: 'm', messages: question, tools: [weather, clock], maxTokens: 100 }));

    expect(text).toBe('Let me check.');
    expect(calls.map((c) => [c.id, c.name, JSON.parse(c.arguments)])).toEqual([
      ['call_a', 'get_weather', { city: 'Oslo', detail: 'a "quoted", long value' }],
      ['call_b', 'get_weather', { city: 'Lima' }],
      ['call_c', 'current_time', {}],
    ]);
    expect(done).toMatchObject({ type: 'done', finishReason: 'tool_calls' });
    const offered = server.chat.lastCall?.tools;
    expect(offered?.map((t) => t.name)).toEqual(['get_weather', 'current_time']);
    expect(offered?.[0]!.parameters).toMatchObject({ type: 'object', required: ['city'] });
  });

  it('sends the calls and their results back in the protocol’s shape, and the model answers', async () => {
    const calls: ToolCallRequest[] = [
      { id: 'call_a', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { id: 'call_b', name: 'get_weather', arguments: '{"city":"Lima"}' },
    ];
    const followUp: ChatMessage[] = [
      ...question,
      { role: 'assistant', content: 'Let me check.', toolCalls: calls },
      { role: 'tool', toolCallId: 'call_a', name: 'get_weather', content: 'Oslo: 3 °C, snow' },
      { role: 'tool', toolCallId: 'call_b', name: 'get_weather', content: 'Lima is not available', isError: true },
    ];
    server.chat.script({ text: 'Oslo has snow; Lima I could not check.' });
    const { text, done } = await collect(provider.streamChat({ model: 'm', messages: followUp, tools: [weather], maxTokens: 100 }));
    expect(text).toBe('Oslo has snow; Lima I could not check.');
    expect(done).toMatchObject({ type: 'done', finishReason: 'stop' });

    if (server instanceof OpenAiTestServer) {
      const sent = server.chatRequests().at(-1)!.body.messages;
      expect(sent.slice(2)).toEqual([
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lima"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: 'Oslo: 3 °C, snow' },
        { role: 'tool', tool_call_id: 'call_b', content: 'Lima is not available' },
      ]);
    } else {
      const sent = server.messageRequests().at(-1)!.body.messages;
      expect(sent.slice(1)).toEqual([
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { city: 'Oslo' } },
            { type: 'tool_use', id: 'call_b', name: 'get_weather', input: { city: 'Lima' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_a', content: 'Oslo: 3 °C, snow' },
            { type: 'tool_result', tool_use_id: 'call_b', content: 'Lima is not available', is_error: true },
          ],
        },
      ]);
    }
  });

  it('is refused by the provider when a call has no result, as the real APIs refuse it', async () => {
    const unanswered: ChatMessage[] = [...question, { role: 'assistant', content: '', toolCalls: [{ id: 'call_x', name: 'current_time', arguments: '{}' }] }, { role: 'user', content: 'Well?' }];
    await expect(collect(provider.streamChat({ model: 'm', messages: unanswered, tools: [clock], maxTokens: 50 }))).rejects.toMatchObject({ failure: 'rejected' });
  });

  it('answers plainly when the request offers no tools', async () => {
    server.chat.script({ text: 'No tools needed.' });
    const { calls, done } = await collect(provider.streamChat({ model: 'm', messages: question, maxTokens: 50 }));
    expect(calls).toEqual([]);
    expect(done).toMatchObject({ finishReason: 'stop' });
    expect(server.chat.lastCall?.tools).toEqual([]);
  });
});
