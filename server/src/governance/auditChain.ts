import { createHash } from 'node:crypto';
import { canonicalJson } from '../lib/canonicalJson.js';

// The hash chain of the audit log: what an entry's hash covers and how it links
// to the one before. Shared by the writer, the verifier and anything that
// builds a chain in bulk (tests seed 100k entries with it).

/** The `prev_hash` of the very first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Every stored field of an entry except its id and the two hashes. */
export interface ChainedContent {
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  oldValues: unknown;
  newValues: unknown;
  ip: string | null;
  userAgent: string | null;
  /** ISO-8601 with milliseconds, the column's precision. */
  createdAt: string;
  /** The personal access token the actor used; absent (not null) otherwise, so entries written before it existed hash as they did. */
  actorToken?: { id: string; name: string };
}

/** A stored row as Prisma returns it (JSON columns come back as plain values, null when absent). */
export interface StoredEntry extends Omit<ChainedContent, 'createdAt' | 'actorToken'> {
  createdAt: Date;
  actorToken?: unknown;
}

/** sha256(prev_hash, "\n", canonical JSON of the content): editing any field, or the link, changes it. */
export function entryHash(prevHash: string, content: ChainedContent): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
}

/** The content as it was hashed when written, rebuilt from the stored row. */
export function storedContent(row: StoredEntry): ChainedContent {
  return {
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    action: row.action,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    oldValues: row.oldValues ?? null,
    newValues: row.newValues ?? null,
    ip: row.ip,
    userAgent: row.userAgent,
    createdAt: row.createdAt.toISOString(),
    ...(row.actorToken ? { actorToken: row.actorToken as ChainedContent['actorToken'] } : {}),
  };
}

/** An entry as plain JSON (64-bit id as a string, time as ISO-8601), as the API shows and exports it. */
export function plainEntry(row: StoredEntry & { id: bigint; prevHash: string; hash: string }) {
  return { id: row.id.toString(), ...storedContent(row), prevHash: row.prevHash, hash: row.hash };
}
