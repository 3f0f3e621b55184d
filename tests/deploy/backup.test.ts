import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { createBackup } from '../../server/src/cli/backupCreate.js';
import { restoreBackup } from '../../server/src/cli/backupRestore.js';
import { loadConfig, type Config } from '../../server/src/config/index.js';
import { openDatabase, type Database } from '../../server/src/db/database.js';
import { migrate, readMigrations } from '../../server/src/db/migrator.js';
import { createGroupRecord, createUserRecord, ownKnowledgeBaseRecord } from '../support/factories.js';
import { TEST_SECRET } from '../support/testApp.js';
import { createEmptyDatabase, engineName } from '../support/testDb.js';

// A seeded install is backed up (database + uploads in one archive) and
// restored into a fresh, empty one; everything a user would miss must be there,
// byte for byte. Runs on both engines: pg_dump/pg_restore on native Postgres,
// PGlite's data-directory tarball on the embedded one.
const run = promisify(execFile);
const cliPath = fileURLToPath(new URL('../../server/src/cli/backup.ts', import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Install {
  config: Config;
  env: Record<string, string>;
  drop(): Promise<void>;
}

let workDir: string;
const installs: Install[] = [];

/** An empty install: its own database (native: a new one; embedded: a data folder) and uploads folder. */
async function emptyInstall(name: string): Promise<Install> {
  const dir = path.join(workDir, name);
  const database = engineName === 'postgres' ? await createEmptyDatabase() : undefined;
  const env: Record<string, string> = {
    JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    DATA_DIR: path.join(dir, 'data'),
    UPLOADS_DIR: path.join(dir, 'uploads'),
    DATABASE_URL: database?.url ?? '',
  };
  const install = { config: loadConfig({ NODE_ENV: 'test', ...env }, workDir), env, drop: () => database?.drop() ?? Promise.resolve() };
  installs.push(install);
  return install;
}

async function withDatabase<T>(install: Install, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(install.config.database);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

const vector = (hot: number) => `[${Array.from({ length: 384 }, (_, i) => (i === hot ? 1 : 0.01)).join(',')}]`;

/** Users, a group, an assistant with a knowledge file (bytes on disk + embedded chunks) and a conversation. */
async function seed(install: Install): Promise<void> {
  await withDatabase(install, async (db) => {
    await migrate(db);
    const p = db.prisma;
    const admin = await createUserRecord(p, { role: 'admin', name: 'Ada Admin' });
    const member = await createUserRecord(p, { role: 'user', name: 'Max Member' });
    const group = await createGroupRecord(p, 'Sales', [{ userId: member.id }]);
    const assistant = await p.assistant.create({
      data: { name: 'Handbook', instructions: 'Answer from the handbook.', topK: 6, createdById: admin.id, groups: { create: [{ groupId: group.id }] } },
    });
    const bytes = randomBytes(300_000);
    const storagePath = path.join(assistant.id, randomUUID());
    fs.mkdirSync(path.join(install.config.uploadsDir, assistant.id), { recursive: true });
    fs.writeFileSync(path.join(install.config.uploadsDir, storagePath), bytes);
    const base = await ownKnowledgeBaseRecord(p, assistant.id);
    const file = await p.knowledgeFile.create({
      data: {
        knowledgeBaseId: base.id,
        originalName: 'handbook.bin',
        mimeType: 'application/octet-stream',
        sizeBytes: BigInt(bytes.length),
        sha256: createHash('sha256').update(bytes).digest('hex'),
        storagePath,
        status: 'ready',
        progress: 100,
        chunkCount: 3,
        embedder: 'test',
        embeddingDim: 384,
        uploadedById: admin.id,
      },
    });
    for (const [i, text] of ['Travel is booked through the portal', 'Leave is twenty days a year', 'Expenses are paid monthly'].entries()) {
      await p.$executeRawUnsafe(
        `INSERT INTO chunks (file_id, knowledge_base_id, ordinal, text, token_count, embedder, embedding_dim, embedding)
         VALUES ($1::uuid, $2::uuid, $3, $4, 6, 'test', 384, $5::vector)`,
        file.id, base.id, i, text, vector(i),
      );
    }
    const conversation = await p.conversation.create({ data: { userId: member.id, assistantId: assistant.id, title: 'How much leave?' } });
    const question = await p.message.create({ data: { conversationId: conversation.id, role: 'user', content: 'How many days of leave do I get?' } });
    await p.message.create({
      data: {
        conversationId: conversation.id,
        parentId: question.id,
        role: 'assistant',
        content: 'Twenty days a year.',
        model: 'test-model',
        promptTokens: 120,
        completionTokens: 6,
        finishReason: 'stop',
        sources: [{ fileId: file.id, ordinal: 1, score: 0.91 }],
      },
    });
  });
}

/** What a restored install must hold, read back through Prisma, raw SQL and the disk. */
async function snapshot(install: Install) {
  return withDatabase(install, async (db) => {
    const p = db.prisma;
    const files = await p.knowledgeFile.findMany({ orderBy: { id: 'asc' } });
    return {
      users: await p.user.findMany({ orderBy: { email: 'asc' }, select: { id: true, email: true, name: true, role: true, passwordHash: true, active: true } }),
      groups: await p.group.findMany({ orderBy: { name: 'asc' }, include: { memberships: { select: { userId: true, role: true } } } }),
      assistants: await p.assistant.findMany({ orderBy: { id: 'asc' }, include: { groups: { select: { groupId: true } } } }),
      files: files.map((f) => ({ ...f, bytesOnDisk: sha256OfFile(path.join(install.config.uploadsDir, f.storagePath)) })),
      chunks: await p.chunk.count(),
      // Vectors survive with the index: the nearest chunk to "leave" is still the leave chunk.
      nearest: await p.$queryRawUnsafe<{ text: string }[]>(
        `SELECT text FROM chunks WHERE embedding_dim = 384 ORDER BY (embedding::vector(384)) <=> $1::vector(384) LIMIT 1`,
        vector(1),
      ),
      fullText: await p.$queryRawUnsafe<{ text: string }[]>(`SELECT text FROM chunks WHERE tsv @@ websearch_to_tsquery('english', 'expenses')`),
      conversations: await p.conversation.findMany({ orderBy: { id: 'asc' } }),
      messages: await p.message.findMany({ orderBy: { createdAt: 'asc' } }),
      migrations: (await p.$queryRawUnsafe<{ migration_name: string }[]>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY 1`)).map((r) => r.migration_name),
    };
  });
}

function sha256OfFile(file: string): string | null {
  return fs.existsSync(file) ? createHash('sha256').update(fs.readFileSync(file)).digest('hex') : null;
}

/** Runs the backup CLI from source, as `npm run backup`/`restore` run it built; in the install's working folder, so no developer .env is read. */
function cli(install: Install, args: string[], stdin?: { from: string }) {
  const child = run(process.execPath, ['--import', tsxLoader, cliPath, ...args], { cwd: workDir, env: { PATH: process.env.PATH, ...install.env }, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  if (stdin) fs.createReadStream(stdin.from).pipe(child.child.stdin!);
  return child;
}

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-backup-test-'));
});

afterAll(async () => {
  for (const install of installs) await install.drop().catch((error: unknown) => console.error('cleanup:', error));
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe(`backup and restore (${engineName})`, () => {
  let source: Install;
  let archive: string;
  let seeded: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    source = await emptyInstall('source');
    await seed(source);
    seeded = await snapshot(source);
    archive = path.join(workDir, 'atrium-backup.tar.gz');
  }, 180_000);

  test('one .tar.gz with the manifest first, the database and the uploads', async () => {
    const manifest = await createBackup(source.config, { out: archive, appVersion: '9.9.9' });
    expect(manifest).toMatchObject({
      format: 'atrium-backup',
      formatVersion: 1,
      appVersion: '9.9.9',
      engine: engineName,
      migrations: (await readMigrations()).map((m) => m.name),
      uploads: { files: 1, bytes: 300_000 },
    });
    expect(Date.now() - Date.parse(manifest.createdAt)).toBeLessThan(120_000);
    expect(fs.statSync(archive).mode & 0o777).toBe(0o600);
    const entries: string[] = [];
    await tar.list({ file: archive, onReadEntry: (e) => entries.push(e.path) });
    expect(entries[0]).toBe('manifest.json');
    expect(entries).toContain(manifest.database.file);
    expect(entries).toContain(seeded.files[0]!.storagePath.replace(/^/, 'uploads/'));
    expect(entries.some((e) => e.includes('.incoming'))).toBe(false);
  }, 180_000);

  test('restored into a fresh empty install: the same users, groups, assistants, files (bytes included), chunks and conversations', async () => {
    const target = await emptyInstall('restored');
    const outcome = await restoreBackup(target.config, { archive, force: false });
    expect(outcome.migrated).toEqual([]);
    const restored = await snapshot(target);
    expect(restored).toEqual(seeded);
    expect(restored.users).toHaveLength(2);
    expect(restored.files[0]!.bytesOnDisk).toBe(seeded.files[0]!.sha256);
    expect(restored.chunks).toBe(3);
    expect(restored.nearest[0]!.text).toBe('Leave is twenty days a year');
    expect(restored.fullText).toEqual([{ text: 'Expenses are paid monthly' }]);
    expect(restored.messages).toHaveLength(2);
  }, 180_000);

  test('the CLI refuses a target that holds data, and replaces it with --force (archive through stdout and stdin)', async () => {
    const target = await emptyInstall('occupied');
    await withDatabase(target, async (db) => {
      await migrate(db);
      await createUserRecord(db.prisma, { email: 'someone-else@example.com' });
    });

    const viaStdout = path.join(workDir, 'via-stdout.tar.gz');
    const backup = await cli(source, ['backup', '--out', '-']);
    fs.writeFileSync(viaStdout, backup.stdout);
    expect(backup.stderr.toString()).toMatch(/Backup written to stdout: \w+ database \(\d+ migrations\), 1 uploaded files/);

    const refused = await cli(target, ['restore', viaStdout]).then(
      () => undefined,
      (error: { code: number; stderr: Buffer }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr.toString()).toMatch(/Refusing to restore over existing data \(the database is not empty\)/);

    const forced = await cli(target, ['restore', '--force', '-'], { from: viaStdout });
    expect(forced.stderr.toString()).toMatch(/Restored the backup of .* \(Atrium 0\.1\.0\): 1 uploaded files/);
    expect(await snapshot(target)).toEqual(seeded);
  }, 180_000);

  test('the manifest is checked before anything changes: another engine or a newer version is refused', async () => {
    const target = await emptyInstall('picky');
    for (const [change, message] of [
      [(m: Record<string, unknown>) => ({ ...m, engine: engineName === 'postgres' ? 'pglite' : 'postgres' }), /This backup is of .* but this install uses/],
      [(m: Record<string, unknown>) => ({ ...m, migrations: [...(m.migrations as string[]), '29991231000000_from_the_future'] }), /made by a newer Atrium .*29991231000000_from_the_future/],
      [(m: Record<string, unknown>) => ({ ...m, format: 'something-else' }), /unreadable manifest/],
    ] as const) {
      const altered = await rewriteManifest(archive, change);
      await expect(restoreBackup(target.config, { archive: altered, force: true })).rejects.toThrow(message);
    }
    // Nothing was touched: the target is still empty.
    expect(fs.existsSync(target.config.uploadsDir)).toBe(false);
    await expect(restoreBackup(target.config, { archive: path.join(workDir, 'missing.tar.gz'), force: false })).rejects.toThrow(/not a readable/);
  }, 180_000);
});

/** A copy of the archive with manifest.json changed. */
async function rewriteManifest(archive: string, change: (manifest: Record<string, unknown>) => Record<string, unknown>): Promise<string> {
  const dir = fs.mkdtempSync(path.join(workDir, 'rewrite-'));
  await tar.extract({ file: archive, cwd: dir });
  const manifestPath = path.join(dir, 'manifest.json');
  fs.writeFileSync(manifestPath, JSON.stringify(change(JSON.parse(fs.readFileSync(manifestPath, 'utf8')))));
  const out = `${dir}.tar.gz`;
  await tar.create({ file: out, gzip: true, cwd: dir }, fs.readdirSync(dir).sort((a) => (a === 'manifest.json' ? -1 : 1)));
  return out;
}
