import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startIngestionWorker } from '../../server/src/ingestion/ingestionWorker.js';
import type { JobWorker } from '../../server/src/jobs/worker.js';
import { createGroupRecord } from '../support/factories.js';
import { createAssistantVia, fixture, uploadVia, waitForFiles } from '../support/knowledge.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// Real files through the real parsers, the job queue, the local embedder and
// the database, driven through the REST API as the console would.
describe(`knowledge pipeline end to end (${engineName})`, () => {
  let t: TestApp;
  let worker: JobWorker;
  let admin: { token: string; user: { id: string } };
  let uploadsDir: string;
  const auth = () => ({ Authorization: `Bearer ${admin.token}` });

  beforeAll(async () => {
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-uploads-'));
    t = await createTestApp({ UPLOADS_DIR: uploadsDir, LOGIN_RATE_PER_MINUTE: '1000', EXTRACTION_TIMEOUT_SECONDS: '60' });
    worker = await startIngestionWorker(t.services, { pollIntervalMs: 100, heartbeatMs: 500 });
    admin = await t.signIn({ role: 'admin' });
  }, 60_000);
  afterAll(async () => {
    await worker.stop({ abort: true });
    await t.close();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
  });

  it('indexes good files of every kind and fails bad ones with the right reason', async () => {
    const assistant = await createAssistantVia(t, admin.token);
    const res = await uploadVia(t, admin.token, assistant.id, [
      { path: fixture('pdf/pdfjs__pdfjs_wikipedia.pdf') },
      { path: fixture('docx/textract__raw_text.docx') },
      { path: fixture('misc/mammoth__README.md') },
      { path: fixture('ocr/tesseractjs__testocr.png') },
      { path: fixture('misc/unstructured__semicolon-delimited.csv') },
      { path: fixture('pdf/unstructured__password.pdf') },
      { path: fixture('pdf/ocrmypdf__invalid.pdf') },
      { path: fixture('docx/mammoth__empty.docx') },
    ]).expect(201);
    expect(res.body.rejected).toEqual([]);
    const ids = Object.fromEntries((res.body.files as { id: string; name: string }[]).map((f) => [f.name, f.id]));
    // The local worker may already have started on them.
    for (const f of res.body.files as { status: string; duplicate: boolean }[]) {
      expect(f.duplicate).toBe(false);
      expect(['queued', 'extracting', 'chunking', 'embedding', 'ready']).toContain(f.status);
    }

    // The server keeps answering while files are processed.
    await t.http.get('/api/health').expect(200);
    const files = await waitForFiles(t, admin.token, assistant.id, Object.values(ids));
    const byName = (name: string) => files.get(ids[name]!)!;

    for (const good of ['pdfjs__pdfjs_wikipedia.pdf', 'textract__raw_text.docx', 'mammoth__README.md', 'tesseractjs__testocr.png', 'unstructured__semicolon-delimited.csv']) {
      expect({ name: good, status: byName(good).status, error: byName(good).error }).toEqual({ name: good, status: 'ready', error: null });
      expect(byName(good).chunkCount).toBeGreaterThan(0);
      expect(byName(good).progress).toBe(100);
    }
    expect(byName('pdfjs__pdfjs_wikipedia.pdf').pageCount).toBeGreaterThanOrEqual(1);
    expect(byName('unstructured__password.pdf')).toMatchObject({ status: 'failed', error: expect.stringMatching(/password/i) });
    expect(byName('ocrmypdf__invalid.pdf')).toMatchObject({ status: 'failed', error: expect.stringMatching(/damaged|unreadable|corrupt|invalid/i) });
    expect(byName('mammoth__empty.docx')).toMatchObject({ status: 'failed', error: expect.stringMatching(/no text|empty/i) });

    // Chunks carry their page (PDF) or section (Markdown) and the embedder that made them.
    const chunks = await t.prisma.chunk.findMany({ where: { knowledgeBase: { assistantId: assistant.id } } });
    expect(chunks.length).toBe([...files.values()].reduce((n, f) => n + f.chunkCount, 0));
    const pdfChunks = chunks.filter((c) => c.fileId === ids['pdfjs__pdfjs_wikipedia.pdf']);
    expect(pdfChunks.every((c) => c.page !== null && c.page >= 1)).toBe(true);
    expect(chunks.filter((c) => c.fileId === ids['mammoth__README.md']).some((c) => c.section !== null)).toBe(true);
    expect(new Set(chunks.map((c) => c.embedder))).toEqual(new Set([t.services.embedder.name]));

    const search = await t.http.post(`/api/v1/assistants/${assistant.id}/search`).set(auth()).send({ query: 'How do I convert a docx document to HTML with mammoth?' }).expect(200);
    expect(search.body.results.length).toBeGreaterThan(0);
    expect(search.body.results[0]).toMatchObject({ fileId: ids['mammoth__README.md'], fileName: 'mammoth__README.md', text: expect.any(String), score: expect.any(Number) });
    const ocr = await t.http.post(`/api/v1/assistants/${assistant.id}/search`).set(auth()).send({ query: 'twelve point text to test the OCR', topK: 3 }).expect(200);
    expect(ocr.body.results.map((r: { fileId: string }) => r.fileId)).toContain(ids['tesseractjs__testocr.png']);
  }, 180_000);

  it('does not store or process the same bytes twice for one assistant', async () => {
    const assistant = await createAssistantVia(t, admin.token);
    const first = await uploadVia(t, admin.token, assistant.id, [{ path: fixture('misc/unstructured__simple-table.md') }]).expect(201);
    const again = await uploadVia(t, admin.token, assistant.id, [{ path: fixture('misc/unstructured__simple-table.md'), name: 'renamed.md' }]).expect(201);
    expect(again.body.files[0]).toMatchObject({ id: first.body.files[0].id, duplicate: true });
    expect(await t.prisma.knowledgeFile.count({ where: { knowledgeBase: { assistantId: assistant.id } } })).toBe(1);
    expect(await t.prisma.job.count({ where: { dedupeKey: `file:${first.body.files[0].id}` } })).toBe(1);
    // Another assistant gets its own copy.
    const other = await createAssistantVia(t, admin.token, { name: 'Other' });
    const copy = await uploadVia(t, admin.token, other.id, [{ path: fixture('misc/unstructured__simple-table.md') }]).expect(201);
    expect(copy.body.files[0].duplicate).toBe(false);
  });

  it('detects the type from the bytes, not the name, and rejects what it cannot read', async () => {
    const assistant = await createAssistantVia(t, admin.token);
    const res = await uploadVia(t, admin.token, assistant.id, [
      { content: fs.readFileSync(fixture('misc/unstructured__simple-table.md')), name: 'actually-markdown.pdf' },
      { content: fs.readFileSync(fixture('docx/mammoth__hello.zip.docx')), name: 'not-really.docx' },
      { content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(200).fill(0)]), name: 'program.txt' },
    ]).expect(201);
    expect(res.body.files).toHaveLength(1);
    expect(res.body.files[0]).toMatchObject({ name: 'actually-markdown.pdf', mimeType: expect.stringMatching(/^text\//) });
    expect(res.body.rejected.map((r: { name: string; code: string }) => [r.name, r.code])).toEqual([
      ['not-really.docx', 'unsupported_type'],
      ['program.txt', 'unsupported_type'],
    ]);
    // Nothing of the rejected files is left on disk (originals are kept per knowledge base).
    expect(fs.readdirSync(path.join(uploadsDir, res.body.files[0].knowledgeBaseId))).toHaveLength(1);
    expect(fs.readdirSync(path.join(uploadsDir, '.incoming'))).toEqual([]);

    const none = await uploadVia(t, admin.token, assistant.id, [{ content: Buffer.from([0, 1, 2, 3, 0, 0, 0, 255]), name: 'blob.bin' }]).expect(400);
    expect(none.body.error).toMatchObject({ code: 'validation_failed', details: { rejected: [{ name: 'blob.bin' }] } });
    await t.http.post(`/api/v1/assistants/${assistant.id}/files`).set(auth()).send({ files: 'nope' }).expect(415);
  });

  it('downloads the original, re-indexes, and deletes file, chunks and bytes', async () => {
    const assistant = await createAssistantVia(t, admin.token);
    const original = fs.readFileSync(fixture('misc/unstructured__fake-text-utf-16-be.txt'));
    const up = await uploadVia(t, admin.token, assistant.id, [{ content: original, name: '<script>x</script>.txt' }]).expect(201);
    const file = up.body.files[0] as { id: string };
    await waitForFiles(t, admin.token, assistant.id, [file.id]);

    const download = await t.http
      .get(`/api/v1/assistants/${assistant.id}/files/${file.id}/download`)
      .set(auth())
      .buffer(true)
      .parse((res, cb) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => cb(null, Buffer.concat(parts)));
      })
      .expect(200);
    expect(Buffer.compare(download.body as Buffer, original)).toBe(0);
    expect(download.headers['content-disposition']).toMatch(/^attachment/);

    const reindex = await t.http.post(`/api/v1/assistants/${assistant.id}/files/${file.id}/reindex`).set(auth()).expect(202);
    expect(reindex.body.status).toBe('queued');
    const after = await waitForFiles(t, admin.token, assistant.id, [file.id]);
    expect(after.get(file.id)!.status).toBe('ready');
    const ordinals = (await t.prisma.chunk.findMany({ where: { fileId: file.id } })).map((c) => c.ordinal);
    expect(ordinals.length).toBeGreaterThan(0);
    expect(new Set(ordinals).size).toBe(ordinals.length);

    const row = await t.prisma.knowledgeFile.findUniqueOrThrow({ where: { id: file.id } });
    await t.http.delete(`/api/v1/assistants/${assistant.id}/files/${file.id}`).set(auth()).expect(204);
    expect(await t.prisma.chunk.count({ where: { fileId: file.id } })).toBe(0);
    expect(fs.existsSync(path.join(uploadsDir, row.storagePath))).toBe(false);
    await t.http.get(`/api/v1/assistants/${assistant.id}/files/${file.id}`).set(auth()).expect(404);
    expect((await t.prisma.auditLog.findMany({ where: { resourceId: file.id }, orderBy: { id: 'asc' } })).map((e) => e.action)).toEqual([
      'knowledge.upload',
      'knowledge.reindex',
      'knowledge.delete',
    ]);
  }, 60_000);

  it('lets managers of the assistant manage its files, members search it, and hides it from everyone else', async () => {
    const manager = await t.signIn({ role: 'manager' });
    const member = await t.signIn({ role: 'user' });
    const outsider = await t.signIn({ role: 'user' });
    const group = await createGroupRecord(t.prisma, undefined, [{ userId: manager.user.id, role: 'manager' }, { userId: member.user.id }]);
    const assistant = await createAssistantVia(t, manager.token, { groupIds: [group.id] });
    const up = await uploadVia(t, manager.token, assistant.id, [{ path: fixture('misc/unstructured__simple-table.md') }]).expect(201);
    await waitForFiles(t, manager.token, assistant.id, [up.body.files[0].id]);

    await uploadVia(t, member.token, assistant.id, [{ path: fixture('misc/unstructured__codeblock.md') }]).expect(403);
    await t.http.get(`/api/v1/assistants/${assistant.id}/files`).set('Authorization', `Bearer ${member.token}`).expect(403);
    await t.http.post(`/api/v1/assistants/${assistant.id}/search`).set('Authorization', `Bearer ${member.token}`).send({ query: 'apples' }).expect(200);
    await t.http.get(`/api/v1/assistants/${assistant.id}`).set('Authorization', `Bearer ${outsider.token}`).expect(404);
    await t.http.post(`/api/v1/assistants/${assistant.id}/search`).set('Authorization', `Bearer ${outsider.token}`).send({ query: 'apples' }).expect(404);
    await uploadVia(t, outsider.token, assistant.id, [{ path: fixture('misc/unstructured__codeblock.md') }]).expect(404);
    const listed = await t.http.get('/api/v1/assistants').set('Authorization', `Bearer ${outsider.token}`).expect(200);
    expect(listed.body.data.map((a: { id: string }) => a.id)).not.toContain(assistant.id);
    const other = await createGroupRecord(t.prisma);
    await t.http.post('/api/v1/assistants').set('Authorization', `Bearer ${manager.token}`).send({ name: 'Sneaky', groupIds: [other.id] }).expect(403);
  }, 60_000);
});

describe('upload size limit', () => {
  let t: TestApp;
  let uploadsDir: string;
  beforeAll(async () => {
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-uploads-'));
    t = await createTestApp({ UPLOADS_DIR: uploadsDir, MAX_UPLOAD_MB: '1' });
    await t.services.storage.init();
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
  });

  it('refuses a file over the limit with 413 and keeps nothing of it', async () => {
    const admin = await t.signIn({ role: 'admin' });
    const assistant = await createAssistantVia(t, admin.token);
    const res = await uploadVia(t, admin.token, assistant.id, [{ content: Buffer.alloc(1024 * 1024 + 10, 'a'), name: 'big.txt' }]);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/1 MB/) });
    expect(fs.readdirSync(path.join(uploadsDir, '.incoming'))).toEqual([]);
    expect(await t.prisma.knowledgeFile.count()).toBe(0);
  });
});
