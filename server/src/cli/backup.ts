// Backup and restore of the database and uploads/ (README: "Backup and restore"):
//   npm run backup  -- [--out file.tar.gz | --out -]      (- writes the archive to stdout)
//   npm run restore -- [--force] <file.tar.gz | ->          (- reads it from stdin)
// Settings come from the environment and .env, as for the server. Messages go
// to stderr, so stdout can carry the archive.
import 'dotenv/config';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/index.js';
import { createBackup, defaultBackupPath } from './backupCreate.js';
import { restoreBackup } from './backupRestore.js';

const say = (message: string) => process.stderr.write(`${message}\n`);

async function appVersion(): Promise<string> {
  const pkg = JSON.parse(await fs.readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function backup(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  const config = loadConfig();
  const out = values.out === '-' ? process.stdout : (values.out ?? defaultBackupPath(config));
  const manifest = await createBackup(config, { out, appVersion: await appVersion() });
  const where = typeof out === 'string' ? out : 'stdout';
  say(`Backup written to ${where}: ${manifest.engine} database (${manifest.migrations.length} migrations), ${manifest.uploads.files} uploaded files (${manifest.uploads.bytes} bytes).`);
}

async function restore(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new Error('Usage: npm run restore -- [--force] <backup.tar.gz | ->');
  const config = loadConfig();
  let archive = positionals[0]!;
  let spool: string | undefined;
  if (archive === '-') {
    // The archive is read twice (manifest first, uploads last), so stdin is kept in a file.
    spool = await fs.mkdtemp(path.join(os.tmpdir(), 'atrium-restore-stdin-'));
    archive = path.join(spool, 'backup.tar.gz');
    await pipeline(process.stdin, createWriteStream(archive));
  }
  try {
    const { manifest, migrated } = await restoreBackup(config, { archive, force: values.force! });
    say(`Restored the backup of ${manifest.createdAt} (Atrium ${manifest.appVersion}): ${manifest.uploads.files} uploaded files.`);
    if (migrated.length) say(`Applied newer migrations: ${migrated.join(', ')}.`);
  } finally {
    if (spool) await fs.rm(spool, { recursive: true, force: true });
  }
}

const commands: Record<string, (args: string[]) => Promise<void>> = { backup, restore };
const [command = '', ...rest] = process.argv.slice(2);
const handler = commands[command];
if (!handler) {
  say('Usage: node server/dist/cli/backup.js backup [--out file] | restore [--force] <file>');
  process.exit(2);
}
handler(rest).catch((error: unknown) => {
  say(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
  process.exit(1);
});
