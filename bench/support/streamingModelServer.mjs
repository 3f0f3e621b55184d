#!/usr/bin/env node
// A minimal OpenAI-compatible chat server for benchmarks: streams a fixed
// answer as chat.completion.chunk events with usage in the last chunk, after a
// set first-token delay and with a set gap between tokens. Run as its own
// process so its work does not share an event loop with what is measured.
//   node bench/support/streamingModelServer.mjs --first-token-ms 20 --tokens 30 --token-ms 5
// Prints `listening <port>` when ready.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'first-token-ms': { type: 'string', default: '20' },
    tokens: { type: 'string', default: '30' },
    'token-ms': { type: 'string', default: '5' },
  },
});
const firstTokenMs = Number(values['first-token-ms']);
const tokens = Number(values.tokens);
const tokenMs = Number(values['token-ms']);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const server = http.createServer(async (req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/v1/models')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'bench-model', object: 'model', created: 0, owned_by: 'bench' }] }));
    return;
  }
  if (req.method !== 'POST' || !req.url?.startsWith('/v1/chat/completions')) {
    res.writeHead(404).end();
    return;
  }
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const body = JSON.parse(raw);
  const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
  const frame = (delta, finish, usage) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model: body.model, choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(frame({ role: 'assistant', content: '' }, null));
  await sleep(firstTokenMs);
  for (let i = 0; i < tokens && !res.destroyed; i++) {
    if (i > 0 && tokenMs > 0) await sleep(tokenMs);
    res.write(frame({ content: `tok${i} ` }, null));
  }
  if (res.destroyed) return;
  res.write(frame({}, 'stop'));
  if (body.stream_options?.include_usage) res.write(frame(null, null, { prompt_tokens: 100, completion_tokens: tokens, total_tokens: 100 + tokens }));
  res.end('data: [DONE]\n\n');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
