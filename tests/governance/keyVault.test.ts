import { randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../server/src/db/database.js';
import { AuditLog } from '../../server/src/governance/auditLog.js';
import { KeyVault, KeyVaultError, masterKeyFingerprint, secretHint, type SealedRow } from '../../server/src/governance/keyVault.js';
import { rewrapApiKeys } from '../../server/src/governance/keyVaultRotation.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);

function failureOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeyVaultError) return error.failure;
    throw error;
  }
  return 'opened';
}

const flipped = (bytes: Uint8Array, at = 0) => {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
};

describe('key vault (AES-256-GCM envelope encryption)', () => {
  const vault = new KeyVault(newKey);
  const secret = 'sk-proj-4f9a0c1d2e3b4a5968778695a4b3c2d1';

  it('opens what it sealed, with a fresh data key and IV every time', () => {
    const id = randomUUID();
    const a = { id, ...vault.seal(secret, id) };
    const b = { id, ...vault.seal(secret, id) };
    expect(vault.open(a)).toBe(secret);
    expect(vault.open(b)).toBe(secret);
    expect(Buffer.from(a.ciphertext).equals(Buffer.from(b.ciphertext))).toBe(false);
    expect(Buffer.from(a.wrappedDataKey).equals(Buffer.from(b.wrappedDataKey))).toBe(false);
    expect(Buffer.from(a.ciphertext).toString('latin1')).not.toContain('proj');
    expect(a.masterKeyId).toBe(masterKeyFingerprint(newKey));
    expect(a.masterKeyId).toMatch(/^[0-9a-f]{16}$/);
    expect(a.wrappedDataKey).toHaveLength(61);
    const unicode = 'clé-µ-🔑-' + 'x'.repeat(3000);
    expect(vault.open({ id, ...vault.seal(unicode, id) })).toBe(unicode);
  });

  it('refuses any altered byte: ciphertext, IV, tag, wrapped data key, master key id', () => {
    const id = randomUUID();
    const row: SealedRow = { id, ...vault.seal(secret, id) };
    expect(failureOf(() => vault.open({ ...row, ciphertext: flipped(row.ciphertext, 5) }))).toBe('tampered');
    expect(failureOf(() => vault.open({ ...row, iv: flipped(row.iv) }))).toBe('tampered');
    expect(failureOf(() => vault.open({ ...row, authTag: flipped(row.authTag, 15) }))).toBe('tampered');
    expect(failureOf(() => vault.open({ ...row, authTag: row.authTag.subarray(0, 12) }))).toBe('tampered');
    for (const at of [0, 3, 20, 40, 60]) expect(failureOf(() => vault.open({ ...row, wrappedDataKey: flipped(row.wrappedDataKey, at) }))).toBe('tampered');
    expect(failureOf(() => vault.open({ ...row, wrappedDataKey: row.wrappedDataKey.subarray(0, 60) }))).toBe('tampered');
    expect(failureOf(() => vault.open({ ...row, masterKeyId: '0123456789abcdef' }))).toBe('unknown_master_key');
    expect(vault.open(row)).toBe(secret);
  });

  it('binds each secret to its row: ciphertexts or wrapped keys moved to another row do not open', () => {
    const [idA, idB] = [randomUUID(), randomUUID()];
    const a: SealedRow = { id: idA, ...vault.seal('sk-aaaaaaaaaaaaaaaaaaaaaaaa', idA) };
    const b: SealedRow = { id: idB, ...vault.seal('sk-bbbbbbbbbbbbbbbbbbbbbbbb', idB) };
    // The whole sealed content of A copied onto B's row.
    expect(failureOf(() => vault.open({ ...a, id: idB }))).toBe('tampered');
    // Only the secret layer swapped (B's data key wrapping kept).
    expect(failureOf(() => vault.open({ ...b, ciphertext: a.ciphertext, iv: a.iv, authTag: a.authTag }))).toBe('tampered');
    // Only the wrapped data key swapped.
    expect(failureOf(() => vault.open({ ...b, wrappedDataKey: a.wrappedDataKey }))).toBe('tampered');
    expect([vault.open(a), vault.open(b)]).toEqual(['sk-aaaaaaaaaaaaaaaaaaaaaaaa', 'sk-bbbbbbbbbbbbbbbbbbbbbbbb']);
  });

  it('does not open rows of another master key, and cannot seal without one', () => {
    const id = randomUUID();
    const row = { id, ...new KeyVault(oldKey).seal(secret, id) };
    expect(failureOf(() => vault.open(row))).toBe('unknown_master_key');
    // A key with the same id label but different bytes (a forged master key id) fails authentication.
    expect(failureOf(() => vault.open({ ...row, masterKeyId: vault.currentKeyId! }))).toBe('tampered');
    const none = new KeyVault(undefined);
    expect(none.configured).toBe(false);
    expect(failureOf(() => none.seal(secret, id))).toBe('not_configured');
    expect(failureOf(() => none.open(row))).toBe('not_configured');
    expect(() => KeyVault.fromBase64(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('re-wraps a data key under the current key without touching the secret', () => {
    const id = randomUUID();
    const row: SealedRow = { id, ...new KeyVault(oldKey).seal(secret, id) };
    const rotating = new KeyVault(newKey, [oldKey]);
    expect(rotating.open(row)).toBe(secret);
    const moved = { ...row, ...rotating.rewrap(row) };
    expect(moved.masterKeyId).toBe(masterKeyFingerprint(newKey));
    expect(Buffer.from(moved.ciphertext).equals(Buffer.from(row.ciphertext))).toBe(true);
    expect(new KeyVault(newKey).open(moved)).toBe(secret);
    expect(failureOf(() => new KeyVault(oldKey).open(moved))).toBe('unknown_master_key');
  });

  it('masks keys to a hint that gives little away', () => {
    expect(secretHint('sk-proj-4f9a0c1d2e3b4a5968778695a4b3abcd')).toBe('sk-…abcd');
    expect(secretHint('AIzaSyD-0123456789abcdefWXYZ')).toBe('…WXYZ');
    expect(secretHint('sk-ant-api03-xyz0123456789-9876')).toBe('sk-…9876');
    expect(secretHint('short123')).toBe('…23');
    expect(secretHint('abc')).toBe('…');
  });
});

describe(`master key rotation over stored keys (${engineName})`, () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let audit: AuditLog;
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = database.db.prisma;
    audit = new AuditLog(prisma);
    const provider = await prisma.provider.create({ data: { name: 'Rotation', kind: 'openai_compatible' } });
    const before = new KeyVault(oldKey);
    for (let i = 0; i < 12; i++) {
      const id = randomUUID();
      const plaintext = `sk-rotation-${i}-${randomBytes(12).toString('hex')}`;
      secrets.set(id, plaintext);
      await prisma.apiKey.create({ data: { id, providerId: provider.id, label: `k${i}`, hint: secretHint(plaintext), ...before.seal(plaintext, id) } });
    }
  });
  afterAll(() => database.drop());

  const openAll = async (vault: KeyVault) => {
    const rows = await prisma.apiKey.findMany();
    return Object.fromEntries(rows.map((r) => [r.id, vault.open(r)]));
  };

  it('re-wraps every row while a server holding both keys keeps opening them', async () => {
    const serverVault = new KeyVault(newKey, [oldKey]);
    // Mid-rotation state made certain: one row already under the new key, the rest under the old.
    const first = (await prisma.apiKey.findMany({ orderBy: { createdAt: 'asc' }, take: 1 }))[0]!;
    await prisma.apiKey.update({ where: { id: first.id }, data: serverVault.rewrap(first) });
    expect(new Set((await prisma.apiKey.findMany()).map((r) => r.masterKeyId)).size).toBe(2);
    expect(await openAll(serverVault)).toEqual(Object.fromEntries(secrets));

    const rotation = rewrapApiKeys({ prisma, audit, keyVault: new KeyVault(newKey, [oldKey]) });
    // A "running server" reading every key during the rotation: each read sees
    // either the old or the new wrapping, and both open.
    const reads: Record<string, string>[] = [];
    let finished = false;
    void rotation.finally(() => (finished = true));
    do reads.push(await openAll(serverVault));
    while (!finished);
    const summary = await rotation;

    expect(summary).toEqual({ rewrapped: 11, alreadyCurrent: 1, failed: [] });
    for (const seen of reads) expect(seen).toEqual(Object.fromEntries(secrets));
    const rows = await prisma.apiKey.findMany();
    expect(new Set(rows.map((r) => r.masterKeyId))).toEqual(new Set([masterKeyFingerprint(newKey)]));
    // The new key alone now opens everything; the old one opens nothing.
    expect(await openAll(new KeyVault(newKey))).toEqual(Object.fromEntries(secrets));
    expect(failureOf(() => new KeyVault(oldKey).open(rows[0]!))).toBe('unknown_master_key');

    const entries = await prisma.auditLog.findMany({ where: { action: 'apiKey.rewrap' } });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.newValues).toEqual({ masterKeyId: masterKeyFingerprint(newKey), rewrapped: 11, failed: 0 });
    expect(JSON.stringify(entries.map((e) => [e.oldValues, e.newValues]))).not.toMatch(/sk-rotation/);
  });

  it('is idempotent, and reports rows it cannot open instead of stopping', async () => {
    expect(await rewrapApiKeys({ prisma, audit, keyVault: new KeyVault(newKey, [oldKey]) })).toEqual({ rewrapped: 0, alreadyCurrent: 12, failed: [] });
    expect(await prisma.auditLog.count({ where: { action: 'apiKey.rewrap' } })).toBe(1);

    const stray = randomBytes(32);
    const provider = await prisma.provider.findFirstOrThrow();
    const id = randomUUID();
    await prisma.apiKey.create({ data: { id, providerId: provider.id, hint: '…', ...new KeyVault(stray).seal('sk-stray-0000000000000000', id) } });
    const third = randomBytes(32);
    const summary = await rewrapApiKeys({ prisma, audit, keyVault: new KeyVault(third, [newKey]) });
    expect(summary.rewrapped).toBe(12);
    expect(summary.failed).toEqual([{ id, reason: expect.stringMatching(/neither MASTER_KEY nor in MASTER_KEY_PREVIOUS/) }]);
    expect(await prisma.apiKey.count({ where: { masterKeyId: masterKeyFingerprint(third) } })).toBe(12);
    await expect(rewrapApiKeys({ prisma, audit, keyVault: new KeyVault(undefined) })).rejects.toThrow(/MASTER_KEY is not set/);
  });
});
