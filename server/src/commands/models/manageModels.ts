import type { ModelKind } from '../../db/generated/enums.js';
import { AppError } from '../../errors/appError.js';
import { modelWithProvider } from '../../http/presenters/model.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

export interface ModelInput {
  providerId: string;
  name: string;
  displayName?: string | null;
  kind?: ModelKind;
  contextWindow?: number;
  maxOutputTokens?: number | null;
  /** Per million tokens, in the currency the console shows; at most 6 decimals are kept. */
  inputPricePerMTok?: number;
  outputPricePerMTok?: number;
  enabled?: boolean;
  /** Takes images as input (attachments; docs/attachments.md). */
  vision?: boolean;
}

type Deps = Pick<Services, 'prisma' | 'audit'>;
type Tx = Parameters<Parameters<Services['prisma']['$transaction']>[0]>[0];

const AUDITED = ['providerId', 'name', 'displayName', 'kind', 'contextWindow', 'maxOutputTokens', 'inputPricePerMTok', 'outputPricePerMTok', 'enabled', 'vision'] as const;

/** Audit values as plain JSON: prices as numbers, like the API shows them. */
const auditValue = (v: unknown) => (v && typeof v === 'object' && 'toFixed' in v ? Number((v as { toFixed(d: number): string }).toFixed(6)) : v);

async function assertUnique(tx: Tx, providerId: string, name: string, exceptId?: string) {
  const provider = await tx.provider.findUnique({ where: { id: providerId }, select: { id: true } });
  if (!provider) throw new AppError('validation_failed', 'Invalid body', { issues: [{ path: 'providerId', message: 'no such provider', code: 'not_found' }] });
  const clash = await tx.model.findFirst({ where: { providerId, name, ...(exceptId ? { NOT: { id: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw new AppError('conflict', 'This provider already has a model with this name', { field: 'name' });
}

export async function createModel(s: Deps, ctx: CommandContext, input: ModelInput) {
  authorize(ctx.actor, 'model.manage');
  return s.prisma.$transaction(async (tx) => {
    await assertUnique(tx, input.providerId, input.name);
    const model = await tx.model.create({ data: input, include: modelWithProvider });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'model.create',
        resource: { type: 'model', id: model.id },
        newValues: Object.fromEntries(AUDITED.map((k) => [k, auditValue(model[k])])),
        meta: ctx.meta,
      },
      tx,
    );
    return model;
  });
}

export async function updateModel(s: Deps, ctx: CommandContext, modelId: string, input: Partial<ModelInput>) {
  authorize(ctx.actor, 'model.manage');
  return s.prisma.$transaction(async (tx) => {
    const before = await tx.model.findUnique({ where: { id: modelId } });
    if (!before) throw AppError.notFound('Model');
    const providerId = input.providerId ?? before.providerId;
    const name = input.name ?? before.name;
    if (providerId !== before.providerId || name !== before.name) await assertUnique(tx, providerId, name, modelId);
    const model = await tx.model.update({ where: { id: modelId }, data: input, include: modelWithProvider });
    const changed = AUDITED.filter((k) => input[k] !== undefined && String(auditValue(before[k])) !== String(auditValue(model[k])));
    if (changed.length) {
      await s.audit.record(
        {
          actor: auditActor(ctx.actor),
          action: 'model.update',
          resource: { type: 'model', id: modelId },
          oldValues: Object.fromEntries(changed.map((k) => [k, auditValue(before[k])])),
          newValues: Object.fromEntries(changed.map((k) => [k, auditValue(model[k])])),
          meta: ctx.meta,
        },
        tx,
      );
    }
    return model;
  });
}

/**
 * Refused while assistants (deleted ones aside) use the model: they would be
 * left without a model. Usage history keeps the model's name, so deleting a
 * model that was used loses no reporting.
 */
export async function deleteModel(s: Deps, ctx: CommandContext, modelId: string): Promise<void> {
  authorize(ctx.actor, 'model.manage');
  await s.prisma.$transaction(async (tx) => {
    const model = await tx.model.findUnique({ where: { id: modelId } });
    if (!model) throw AppError.notFound('Model');
    const assistants = await tx.assistant.count({ where: { modelId, deletedAt: null } });
    if (assistants) throw new AppError('conflict', `${assistants} assistant(s) use this model; give them another model first, or disable it`, { assistants });
    await tx.model.delete({ where: { id: modelId } });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'model.delete', resource: { type: 'model', id: modelId }, oldValues: { providerId: model.providerId, name: model.name, kind: model.kind }, meta: ctx.meta },
      tx,
    );
  });
}
