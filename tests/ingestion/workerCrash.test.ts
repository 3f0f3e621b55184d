import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startIngestionWorker } from '../../server/src/ingestion/ingestionWorker.js';
import type { JobWorker } from '../../server/src/jobs/worker.js';
import { OpenAiTestServer } from '../support/openaiTestServer.js';
import { createAssistantVia, fixture, uploadVia, waitForFiles } from '../support/knowledge.js';
import { createTestApp, TEST_SECRET, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// A worker process killed with SIGKILL halfway through embedding a file: the
// next worker takes the job back once its heartbeat is stale and completes
// the file, with each chunk exactly once. A separate worker process needs a
// database server, so this runs on native Postgres only.
const nativeOnly = engineName === 'postgres' ? describe : describe.skip;

nativeOnly('a worker killed mid-file', () => {
  const mainTs = fileURLToPath(new URL('../../server/src/main.ts', import.meta.url));
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  let t: TestApp;
  let model: OpenAiTestServer;
  let uploadsDir: string;
  let child: ChildProcess | undefined;
  let worker: JobWorker | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-crash-'));
    model = await new OpenAiTestServer().start();
    env = {
      UPLOADS_DIR: uploadsDir,
      EMBEDDER: 'openai',
      EMBEDDING_BASE_URL: model.baseUrl,
      EMBEDDING_API_KEY: 'test-key',
      EMBEDDING_MODEL: 'text-embedding-3-small',
      EMBEDDING_DIMENSION: '384',
      LOGIN_RATE_PER_MINUTE: '1000',
    };
    t = await createTestApp(env);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await worker?.stop({ abort: true });
    await t.close();
    await model.close();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
  });

  it('resumes the file after restart with no duplicate chunks', async () => {
    const admin = await t.signIn({ role: 'admin' });
    const assistant = await createAssistantVia(t, admin.token, { chunkSize: 128, chunkOverlap: 0 });
    const readme = fs.readFileSync(fixture('misc/mammoth__README.md'), 'utf8');
    const big = Buffer.from(Array.from({ length: 5 }, (_, i) => `# Copy ${i}\n\n${readme}`).join('\n\n'));
    const up = await uploadVia(t, admin.token, assistant.id, [{ content: big, name: 'handbook.md' }]).expect(201);
    const fileId = up.body.files[0].id as string;

    // Slow embeddings, so the kill lands between batches.
    model.latencyMs = 400;
    child = spawn(process.execPath, ['--import', tsxLoader, mainTs, 'worker'], {
      cwd: os.tmpdir(),
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, DATABASE_URL: t.database.url!, LOG_LEVEL: 'silent', ...env },
      stdio: 'ignore',
    });

    const deadline = Date.now() + 60_000;
    let partial = 0;
    while (partial === 0) {
      if (Date.now() > deadline) throw new Error('the worker process never started embedding');
      if (child.exitCode !== null) throw new Error(`the worker process exited early with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 50));
      partial = await t.prisma.chunk.count({ where: { fileId } });
    }
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    const halfway = await t.prisma.knowledgeFile.findUniqueOrThrow({ where: { id: fileId } });
    expect(halfway.status).toBe('embedding');
    const job = await t.prisma.job.findFirstOrThrow({ where: { dedupeKey: `file:${fileId}` } });
    expect(job.status).toBe('running');

    // A new worker: the dead one's heartbeat goes stale and the job is taken back.
    model.latencyMs = 0;
    worker = await startIngestionWorker(t.services, { pollIntervalMs: 100, heartbeatMs: 300, staleAfterSeconds: 1 });
    const files = await waitForFiles(t, admin.token, assistant.id, [fileId], 60_000);
    const done = files.get(fileId)!;
    expect(done.status).toBe('ready');
    expect(done.chunkCount).toBeGreaterThan(partial);

    const ordinals = (await t.prisma.chunk.findMany({ where: { fileId }, select: { ordinal: true }, orderBy: { ordinal: 'asc' } })).map((c) => c.ordinal);
    expect(ordinals).toEqual(Array.from({ length: done.chunkCount }, (_, i) => i));
    const finished = await t.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(finished.status).toBe('done');
    // Taken back at least once after the kill; on a loaded machine a late heartbeat may hand it over once more.
    expect(finished.attempts).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
