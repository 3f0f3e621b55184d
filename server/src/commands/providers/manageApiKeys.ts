import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors/appError.js';
import { secretHint } from '../../governance/keyVault.js';
import { sealApiKey } from '../../governance/keyVaultErrors.js';
import { apiKeyViewSelect } from '../../http/presenters/provider.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

// A provider's API keys. The plaintext exists only between the request body
// and the vault: it is sealed before the transaction opens, and audit entries
// carry the masked hint alone.

type Deps = Pick<Services, 'prisma' | 'audit' | 'keyVault'>;

async function providerExists(s: Deps, providerId: string): Promise<void> {
  if (!(await s.prisma.provider.findUnique({ where: { id: providerId }, select: { id: true } }))) throw AppError.notFound('Provider');
}

export async function addApiKey(s: Deps, ctx: CommandContext, providerId: string, input: { apiKey: string; label?: string }) {
  authorize(ctx.actor, 'provider.manage');
  await providerExists(s, providerId);
  const id = randomUUID();
  const sealed = sealApiKey(s.keyVault, input.apiKey, id);
  const hint = secretHint(input.apiKey);
  return s.prisma.$transaction(async (tx) => {
    const key = await tx.apiKey.create({ data: { id, providerId, label: input.label ?? 'default', hint, ...sealed }, select: apiKeyViewSelect });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'apiKey.create', resource: { type: 'apiKey', id }, newValues: { providerId, label: key.label, hint }, meta: ctx.meta },
      tx,
    );
    return key;
  });
}

async function keyOf(tx: Pick<Services['prisma'], 'apiKey'>, providerId: string, keyId: string) {
  const key = await tx.apiKey.findFirst({ where: { id: keyId, providerId }, select: { ...apiKeyViewSelect, providerId: true } });
  if (!key) throw AppError.notFound('API key');
  return key;
}

export async function updateApiKey(s: Deps, ctx: CommandContext, providerId: string, keyId: string, input: { enabled?: boolean; label?: string }) {
  authorize(ctx.actor, 'provider.manage');
  return s.prisma.$transaction(async (tx) => {
    const before = await keyOf(tx, providerId, keyId);
    const key = await tx.apiKey.update({ where: { id: keyId }, data: { enabled: input.enabled, label: input.label }, select: apiKeyViewSelect });
    const changed = (['enabled', 'label'] as const).filter((k) => input[k] !== undefined && input[k] !== before[k]);
    if (changed.length) {
      await s.audit.record(
        {
          actor: auditActor(ctx.actor),
          action: 'apiKey.update',
          resource: { type: 'apiKey', id: keyId },
          oldValues: { hint: before.hint, ...Object.fromEntries(changed.map((k) => [k, before[k]])) },
          newValues: Object.fromEntries(changed.map((k) => [k, key[k]])),
          meta: ctx.meta,
        },
        tx,
      );
    }
    return key;
  });
}

/** Replaces the secret in place (a new data key too); the row, its label and its id stay. */
export async function rotateApiKey(s: Deps, ctx: CommandContext, providerId: string, keyId: string, input: { apiKey: string }) {
  authorize(ctx.actor, 'provider.manage');
  const sealed = sealApiKey(s.keyVault, input.apiKey, keyId);
  const hint = secretHint(input.apiKey);
  return s.prisma.$transaction(async (tx) => {
    const before = await keyOf(tx, providerId, keyId);
    const key = await tx.apiKey.update({ where: { id: keyId }, data: { ...sealed, hint, rotatedAt: new Date() }, select: apiKeyViewSelect });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'apiKey.rotate', resource: { type: 'apiKey', id: keyId }, oldValues: { hint: before.hint }, newValues: { hint }, meta: ctx.meta },
      tx,
    );
    return key;
  });
}

export async function deleteApiKey(s: Deps, ctx: CommandContext, providerId: string, keyId: string): Promise<void> {
  authorize(ctx.actor, 'provider.manage');
  await s.prisma.$transaction(async (tx) => {
    const before = await keyOf(tx, providerId, keyId);
    await tx.apiKey.delete({ where: { id: keyId } });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'apiKey.delete', resource: { type: 'apiKey', id: keyId }, oldValues: { providerId, label: before.label, hint: before.hint }, meta: ctx.meta },
      tx,
    );
  });
}
