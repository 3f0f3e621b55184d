import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Envelope encryption for provider API keys (SPEC "Governance"). Each secret
// gets its own random data key; the secret is sealed with it (AES-256-GCM)
// and the data key is sealed with the master key from the environment, so
// rotating the master key re-wraps 32-byte data keys and never touches the
// secrets. Both layers authenticate the owning row's id (GCM additional data),
// so a ciphertext or wrapped key copied onto another row does not open.

/** The encrypted columns of an ApiKey row. */
export interface SealedSecret<Bytes extends Uint8Array = Uint8Array<ArrayBuffer>> {
  ciphertext: Bytes;
  iv: Bytes;
  authTag: Bytes;
  /** version (1) ‖ iv (12) ‖ tag (16) ‖ encrypted data key (32). */
  wrappedDataKey: Bytes;
  /** Fingerprint of the master key that wrapped the data key. */
  masterKeyId: string;
}

/** A stored row: the sealed columns and the id they are bound to. */
export type SealedRow = SealedSecret<Uint8Array> & { id: string };

export type KeyVaultFailure =
  /** MASTER_KEY is not set. */
  | 'not_configured'
  /** The row was wrapped by a master key this process does not hold. */
  | 'unknown_master_key'
  /** Authentication failed: the row was altered, moved, or a key is wrong. */
  | 'tampered';

export class KeyVaultError extends Error {
  constructor(
    readonly failure: KeyVaultFailure,
    message: string,
  ) {
    super(message);
    this.name = 'KeyVaultError';
  }
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const WRAP_VERSION = 1;

/** First 16 hex digits of SHA-256 of the raw key: names a master key without revealing it. */
export function masterKeyFingerprint(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Decodes a base64 master key; throws unless it is exactly 32 bytes. */
export function decodeMasterKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== KEY_BYTES) throw new Error('A master key must be 32 bytes encoded as base64');
  return key;
}

// Different additional data for the two layers, so neither can stand in for the other.
const secretAad = (rowId: string) => Buffer.from(`atrium:api-key:secret:${rowId}`);
const wrapAad = (rowId: string, masterKeyId: string) => Buffer.from(`atrium:api-key:data-key:${rowId}:${masterKeyId}`);

function encrypt(key: Uint8Array, plaintext: Uint8Array, aad: Buffer) {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, authTag: cipher.getAuthTag() };
}

