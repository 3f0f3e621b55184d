import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { openDatabase } from '../db/database.js';
import { migrate, readMigrations } from '../db/migrator.js';
import { type BackupManifest, countUploads, isUploadData, unpackManifestAndDatabase, unpackUploads } from './backupArchive.js';
import { clearDatabase, isDatabaseEmpty, loadDatabase } from './backupDatabase.js';

export interface RestoreOptions {
  archive: string;
  /** Replace a database and uploads folder that already hold data. */
  force: boolean;
}

export interface RestoreOutcome {
  manifest: BackupManifest;
  /** Migrations newer than the backup, applied after loading it. */
  migrated: string[];
}

/**
 * Restores a backup into this install's database and uploads folder. Refuses,
 * before changing anything, an archive this version cannot load and (without
 * `force`) a target that already holds data.
 */
export async function restoreBackup(config: Config, options: RestoreOptions): Promise<RestoreOutcome> {
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'atrium-restore-'));
  try {
    const manifest = await unpackManifestAndDatabase(options.archive, staging);
    await checkCompatible(config, manifest);

    const occupied = await describeExistingData(config);
    if (occupied.length && !options.force) {
      throw new Error(`Refusing to restore over existing data (${occupied.join('; ')}). Restore into an empty install, or pass --force to replace it.`);
    }
    if (occupied.length) {
      await clearDatabase(config.database);
      await clearUploads(config.uploadsDir);
    }

    const loaded = await loadDatabase(config.database, path.join(staging, manifest.database.file));
    if (loaded.migrations.join() !== manifest.migrations.join()) throw new Error('The restored database does not hold the migrations its manifest lists; the archive is damaged');
    await unpackUploads(options.archive, config.uploadsDir);
    const uploads = await countUploads(config.uploadsDir);
    if (uploads.files !== manifest.uploads.files || uploads.bytes !== manifest.uploads.bytes) {
      throw new Error(`Restored uploads differ from the manifest (${uploads.files} files, ${uploads.bytes} bytes; expected ${manifest.uploads.files}, ${manifest.uploads.bytes})`);
    }

    // A backup from an older version is brought up to this one.
    const db = await openDatabase(config.database);
    try {
      const { applied } = await migrate(db);
      return { manifest, migrated: applied };
    } finally {
      await db.close();
    }
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

async function checkCompatible(config: Config, manifest: BackupManifest): Promise<void> {
  if (manifest.engine !== config.database.engine) {
    const describe = (engine: string) => (engine === 'postgres' ? 'native Postgres (DATABASE_URL set)' : 'the embedded database (no DATABASE_URL)');
    throw new Error(`This backup is of ${describe(manifest.engine)}, but this install uses ${describe(config.database.engine)}`);
  }
  const known = new Set((await readMigrations()).map((m) => m.name));
  const unknown = manifest.migrations.filter((name) => !known.has(name));
  if (unknown.length) throw new Error(`This backup was made by a newer Atrium (${manifest.appVersion}; unknown migrations: ${unknown.join(', ')}): upgrade this install first`);
}

async function describeExistingData(config: Config): Promise<string[]> {
  const problems: string[] = [];
  if (!(await isDatabaseEmpty(config.database))) problems.push('the database is not empty');
  const uploads = await countUploads(config.uploadsDir);
  if (uploads.files > 0) problems.push(`${config.uploadsDir} holds ${uploads.files} files`);
  return problems;
}

async function clearUploads(dir: string): Promise<void> {
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.filter(isUploadData).map((entry) => fs.rm(path.join(dir, entry), { recursive: true, force: true })));
}
