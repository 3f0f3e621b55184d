import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startIngestionWorker } from '../../server/src/ingestion/ingestionWorker.js';
import { everyAttachedBase } from '../../server/src/policies/knowledgeBases.js';
import { ownKnowledgeBaseRecord } from '../support/factories.js';
import { createLogger } from '../../server/src/lib/logger.js';
import { createServices } from '../../server/src/services.js';
import { createAssistantVia, fixture, uploadVia, waitForFiles } from '../support/knowledge.js';
import { createTestApp, testConfig, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

describe(`changing the embedder (${engineName})`, () => {
  let t: TestApp;
  let uploadsDir: string;
  beforeAll(async () => {
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-reembed-'));
    t = await createTestApp({ UPLOADS_DIR: uploadsDir, EMBEDDING_DIMENSION: '384' });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
  });

  it('re-embeds every file in place with the new embedder, never mixing vectors, and keeps it searchable meanwhile', async () => {
    const admin = await t.signIn({ role: 'admin' });
    const assistant = await createAssistantVia(t, admin.token);
    const first = await startIngestionWorker(t.services, { pollIntervalMs: 50 });
    const up = await uploadVia(t, admin.token, assistant.id, [{ path: fixture('misc/mammoth__README.md') }]).expect(201);
    const fileId = up.body.files[0].id as string;
    await waitForFiles(t, admin.token, assistant.id, [fileId]);
    await first.stop();
    const before = await t.prisma.chunk.findMany({ where: { fileId }, orderBy: { id: 'asc' } });
    expect(new Set(before.map((c) => c.embeddingDim))).toEqual(new Set([384]));

    // The same database, restarted with another embedding size.
    const changed = createServices(testConfig({ UPLOADS_DIR: uploadsDir, EMBEDDING_DIMENSION: '256' }), t.database.db, createLogger('silent'));
    const ask = (services: typeof changed, mode: 'hybrid' | 'vector' | 'text') =>
      services.retriever.retrieve({ assistantId: assistant.id, reader: everyAttachedBase, query: 'convert docx to HTML', topK: 3, minScore: 0, mode });
    // Before the new vectors exist: found by its words (no similarity to an incomparable vector), not by vectors.
    const meanwhile = await ask(changed, 'hybrid');
    expect(meanwhile.length).toBeGreaterThan(0);
    expect(meanwhile.every((p) => p.fileId === fileId && p.score === 0)).toBe(true);
    expect(await ask(changed, 'vector')).toEqual([]);

    const second = await startIngestionWorker(changed, { pollIntervalMs: 50 });
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const file = await t.prisma.knowledgeFile.findUniqueOrThrow({ where: { id: fileId } });
        // The file never leaves search while its vectors are replaced.
        expect(file.status).toBe('ready');
        if (file.embeddingDim === 256) break;
        if (Date.now() > deadline) throw new Error(`not re-embedded: ${file.status} ${file.embeddingDim}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const after = await t.prisma.chunk.findMany({ where: { fileId }, orderBy: { id: 'asc' } });
      // In place: the same chunks (no extraction or chunking again), every one with the new embedder's vectors.
      expect(after.map((c) => [c.id, c.text])).toEqual(before.map((c) => [c.id, c.text]));
      expect(new Set(after.map((c) => `${c.embedder}/${c.embeddingDim}`))).toEqual(new Set([`${changed.embedder.name}/256`]));
      const found = await ask(changed, 'vector');
      expect(found.length).toBeGreaterThan(0);
      expect(found[0]!.score).toBeGreaterThan(0);
      // The old embedder finds nothing by vectors: none of its size are left.
      expect(await ask(t.services, 'vector')).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 60_000);
});

describe(`optional rerank step (${engineName})`, () => {
  let t: TestApp;
  let server: http.Server;
  let mode: 'reverse' | 'broken' = 'reverse';
  const requests: { model: string; query: string; documents: string[] }[] = [];

  beforeAll(async () => {
    // Speaks the rerank protocol shared by Cohere, Jina, vLLM and LiteLLM.
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as { model: string; query: string; documents: string[] };
        requests.push(parsed);
        if (mode === 'broken') return void res.writeHead(500).end('{"error":"down"}');
        const results = parsed.documents.map((_, index) => ({ index, relevance_score: index / parsed.documents.length }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    t = await createTestApp({ RERANK_URL: `http://127.0.0.1:${port}/v1/rerank`, RERANK_MODEL: 'test-reranker' });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => server.close(r));
  });

  it('orders passages by the reranker, and keeps the fused order when it fails', async () => {
    const assistant = await t.prisma.assistant.create({ data: { name: 'Rerank' } });
    const base = await ownKnowledgeBaseRecord(t.prisma, assistant.id);
    const file = await t.prisma.knowledgeFile.create({
      data: { knowledgeBaseId: base.id, originalName: 'a.txt', mimeType: 'text/plain', sizeBytes: 1n, sha256: 'b'.repeat(64), storagePath: 'x', status: 'ready' },
    });
    const texts = ['holiday policy twenty days', 'holiday travel expenses', 'holiday calendar for offices'];
    const vectors = await t.services.embedder.embed(texts, 'document');
    const { insertChunks } = await import('../../server/src/ingestion/index/chunkStore.js');
    await insertChunks(t.prisma, file, t.services.embedder, texts.map((text, i) => ({ ordinal: i, text, tokenCount: 4, embedding: vectors[i]! })));

    mode = 'broken';
    const fused = await t.services.retriever.retrieve({ assistantId: assistant.id, reader: everyAttachedBase, query: 'holiday', topK: 3, minScore: 0 });
    expect(fused).toHaveLength(3);
    mode = 'reverse';
    const reranked = await t.services.retriever.retrieve({ assistantId: assistant.id, reader: everyAttachedBase, query: 'holiday', topK: 3, minScore: 0 });
    // The test reranker scores later documents higher, so the fused order comes back reversed.
    expect(reranked.map((p) => p.chunkId)).toEqual(fused.map((p) => p.chunkId).reverse());
    expect(requests.at(-1)).toMatchObject({ model: 'test-reranker', query: 'holiday', documents: fused.map((p) => p.text) });
  });
});
