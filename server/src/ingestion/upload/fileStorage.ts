import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * Original files on disk under generated names: `<owner id>/<uuid>` (the knowledge base's
 * id; files stored before knowledge bases keep their assistant's id).
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
  async keep(tempPath: string, ownerId: string): Promise<string> {
    if (!/^[0-9a-f-]{36}$/.test(ownerId)) throw new Error('invalid owner id for storage');
    const relative = path.join(ownerId, randomUUID());
    await fs.mkdir(path.join(this.root, ownerId), { recursive: true });
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
