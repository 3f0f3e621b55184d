import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Config } from '../config/index.js';
import { BackupManifest, countUploads, MANIFEST, packArchive } from './backupArchive.js';
import { databaseFileName, dumpDatabase } from './backupDatabase.js';

export interface BackupOptions {
  /** Archive path, or a stream (the CLI's `--out -` writes to stdout). */
  out: string | Writable;
  appVersion: string;
}

/** Database dump plus uploads, with a manifest, into one .tar.gz. */
export async function createBackup(config: Config, options: BackupOptions): Promise<BackupManifest> {
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'atrium-backup-'));
  try {
    const engine = config.database.engine;
    const databaseFile = databaseFileName[engine];
    const facts = await dumpDatabase(config.database, path.join(staging, databaseFile));
    const manifest: BackupManifest = {
      format: 'atrium-backup',
      formatVersion: 1,
      appVersion: options.appVersion,
      createdAt: new Date().toISOString(),
      engine,
      postgresVersion: facts.serverVersion,
      migrations: facts.migrations,
      database: { file: databaseFile, format: engine === 'postgres' ? 'pg_dump-custom' : 'pglite-datadir-gzip' },
      uploads: await countUploads(config.uploadsDir),
    };
    await fs.writeFile(path.join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    if (typeof options.out === 'string') {
      await fs.mkdir(path.dirname(path.resolve(options.out)), { recursive: true });
      // Written beside the target and renamed, so a failed backup never leaves a truncated archive under the final name.
      const partial = `${options.out}.partial`;
      await packArchive(staging, databaseFile, config.uploadsDir, partial);
      // Password hashes, sealed API keys and every uploaded document: for the owner's eyes only.
      await fs.chmod(partial, 0o600);
      await fs.rename(partial, options.out);
    } else {
      await packArchive(staging, databaseFile, config.uploadsDir, options.out);
    }
    return manifest;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** backups/atrium-<engine>-<UTC timestamp>.tar.gz under the working folder. */
export function defaultBackupPath(config: Config, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return path.resolve('backups', `atrium-${config.database.engine}-${stamp}.tar.gz`);
}
