import { createHash } from 'node:crypto';
import type { PrismaClient } from '../db/database.js';
import type { Prisma } from '../db/generated/client.js';
import { canonicalJson, toPlainJson } from '../lib/canonicalJson.js';

export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

export interface AuditEntry {
  actor?: { id?: string | null; email?: string | null } | null;
  action: string;
  resource?: { type: string; id?: string | null };
  oldValues?: unknown;
  newValues?: unknown;
  meta?: RequestMeta;
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBrokenId?: string;
  reason?: string;
}

type Tx = Prisma.TransactionClient;

export const GENESIS_HASH = '0'.repeat(64);
// Serialises writers so each entry links to the one before it.
const AUDIT_CHAIN_LOCK = 7_214_031_338;

const SECRET_KEYS = new Set([
  'password', 'passwordhash', 'newpassword', 'currentpassword', 'temporarypassword',
  'secret', 'token', 'accesstoken', 'refreshtoken', 'apikey', 'key',
  'ciphertext', 'wrappeddatakey', 'authtag', 'iv', 'jwtsecret', 'masterkey',
]);

/** Replaces secret-looking fields, at any depth, before anything is stored. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k.toLowerCase()) && v != null ? '[redacted]' : redactSecrets(v)]),
    );
  }
  return value;
}

interface ChainedContent {
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  oldValues: unknown;
  newValues: unknown;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
}

function entryHash(prevHash: string, content: ChainedContent): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
}

/**
 * Append-only, hash-chained audit trail. Each entry stores the previous
 * entry's hash and its own, computed over its canonical content; the
 * database refuses UPDATE and DELETE, and `verify` finds any edited row.
 */
export class AuditLog {
  constructor(private readonly prisma: PrismaClient) {}

  /** Records an entry, inside the caller's transaction when one is given. */
  async record(entry: AuditEntry, tx?: Tx): Promise<void> {
    if (tx) return this.append(tx, entry);
    await this.prisma.$transaction((t) => this.append(t, entry));
  }

  private async append(tx: Tx, entry: AuditEntry): Promise<void> {
    await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1::bigint)', AUDIT_CHAIN_LOCK);
    const last = await tx.auditLog.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } });
    const prevHash = last?.hash ?? GENESIS_HASH;
    const createdAt = new Date();
    const content: ChainedContent = {
      actorId: entry.actor?.id ?? null,
      actorEmail: entry.actor?.email ?? null,
      action: entry.action,
      resourceType: entry.resource?.type ?? null,
      resourceId: entry.resource?.id ?? null,
      oldValues: redactSecrets(toPlainJson(entry.oldValues)),
      newValues: redactSecrets(toPlainJson(entry.newValues)),
      ip: entry.meta?.ip ?? null,
      userAgent: entry.meta?.userAgent?.slice(0, 500) ?? null,
      createdAt: createdAt.toISOString(),
    };
    await tx.auditLog.create({
      data: {
        ...content,
        oldValues: content.oldValues === null ? undefined : (content.oldValues as Prisma.InputJsonValue),
        newValues: content.newValues === null ? undefined : (content.newValues as Prisma.InputJsonValue),
        createdAt,
        prevHash,
        hash: entryHash(prevHash, content),
      },
    });
  }

  /** Walks the chain in order, a page at a time, and reports the first broken link. */
  async verify(pageSize = 1000): Promise<ChainVerification> {
    let prevHash = GENESIS_HASH;
    let cursor: bigint | undefined;
    let checked = 0;
    for (;;) {
      const rows = await this.prisma.auditLog.findMany({
        where: cursor === undefined ? {} : { id: { gt: cursor } },
        orderBy: { id: 'asc' },
        take: pageSize,
      });
      for (const row of rows) {
        const content: ChainedContent = {
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
        };
        const broken = (reason: string): ChainVerification => ({ ok: false, checked, firstBrokenId: row.id.toString(), reason });
        if (row.prevHash !== prevHash) return broken('entry does not link to the previous entry');
        if (row.hash !== entryHash(prevHash, content)) return broken('entry content does not match its hash');
        prevHash = row.hash;
        checked += 1;
      }
      if (rows.length < pageSize) return { ok: true, checked };
      cursor = rows[rows.length - 1]!.id;
    }
  }
}