function decrypt(key: Uint8Array, parts: { iv: Uint8Array; ciphertext: Uint8Array; authTag: Uint8Array }, aad: Buffer): Buffer {
  try {
    if (parts.iv.length !== IV_BYTES || parts.authTag.length !== TAG_BYTES) throw new Error('bad sizes');
    const decipher = createDecipheriv(ALGORITHM, key, parts.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(parts.authTag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch {
    throw new KeyVaultError('tampered', 'A stored API key failed authentication: it was altered, moved to another row, or wrapped by a different master key');
  }
}

/**
 * Seals and opens API keys. Holds the current master key (new and re-wrapped
 * rows) and any previous ones (MASTER_KEY_PREVIOUS), so rows keep opening
 * while `npm run keys:rotate` moves them to the current key.
 */
export class KeyVault {
  private readonly keys = new Map<string, Buffer>();
  /** Fingerprint of MASTER_KEY; undefined when it is not set. */
  readonly currentKeyId: string | undefined;
  /** Fingerprints of the previous keys, in the order given. */
  readonly previousKeyIds: readonly string[];

  constructor(current: Uint8Array | undefined, previous: readonly Uint8Array[] = []) {
    this.previousKeyIds = previous.map((key) => this.hold(key));
    this.currentKeyId = current ? this.hold(current) : undefined;
  }

  /** From the base64 strings of the configuration. */
  static fromBase64(current: string | undefined, previous: readonly string[] = []): KeyVault {
    return new KeyVault(current ? decodeMasterKey(current) : undefined, previous.map(decodeMasterKey));
  }

  get configured(): boolean {
    return this.currentKeyId !== undefined;
  }

  /** Whether rows wrapped under this fingerprint can be opened here. */
  holds(masterKeyId: string): boolean {
    return this.keys.has(masterKeyId);
  }

  /** Encrypts `plaintext` for the row `rowId` under a fresh data key wrapped by the current master key. */
  seal(plaintext: string, rowId: string): SealedSecret {
    const masterKeyId = this.requireCurrent();
    const dataKey = randomBytes(KEY_BYTES);
    try {
      const secret = encrypt(dataKey, Buffer.from(plaintext, 'utf8'), secretAad(rowId));
      return { ciphertext: secret.ciphertext, iv: secret.iv, authTag: secret.authTag, ...this.wrap(dataKey, rowId, masterKeyId) };
    } finally {
      dataKey.fill(0);
    }
  }

  /** The plaintext of a stored row; throws KeyVaultError when it cannot be opened. */
  open(row: SealedRow): string {
    const dataKey = this.unwrap(row);
    try {
      return decrypt(dataKey, row, secretAad(row.id)).toString('utf8');
    } finally {
      dataKey.fill(0);
    }
  }

  /** The row's data key wrapped again under the current master key (the secret itself is untouched). */
  rewrap(row: SealedRow): Pick<SealedSecret, 'wrappedDataKey' | 'masterKeyId'> {
    const masterKeyId = this.requireCurrent();
    const dataKey = this.unwrap(row);
    try {
      // Proves the data key still opens the secret before the old wrapping is replaced.
      decrypt(dataKey, row, secretAad(row.id));
      return this.wrap(dataKey, row.id, masterKeyId);
    } finally {
      dataKey.fill(0);
    }
  }

  private hold(key: Uint8Array): string {
    if (key.length !== KEY_BYTES) throw new Error('A master key must be 32 bytes');
    const id = masterKeyFingerprint(key);
    this.keys.set(id, Buffer.from(key));
    return id;
  }

  private requireCurrent(): string {
    if (!this.currentKeyId) throw new KeyVaultError('not_configured', 'MASTER_KEY is not set, so API keys cannot be stored or read');
    return this.currentKeyId;
  }

  private wrap(dataKey: Buffer, rowId: string, masterKeyId: string) {
    const sealed = encrypt(this.keys.get(masterKeyId)!, dataKey, wrapAad(rowId, masterKeyId));
    return { wrappedDataKey: Buffer.concat([Buffer.of(WRAP_VERSION), sealed.iv, sealed.authTag, sealed.ciphertext]), masterKeyId };
  }

  private unwrap(row: SealedRow): Buffer {
    if (!this.configured && !this.keys.size) throw new KeyVaultError('not_configured', 'MASTER_KEY is not set, so API keys cannot be read');
    const masterKey = this.keys.get(row.masterKeyId);
    if (!masterKey) {
      throw new KeyVaultError('unknown_master_key', `The API key was encrypted under master key ${row.masterKeyId}, which is neither MASTER_KEY nor in MASTER_KEY_PREVIOUS`);
    }
    const packed = Buffer.from(row.wrappedDataKey);
    if (packed.length !== 1 + IV_BYTES + TAG_BYTES + KEY_BYTES || packed[0] !== WRAP_VERSION) {
      throw new KeyVaultError('tampered', 'A stored API key has a malformed wrapped data key');
    }
    return decrypt(
      masterKey,
      { iv: packed.subarray(1, 1 + IV_BYTES), authTag: packed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES), ciphertext: packed.subarray(1 + IV_BYTES + TAG_BYTES) },
      wrapAad(row.id, row.masterKeyId),
    );
  }
}

/**
 * What clients see of a key: a recognisable prefix and the last characters,
 * e.g. `sk-…abcd`. Short keys show less, so the hint never gives most of one away.
 */
export function secretHint(plaintext: string): string {
  const key = plaintext.trim();
  const prefix = /^[A-Za-z]{2,4}-/.exec(key)?.[0] ?? '';
  if (key.length >= 16) return `${prefix}…${key.slice(-4)}`;
  if (key.length >= 8) return `…${key.slice(-2)}`;
  return '…';
}
