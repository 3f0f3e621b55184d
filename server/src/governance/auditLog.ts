import type { PrismaClient } from '../db/database.js';
import type { AuditLog as AuditRow, Prisma } from '../db/generated/client.js';
import { toPlainJson } from '../lib/canonicalJson.js';
import { entryHash, GENESIS_HASH, storedContent, type ChainedContent } from './auditChain.js';

export { GENESIS_HASH };

export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

export interface AuditEntry {
  actor?: { id?: string | null; email?: string | null; token?: { id: string; name: string } } | null;
  action: string;
  resource?: { type: string; id?: string | null };
  oldValues?: unknown;
  newValues?: unknown;
  meta?: RequestMeta;
}

export interface ChainVerification {
  ok: boolean;
  /** Entries that verified before the walk ended (or stopped at a broken one). */
  checked: number;
  /** The last entry that verified; noting it elsewhere lets a later walk prove the tail was not cut off. */
  lastId?: string;
  lastHash?: string;
  firstBrokenId?: string;
  /** Which stored value is wrong: the link to the previous entry, or the entry's own hash. */
  brokenField?: 'prevHash' | 'hash';
  reason?: string;
  expectedHash?: string;
  storedHash?: string;
}

/** An entry's id and the hash an earlier walk reported for it (its `lastId` and `lastHash`). */
export interface ChainCheckpoint {
  id: bigint;
  hash: string;
}

type Tx = Prisma.TransactionClient;

// Serialises writers so each entry links to the one before it.
const AUDIT_CHAIN_LOCK = 7_214_031_338;

const SECRET_KEYS = new Set([
  'password', 'passwordhash', 'newpassword', 'currentpassword', 'temporarypassword', 'passphrase',
  'secret', 'clientsecret', 'token', 'accesstoken', 'refreshtoken', 'apikey', 'key', 'privatekey',
  'authorization', 'cookie', 'ciphertext', 'wrappeddatakey', 'authtag', 'iv', 'jwtsecret', 'masterkey',
]);

// `api_key`, `API-Key` and `apiKey` are the same field to a reader, so to us.
const normalisedKey = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Replaces secret-looking fields, at any depth, before anything is stored. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(normalisedKey(k)) && v != null ? '[redacted]' : redactSecrets(v)]),
    );
  }
  return value;
}

interface Pending {
  entry: AuditEntry;
  settle: (error?: unknown) => void;
}

/** Standalone entries written together in one transaction (one lock, one commit). */
const GROUP_COMMIT_MAX = 200;

// Postgres refuses NUL in text and JSONB, and lone UTF-16 surrogates in JSONB
// (text would silently get U+FFFD, so the stored row would no longer match its
// hash). Both can arrive in a JSON request body; they become U+FFFD first.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const storableText = <T extends string | null | undefined>(text: T): T => (typeof text === 'string' ? (text.replace(UNSTORABLE, '\uFFFD') as T) : text);

function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)]));
  return value;
}

/** What is stored and hashed for an entry: secrets redacted, values as plain JSON, text Postgres can store. */
function chainedContent(entry: AuditEntry, createdAt: Date): ChainedContent {
  return {
    actorId: entry.actor?.id ?? null,
    actorEmail: storableText(entry.actor?.email ?? null),
    action: storableText(entry.action),
    resourceType: storableText(entry.resource?.type ?? null),
    resourceId: storableText(entry.resource?.id ?? null),
    oldValues: storableJson(redactSecrets(toPlainJson(entry.oldValues))),
    newValues: storableJson(redactSecrets(toPlainJson(entry.newValues))),
    ip: storableText(entry.meta?.ip ?? null),
    userAgent: storableText(entry.meta?.userAgent?.slice(0, 500) ?? null),
    createdAt: createdAt.toISOString(),
    ...(entry.actor?.token ? { actorToken: { id: entry.actor.token.id, name: storableText(entry.actor.token.name) } } : {}),
  };
}

/**
 * Append-only, hash-chained audit trail. Each entry stores the previous
 * entry's hash and its own, computed over its canonical content; the
 * database refuses UPDATE and DELETE, and `verify` finds any edited row.
 */
