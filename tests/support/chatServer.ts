import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../../server/src/server.js';
import type { ChatCall } from './chatScript.js';
import { AnthropicTestServer } from './anthropicTestServer.js';
import { createUserRecord, DEFAULT_PASSWORD, type UserFactoryInput } from './factories.js';
import { OpenAiTestServer } from './openaiTestServer.js';
import { testConfig } from './testApp.js';
import { createEmptyDatabase } from './testDb.js';

// A real Atrium server (HTTP + socket.io, worker inside) on an isolated
// database, with an OpenAI-compatible test model server seeded as the
// default provider the way an operator would (OPENAI_BASE_URL, OPENAI_API_KEY,
// DEFAULT_MODEL), and an Anthropic test server ready to be added.

export const TEST_MODEL = 'test-chat-model';
export const TEST_API_KEY = 'sk-test-0123456789abcdef';

export interface ChatTestServer {
  server: RunningServer;
  url: string;
  openai: OpenAiTestServer;
  anthropic: AnthropicTestServer;
  login(input?: UserFactoryInput): Promise<{ id: string; email: string; token: string }>;
  /** fetch against the API with a bearer token and JSON. */
  api(token: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  json<T = any>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  socket(token: string): Promise<Socket>;
  close(): Promise<void>;
}

export async function startChatServer(env: Record<string, string> = {}): Promise<ChatTestServer> {
  const openai = await new OpenAiTestServer().start();
  const anthropic = await new AnthropicTestServer().start();
  // Title requests are answered apart, so scripted replies go to answers.
  for (const chat of [openai.chat, anthropic.chat]) chat.intercept = (call: ChatCall) => (isTitleRequest(call) ? { text: 'A generated title' } : undefined);
  const uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-chat-'));
  const empty = await createEmptyDatabase();
  const server = await startServer(
    testConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      UPLOADS_DIR: uploadsDir,
      LOGIN_RATE_PER_MINUTE: '10000',
      MASTER_KEY: randomBytes(32).toString('base64'),
      OPENAI_BASE_URL: openai.baseUrl,
      OPENAI_API_KEY: TEST_API_KEY,
      DEFAULT_MODEL: TEST_MODEL,
      DEFAULT_MODEL_CONTEXT_WINDOW: '8192',
      CHAT_TIMEOUT_SECONDS: '5',
      ...env,
    }),
    { db: await empty.open() },
  );
  const sockets: Socket[] = [];
  const api = (token: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    server,
    url: server.url,
    openai,
    anthropic,
    async login(input = {}) {
      const user = await createUserRecord(server.services.prisma, input);
      const res = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: input.password ?? DEFAULT_PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
      return { id: user.id, email: user.email, token: ((await res.json()) as { accessToken: string }).accessToken };
    },
    api,
    async json(token, method, p, body) {
      const res = await api(token, method, p, body);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    socket(token) {
      return new Promise((resolve, reject) => {
        const socket = connect(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
        sockets.push(socket);
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', reject);
      });
    },
    async close() {
      sockets.forEach((s) => s.close());
      await server.close();
      await server.services.db.close();
      await empty.drop();
      await openai.close();
      await anthropic.close();
      fs.rmSync(uploadsDir, { recursive: true, force: true });
    },
  };
}

export function isTitleRequest(call: ChatCall): boolean {
  return (call.system ?? call.messages[0]?.content ?? '').startsWith('Write a title');
}

export interface SseEvent {
  event: string;
  data: any;
}

/** Reads a server-sent event stream to its end (or until `until` says stop). */
export async function readEvents(res: Response, until?: (event: SseEvent) => boolean): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = frame.match(/^event: (.*)$/m)?.[1];
      const data = frame.match(/^data: (.*)$/m)?.[1];
      if (!event || data === undefined) continue;
      const parsed = { event, data: JSON.parse(data) };
      events.push(parsed);
      if (until?.(parsed)) {
        await reader.cancel();
        return events;
      }
    }
  }
  return events;
}

/** Waits for a condition that becomes true asynchronously. */
export async function eventually<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean = Boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Collects socket events of the given names in arrival order. */
export function record(socket: Socket, names: string[]): { name: string; payload: any }[] {
  const seen: { name: string; payload: any }[] = [];
  for (const name of names) socket.on(name, (payload: unknown) => seen.push({ name, payload }));
  return seen;
}

export function emitWithAck<T = any>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return new Promise((resolve) => socket.emit(event, payload, resolve));
}

/** Uploads a fixture document to an assistant through the API and waits until it is processed; returns its final status. */
export async function uploadAndWait(t: ChatTestServer, token: string, assistantId: string, filePath: string, name = path.basename(filePath)): Promise<string> {
  const form = new FormData();
  form.append('files', new Blob([fs.readFileSync(filePath)]), name);
  const res = await fetch(`${t.url}/api/v1/assistants/${assistantId}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  const fileId = ((await res.json()) as { files: { id: string }[] }).files[0]!.id;
  return eventually(
    async () => (await t.json(token, 'GET', `/api/v1/assistants/${assistantId}/files/${fileId}`)).body.status as string,
    (status) => status === 'ready' || status === 'failed',
    90_000,
  );
}
