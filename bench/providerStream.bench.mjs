#!/usr/bin/env node
// What reading a streamed answer from a model provider costs the process, in
// CPU per answer: the openai SDK over Node's built-in fetch against the SDK
// over lib/httpFetch.ts (what the adapters use), and the whole adapter
// (OpenAiCompatibleProvider.streamChat, watchdog included), in one process,
// alternating. The model server is a child process, so its work is not counted.
//   npm run bench:provider -- [--answers 480] [--rounds 5] [--concurrency 24]
//                             [--tokens 30] [--token-ms 5] [--prompt-kb 30]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { OpenAiCompatibleProvider } from '../server/dist/chat/llm/openaiCompatible.js';
import { httpFetch } from '../server/dist/lib/httpFetch.js';

const { values } = parseArgs({
  options: {
    answers: { type: 'string', default: '480' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '24' },
    tokens: { type: 'string', default: '30' },
    'token-ms': { type: 'string', default: '5' },
    'prompt-kb': { type: 'string', default: '30' },
  },
});
const answers = Number(values.answers);

const server = spawn(process.execPath, ['bench/support/streamingModelServer.mjs', '--first-token-ms', '2', '--tokens', values.tokens, '--token-ms', values['token-ms']], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => {
    const m = String(d).match(/listening (\d+)/);
    if (m) resolve(m[1]);
  });
  server.once('exit', (code) => reject(new Error(`model server exited (${code})`)));
});
const baseURL = `http://127.0.0.1:${port}/v1`;
// A prompt the size of a question with retrieved passages and some history.
const messages = [
  { role: 'system', content: 'Passage text. '.repeat(Math.round((Number(values['prompt-kb']) * 1024) / 14)) },
  { role: 'user', content: 'What does the handbook say about leave?' },
];

async function viaSdk(client) {
  let text = '';
  const stream = await client.chat.completions.create({ model: 'bench-model', messages, stream: true, stream_options: { include_usage: true } });
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}
const nodeFetchClient = new OpenAI({ apiKey: 'bench', baseURL, maxRetries: 0 });
const httpFetchClient = new OpenAI({ apiKey: 'bench', baseURL, maxRetries: 0, fetch: httpFetch });
const provider = new OpenAiCompatibleProvider({ apiKey: 'bench', baseUrl: baseURL });
const ways = {
  'SDK over Node fetch': () => viaSdk(nodeFetchClient),
  'SDK over httpFetch': () => viaSdk(httpFetchClient),
  'adapter (httpFetch)': async () => {
    let text = '';
    for await (const event of provider.streamChat({ model: 'bench-model', messages })) if (event.type === 'delta') text += event.text;
    return text;
  },
};

const expected = await viaSdk(nodeFetchClient);
const figures = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
console.log(`${answers} answers a way per round, ${values.concurrency} at a time; ${values.tokens} tokens ${values['token-ms']} ms apart; ${values['prompt-kb']} KB prompt`);
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [name, read] of Object.entries(ways)) {
    let left = answers;
    const before = process.cpuUsage();
    await Promise.all(
      Array.from({ length: Number(values.concurrency) }, async () => {
        while (left-- > 0) if ((await read()) !== expected) throw new Error(`${name} read a different answer`);
      }),
    );
    const used = process.cpuUsage(before);
    const perAnswer = (used.user + used.system) / answers;
    figures[name].push(perAnswer);
    console.log(`round ${round}  ${name.padEnd(22)} ${perAnswer.toFixed(0).padStart(6)} µs CPU per answer`);
  }
}
server.kill();

// The first round warms V8 up for every way; the median of the rest is the figure.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const settled = (name) => median(figures[name].slice(1).length ? figures[name].slice(1) : figures[name]);
const baseline = settled('SDK over Node fetch');
console.log('\nmedian after round 1:');
for (const name of Object.keys(ways)) console.log(`  ${name.padEnd(22)} ${settled(name).toFixed(0).padStart(6)} µs  ${(settled(name) / baseline).toFixed(2)}× of the SDK over Node fetch`);
