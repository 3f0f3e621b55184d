import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestApp } from './testApp.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures/documents/', import.meta.url));
export const fixture = (relative: string) => path.join(fixturesDir, relative);

export async function createAssistantVia(t: TestApp, token: string, body: Record<string, unknown> = {}) {
  const res = await t.http.post('/api/v1/assistants').set('Authorization', `Bearer ${token}`).send({ name: 'Handbook', instructions: 'Answer from the handbook.', ...body });
  if (res.status !== 201) throw new Error(`assistant creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string };
}

export function uploadVia(t: TestApp, token: string, assistantId: string, files: { path?: string; name?: string; content?: Buffer }[]) {
  let req = t.http.post(`/api/v1/assistants/${assistantId}/files`).set('Authorization', `Bearer ${token}`);
  for (const f of files) {
    req = req.attach('files', f.content ?? fs.readFileSync(f.path!), { filename: f.name ?? path.basename(f.path!) });
  }
  return req;
}

type FileView = { id: string; status: string; progress: number; error: string | null; chunkCount: number; pageCount: number | null; name: string };

/** Polls the REST API until every file is ready or failed (bounded). */
export async function waitForFiles(t: TestApp, token: string, assistantId: string, fileIds: string[], timeoutMs = 90_000): Promise<Map<string, FileView>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http.get(`/api/v1/assistants/${assistantId}/files`).set('Authorization', `Bearer ${token}`);
    const files = new Map<string, FileView>((res.body.data as FileView[]).map((f) => [f.id, f]));
    if (fileIds.every((id) => ['ready', 'failed'].includes(files.get(id)?.status ?? ''))) return files;
    if (Date.now() > deadline) throw new Error(`files not finished in time: ${JSON.stringify([...files.values()].map((f) => [f.name, f.status, f.progress]))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
