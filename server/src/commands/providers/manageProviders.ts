import type { ProviderKind } from '../../db/generated/enums.js';
import { AppError } from '../../errors/appError.js';
import { providerWithKeys } from '../../http/presenters/provider.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

export interface ProviderInput {
  name: string;
  kind: ProviderKind;
  /** Null: the provider's public endpoint. */
  baseUrl?: string | null;
  enabled?: boolean;
}

type Deps = Pick<Services, 'prisma' | 'audit'>;

async function assertNameFree(tx: Pick<Services['prisma'], 'provider'>, name: string, exceptId?: string) {
  const clash = await tx.provider.findFirst({ where: { name: { equals: name, mode: 'insensitive' }, ...(exceptId ? { NOT: { id: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw new AppError('conflict', 'A provider with this name already exists', { field: 'name' });
}

export async function createProvider(s: Deps, ctx: CommandContext, input: ProviderInput) {
  authorize(ctx.actor, 'provider.manage');
  return s.prisma.$transaction(async (tx) => {
    await assertNameFree(tx, input.name);
    const provider = await tx.provider.create({
      data: { name: input.name, kind: input.kind, baseUrl: input.baseUrl ?? null, enabled: input.enabled ?? true },
      include: providerWithKeys,
    });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'provider.create',
        resource: { type: 'provider', id: provider.id },
        newValues: { name: provider.name, kind: provider.kind, baseUrl: provider.baseUrl, enabled: provider.enabled },
        meta: ctx.meta,
      },
      tx,
    );
    return provider;
  });
}

export async function updateProvider(s: Deps, ctx: CommandContext, providerId: string, input: Partial<ProviderInput>) {
  authorize(ctx.actor, 'provider.manage');
  return s.prisma.$transaction(async (tx) => {
    const before = await tx.provider.findUnique({ where: { id: providerId } });
    if (!before) throw AppError.notFound('Provider');
    if (input.name !== undefined && input.name !== before.name) await assertNameFree(tx, input.name, providerId);
    const provider = await tx.provider.update({
      where: { id: providerId },
      data: { name: input.name, kind: input.kind, baseUrl: input.baseUrl, enabled: input.enabled },
      include: providerWithKeys,
    });
    const changed = (['name', 'kind', 'baseUrl', 'enabled'] as const).filter((k) => input[k] !== undefined && input[k] !== before[k]);
    if (changed.length) {
      await s.audit.record(
        {
          actor: auditActor(ctx.actor),
          action: 'provider.update',
          resource: { type: 'provider', id: providerId },
          oldValues: Object.fromEntries(changed.map((k) => [k, before[k]])),
          newValues: Object.fromEntries(changed.map((k) => [k, provider[k]])),
          meta: ctx.meta,
        },
        tx,
      );
    }
    return provider;
  });
}

/**
 * Deletes a provider with its keys and models. Refused while assistants use
 * one of its models: they would silently lose their model.
 */
export async function deleteProvider(s: Deps, ctx: CommandContext, providerId: string): Promise<void> {
  authorize(ctx.actor, 'provider.manage');
  await s.prisma.$transaction(async (tx) => {
    const provider = await tx.provider.findUnique({ where: { id: providerId }, include: { _count: { select: { apiKeys: true, models: true } } } });
    if (!provider) throw AppError.notFound('Provider');
    const assistants = await tx.assistant.count({ where: { model: { providerId }, deletedAt: null } });
    if (assistants) {
      throw new AppError('conflict', `${assistants} assistant(s) use a model of this provider; give them another model first, or disable the provider`, { assistants });
    }
    await tx.provider.delete({ where: { id: providerId } });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'provider.delete',
        resource: { type: 'provider', id: providerId },
        oldValues: { name: provider.name, kind: provider.kind, baseUrl: provider.baseUrl, keyCount: provider._count.apiKeys, modelCount: provider._count.models },
        meta: ctx.meta,
      },
      tx,
    );
  });
}
