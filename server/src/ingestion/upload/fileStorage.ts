import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * Original files on disk under generated names: `<assistantId>/<uuid>`.
 * Nothing a user sends becomes part of a path; paths read back from the
 * database are checked to stay inside the uploads folder.
 */
export class FileStorage {
  constructor(readonly root: string) {}

  get incomingDir(): string {
    return path.join(this.root, '.incoming');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.incomingDir, { recursive: true });
  }

  /** Moves an uploaded temporary file into place; returns the relative storage path. */
  async keep(tempPath: string, assistantId: string): Promise<string> {
    if (!/^[0-9a-f-]{36}$/.test(assistantId)) throw new Error('invalid assistant id for storage');
    const relative = path.join(assistantId, randomUUID());
    await fs.mkdir(path.join(this.root, assistantId), { recursive: true });
    await fs.rename(tempPath, path.join(this.root, relative));
    return relative;
  }

  resolve(storagePath: string): string {
    const full = path.resolve(this.root, storagePath);
    if (!full.startsWith(path.resolve(this.root) + path.sep)) throw new Error('storage path escapes the uploads folder');
    return full;
  }

  async remove(storagePath: string): Promise<void> {
    await fs.rm(this.resolve(storagePath), { force: true });
  }

  async discard(tempPath: string): Promise<void> {
    await fs.rm(tempPath, { force: true });
  }
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}