export class AuditLog {
  private readonly pending: Pending[] = [];
  private flushing = false;

  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Records an entry, inside the caller's transaction when one is given, so
   * the entry exists exactly when the change does.
   *
   * Writers serialise on a transaction-scoped advisory lock, held until the
   * caller's transaction ends: make `record` the last statement of the
   * transaction, so the lock is held only for the insert and the commit and
   * no writer waits on a row lock while holding it (which could deadlock).
   * The caller's transaction must be READ COMMITTED (Postgres' default) so the
   * head read after the lock sees the entry committed just before; a unique
   * index on `prev_hash` refuses a fork should anything write around the lock.
   *
   * Entries without a transaction (logins, failed logins, key use) are
   * group-committed: while one batch is being written the next ones queue,
   * so a burst takes one connection and one lock per batch instead of one
   * transaction each waiting for the pool.
   */
  async record(entry: AuditEntry, tx?: Tx): Promise<void> {
    if (tx) return this.append(tx, [entry]);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ entry, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, GROUP_COMMIT_MAX);
        try {
          await this.writeAlone(batch);
          batch.forEach((p) => p.settle());
        } catch (error) {
          if (batch.length === 1) batch[0]!.settle(error ?? new Error('audit write failed'));
          // One bad entry must not lose the others: write them one by one.
          else for (const p of batch) await this.writeAlone([p]).then(() => p.settle(), (e: unknown) => p.settle(e ?? new Error('audit write failed')));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** A transaction of its own; waits on the lock count against its time limits, hence the generous ones. */
  private writeAlone(batch: Pending[]): Promise<void> {
    return this.prisma.$transaction((t) => this.append(t, batch.map((p) => p.entry)), { maxWait: 10_000, timeout: 30_000 });
  }

  private async append(tx: Tx, entries: AuditEntry[]): Promise<void> {
    await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1::bigint)', AUDIT_CHAIN_LOCK);
    // Ids come from a sequence drawn under the lock, one insert at a time, so id order is chain order.
    const last = await tx.auditLog.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } });
    let prevHash = last?.hash ?? GENESIS_HASH;
    for (const entry of entries) {
      const createdAt = new Date();
      const content = chainedContent(entry, createdAt);
      const hash = entryHash(prevHash, content);
      await tx.auditLog.create({
        data: {
          ...content,
          oldValues: content.oldValues === null ? undefined : (content.oldValues as Prisma.InputJsonValue),
          newValues: content.newValues === null ? undefined : (content.newValues as Prisma.InputJsonValue),
          actorToken: content.actorToken,
          createdAt,
          prevHash,
          hash,
        },
      });
      prevHash = hash;
    }
  }

  /**
   * Walks the chain in id order, a page at a time (memory stays flat whatever
   * the log's size: two pages at most), and reports the first broken link: an
   * edited entry fails its own hash, a removed one breaks the next entry's link.
   * The next page is fetched while the current one is hashed.
   *
   * From a checkpoint (an entry's id and the hash noted for it by an earlier
   * walk) only that entry and those after it are checked: quick on a large
   * log, and it proves the noted entry is still there, unchanged.
   */
  async verify(pageSize = 1000, checkpoint?: ChainCheckpoint): Promise<ChainVerification> {
    const page = (after?: bigint) =>
      this.prisma.auditLog.findMany({ where: after === undefined ? {} : { id: { gt: after } }, orderBy: { id: 'asc' }, take: pageSize });
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let lastId: string | undefined;
    const broken = (row: { id: bigint }, brokenField: 'prevHash' | 'hash', reason: string, expectedHash: string, storedHash?: string): ChainVerification => ({
      ok: false,
      checked,
      ...(lastId ? { lastId, lastHash: prevHash } : {}),
      firstBrokenId: row.id.toString(),
      brokenField,
      reason,
      expectedHash,
      ...(storedHash === undefined ? {} : { storedHash }),
    });

    let next: Promise<AuditRow[]> | undefined;
    if (checkpoint) {
      const start = await this.prisma.auditLog.findUnique({ where: { id: checkpoint.id } });
      if (!start) return broken(checkpoint, 'hash', 'the checkpoint entry is gone', checkpoint.hash);
      if (start.hash !== checkpoint.hash) return broken(start, 'hash', 'the checkpoint entry’s hash is not the one noted', checkpoint.hash, start.hash);
      const expected = entryHash(start.prevHash, storedContent(start));
      if (expected !== start.hash) return broken(start, 'hash', 'entry content does not match its hash (the entry was edited)', expected, start.hash);
      prevHash = start.hash;
      lastId = start.id.toString();
      checked = 1;
      next = page(start.id);
    } else {
      next = page();
    }

    while (next) {
      const rows: AuditRow[] = await next;
      next = rows.length === pageSize ? page(rows[rows.length - 1]!.id) : undefined;
      for (const row of rows) {
        const stop = (result: ChainVerification) => {
          next?.catch(() => undefined);
          return result;
        };
        if (row.prevHash !== prevHash) {
          return stop(broken(row, 'prevHash', 'entry does not link to the previous entry (an entry before it was removed, or this link was edited)', prevHash, row.prevHash));
        }
        const expected = entryHash(prevHash, storedContent(row));
        if (row.hash !== expected) return stop(broken(row, 'hash', 'entry content does not match its hash (the entry was edited)', expected, row.hash));
        prevHash = row.hash;
        lastId = row.id.toString();
        checked += 1;
      }
    }
    return { ok: true, checked, ...(lastId ? { lastId, lastHash: prevHash } : {}) };
  }
}
