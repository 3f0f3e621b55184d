import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../db/database.js';
import type { ScimToken } from '../../db/generated/client.js';

const PREFIX = 'scim_';
const hashToken = (raw: string) => createHash('sha256').update(raw).digest('hex');

/** A fresh secret: shown once, stored only as its hash. */
function newSecret(): { raw: string; tokenHash: string; hint: string } {
  const raw = PREFIX + randomBytes(32).toString('base64url');
  return { raw, tokenHash: hashToken(raw), hint: `${PREFIX}…${raw.slice(-4)}` };
}

export class ScimTokens {
  constructor(private readonly prisma: PrismaClient) {}

  async create(name: string, createdById: string): Promise<{ token: ScimToken; secret: string }> {
    const { raw, tokenHash, hint } = newSecret();
    const token = await this.prisma.scimToken.create({ data: { name, tokenHash, hint, createdById } });
    return { token, secret: raw };
  }

  /** A new secret for the same token; the old one stops working at once. */
  async rotate(id: string): Promise<{ token: ScimToken; secret: string } | undefined> {
    const { raw, tokenHash, hint } = newSecret();
    const { count } = await this.prisma.scimToken.updateMany({ where: { id, revokedAt: null }, data: { tokenHash, hint } });
    if (!count) return undefined;
    return { token: await this.prisma.scimToken.findUniqueOrThrow({ where: { id } }), secret: raw };
  }

  async revoke(id: string): Promise<ScimToken | undefined> {
    const { count } = await this.prisma.scimToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    return count ? this.prisma.scimToken.findUniqueOrThrow({ where: { id } }) : undefined;
  }

  /** The live token a bearer secret belongs to. */
  async verify(raw: string | undefined): Promise<ScimToken | undefined> {
    if (!raw?.startsWith(PREFIX)) return undefined;
    const token = await this.prisma.scimToken.findUnique({ where: { tokenHash: hashToken(raw) } });
    if (!token || token.revokedAt) return undefined;
    // At most once a minute: a provisioning run sends hundreds of requests.
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
      await this.prisma.scimToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
    }
    return token;
  }
}

export function presentScimToken(t: ScimToken) {
  return {
    id: t.id,
    name: t.name,
    hint: t.hint,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}
