#!/usr/bin/env node
// What Atrium adds around one MCP tool call on loopback.
//   npm run bench:tools -- [--calls 300] [--warmup 30]
// A real MCP server (the official SDK, Streamable HTTP, stateless, as in
// tests/tools/toolTestServer.ts) runs in a child process with a tool that
// answers at once. This process measures, call after call:
//   floor   one long-lived SDK client session calling the tool (the least any
//           MCP client pays per call: one HTTP round trip and JSON-RPC);
//   atrium  the built server's own path for a tool call in an answer:
//           runToolCalls (argument parsing, time limit, abort, size cap,
//           the tool card's start and end) around McpToolServers.call,
//           which opens a short session per call (initialize, call, close).
// "Added" is atrium minus floor: the time a tool round trip costs an answer
// beyond the MCP call itself. Model time is not included (no model involved).
import { spawn } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import { McpToolServers } from '../server/dist/tools/mcp/mcpToolServers.js';
import { runToolCalls } from '../server/dist/tools/runToolCalls.js';
import { percentile } from './support/benchDatabase.mjs';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '300' }, warmup: { type: 'string', default: '30' } } });
const calls = Number(values.calls);
const warmup = Number(values.warmup);

const child = spawn(process.execPath, [new URL('./support/mcpToolServer.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  child.once('error', reject);
  child.stdout.on('data', (data) => {
    const match = /listening (\d+)/.exec(String(data));
    if (match) resolve(`http://127.0.0.1:${match[1]}/mcp`);
  });
});

const summary = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), n: sorted.length };
};
const fmt = (x) => x.toFixed(2).padStart(7);

async function timed(n, fn) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  return summary(times);
}

// The floor: one session kept open.
const client = new Client({ name: 'bench', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL(url)));
const floor = await timed(calls, async (i) => {
  const result = await client.callTool({ name: 'lookup_order', arguments: { id: `A-${i}` } });
  if (result.isError) throw new Error('tool failed');
});
await client.close();

// Atrium's path, as the answer loop runs it.
const servers = new McpToolServers({ open: () => '{}' }, pino({ level: 'silent' }));
const row = { id: '00000000-0000-4000-8000-000000000001', name: 'Orders', url, enabled: true, headerNames: [], ciphertext: null, iv: null, authTag: null, wrappedDataKey: null, masterKeyId: null, disabledTools: [], askFirstTools: [] };
const tool = {
  origin: { kind: 'mcp', serverId: row.id, serverName: row.name },
  definition: { name: 'Orders__lookup_order', description: '', parameters: { type: 'object' } },
  run: (args, context) => servers.call(row, 'lookup_order', args, context.signal),
};
const tools = new Map([[tool.definition.name, tool]]);
const controller = new AbortController();
const atrium = await timed(calls, async (i) => {
  const [record] = await runToolCalls([{ id: `call_${i}`, name: 'Orders__lookup_order', arguments: JSON.stringify({ id: `A-${i}` }) }], tools, {
    callTimeoutMs: 30_000,
    maxResultChars: 20_000,
    step: 1,
    offset: 0,
    context: { userId: 'bench', assistantId: 'bench' },
    signal: controller.signal,
    onUpdate: () => undefined,
  });
  if (record.status !== 'done') throw new Error(`tool call ${record.status}: ${record.error}`);
});

child.kill();
console.log(`MCP tool round trip on loopback (${calls} calls after ${warmup} warm-up, ${os.cpus().length} cores, Node ${process.version})`);
console.log('                         p50 ms   p95 ms');
console.log(`floor (one open session) ${fmt(floor.p50)}  ${fmt(floor.p95)}`);
console.log(`atrium (per answer call) ${fmt(atrium.p50)}  ${fmt(atrium.p95)}`);
console.log(`added by atrium          ${fmt(atrium.p50 - floor.p50)}  ${fmt(atrium.p95 - floor.p95)}`);
