import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import * as tar from 'tar';
import { z } from 'zod';

// One .tar.gz per backup: manifest.json first (so a reader knows what it holds
// before anything else), then the database file, then uploads/ as it is on disk.
export const MANIFEST = 'manifest.json';
export const UPLOADS = 'uploads';

export const BackupManifest = z.object({
  format: z.literal('atrium-backup'),
  formatVersion: z.literal(1),
  appVersion: z.string(),
  createdAt: z.iso.datetime(),
  engine: z.enum(['postgres', 'pglite']),
  postgresVersion: z.string(),
  /** Migrations applied in the backed-up database, in order. */
  migrations: z.array(z.string()),
  database: z.object({ file: z.string().regex(/^[\w.-]+$/), format: z.enum(['pg_dump-custom', 'pglite-datadir-gzip']) }),
  uploads: z.object({ files: z.number().int().min(0), bytes: z.number().int().min(0) }),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

/** Work files the server keeps in uploads/ that are not data: multer's in-flight uploads, the repository's placeholder. */
export function isUploadData(relative: string): boolean {
  const first = relative.split(/[\\/]/)[0];
  return first !== '.incoming' && first !== '.gitkeep';
}

/** Files and bytes under the uploads folder that a backup carries. */
export async function countUploads(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    const full = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || !isUploadData(path.relative(dir, full))) continue;
    files += 1;
    bytes += (await fs.stat(full)).size;
  }
  return { files, bytes };
}

/**
 * Packs `staging` (manifest.json and the database file) and the uploads folder
 * without copying it: staging/uploads is a link to it, followed while packing.
 */
export async function packArchive(staging: string, databaseFile: string, uploadsDir: string, out: string | Writable): Promise<void> {
  const uploadsLink = path.join(staging, UPLOADS);
  if (await fs.stat(uploadsDir).then((s) => s.isDirectory(), () => false)) await fs.symlink(path.resolve(uploadsDir), uploadsLink, 'dir');
  else await fs.mkdir(uploadsLink);
  const options = {
    gzip: true,
    cwd: staging,
    follow: true,
    portable: true,
    filter: (entry: string) => !entry.startsWith(`${UPLOADS}/`) || isUploadData(entry.slice(UPLOADS.length + 1)),
  };
  const entries = [MANIFEST, databaseFile, UPLOADS];
  if (typeof out === 'string') await tar.create({ ...options, file: out }, entries);
  else await pipeline(tar.create(options, entries), out);
}

/** Extracts everything but uploads/ into `staging` and reads the manifest. */
export async function unpackManifestAndDatabase(archive: string, staging: string): Promise<BackupManifest> {
  try {
    await tar.extract({ file: archive, cwd: staging, filter: (entry) => entry === MANIFEST || /^[\w.-]+$/.test(entry) });
  } catch (error) {
    throw new Error(`${archive} is not a readable .tar.gz archive: ${(error as Error).message}`);
  }
  const text = await fs.readFile(path.join(staging, MANIFEST), 'utf8').catch(() => {
    throw new Error(`${archive} has no ${MANIFEST}: not an Atrium backup`);
  });
  const parsed = BackupManifest.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${archive} has an unreadable manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Extracts uploads/ into the (empty) uploads folder. */
export async function unpackUploads(archive: string, uploadsDir: string): Promise<void> {
  await fs.mkdir(uploadsDir, { recursive: true });
  await tar.extract({ file: archive, cwd: uploadsDir, strip: 1, filter: (entry) => entry.startsWith(`${UPLOADS}/`) });
}
