import type { Prisma, Quota } from '../../db/generated/client.js';
import { auditActor, type CommandContext } from '../../commands/context.js';
import { AppError } from '../../errors/appError.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import type { QuotaScope } from './limits.js';

// Admin use cases for quotas; each writes its audit entry in the same transaction.

export interface QuotaLimitsInput {
  requestsPerMinute?: number | null;
  requestsPerHour?: number | null;
  tokensPerDay?: number | null;
  tokensPerMonth?: number | null;
  /** USD. */
  costPerDay?: number | null;
  costPerMonth?: number | null;
  alertThresholdPct?: number;
}

export interface QuotaCreateInput extends QuotaLimitsInput {
  scope: QuotaScope;
  scopeId?: string | null;
}

/** A quota's settings as plain JSON numbers (audit values, responses). */
export function quotaSettings(q: Quota) {
  const n = (v: { toString(): string } | bigint | number | null) => (v === null ? null : Number(v.toString()));
  return {
    scope: q.scope,
    scopeId: q.scopeId,
    requestsPerMinute: q.requestsPerMinute,
    requestsPerHour: q.requestsPerHour,
    tokensPerDay: n(q.tokensPerDay),
    tokensPerMonth: n(q.tokensPerMonth),
    costPerDay: n(q.costPerDay),
    costPerMonth: n(q.costPerMonth),
    alertThresholdPct: q.alertThresholdPct,
  };
}

function limitData(input: QuotaLimitsInput): Prisma.QuotaUpdateInput {
  const big = (v: number | null | undefined) => (v === undefined ? undefined : v === null ? null : BigInt(v));
  const money = (v: number | null | undefined) => (v === undefined ? undefined : v === null ? null : v.toFixed(6));
  return {
    requestsPerMinute: input.requestsPerMinute,
    requestsPerHour: input.requestsPerHour,
    tokensPerDay: big(input.tokensPerDay),
    tokensPerMonth: big(input.tokensPerMonth),
    costPerDay: money(input.costPerDay),
    costPerMonth: money(input.costPerMonth),
    alertThresholdPct: input.alertThresholdPct,
  };
}

async function assertScopeTarget(tx: Prisma.TransactionClient, scope: QuotaScope, scopeId: string | null | undefined): Promise<void> {
  const invalid = (message: string) => new AppError('validation_failed', 'Invalid body', { issues: [{ path: 'scopeId', message, code: 'custom' }] });
  if (scope === 'global') {
    if (scopeId) throw invalid('must be omitted for the global quota');
    return;
  }
  if (!scopeId) throw invalid(`is required for a ${scope} quota`);
  const found =
    scope === 'group'
      ? await tx.group.findUnique({ where: { id: scopeId }, select: { id: true } })
      : scope === 'user'
        ? await tx.user.findUnique({ where: { id: scopeId }, select: { id: true } })
        : await tx.assistant.findFirst({ where: { id: scopeId, deletedAt: null }, select: { id: true } });
  if (!found) throw invalid(`no such ${scope}`);
}

export async function createQuota(s: Services, ctx: CommandContext, input: QuotaCreateInput): Promise<Quota> {
  authorize(ctx.actor, 'quota.manage');
  return s.prisma.$transaction(async (tx) => {
    await assertScopeTarget(tx, input.scope, input.scopeId);
    const scopeId = input.scope === 'global' ? null : input.scopeId!;
    if (await tx.quota.findFirst({ where: { scope: input.scope, scopeId }, select: { id: true } })) {
      throw new AppError('conflict', 'This scope already has a quota; edit it instead', { field: 'scopeId' });
    }
    const quota = await tx.quota.create({ data: { ...(limitData(input) as Prisma.QuotaCreateInput), scope: input.scope, scopeId } });
    await s.audit.record({ actor: auditActor(ctx.actor), action: 'quota.create', resource: { type: 'quota', id: quota.id }, newValues: quotaSettings(quota), meta: ctx.meta }, tx);
    return quota;
  });
}

export async function updateQuota(s: Services, ctx: CommandContext, quotaId: string, input: QuotaLimitsInput): Promise<Quota> {
  authorize(ctx.actor, 'quota.manage');
  return s.prisma.$transaction(async (tx) => {
    const before = await tx.quota.findUnique({ where: { id: quotaId } });
    if (!before) throw AppError.notFound('Quota');
    const quota = await tx.quota.update({ where: { id: quotaId }, data: limitData(input) });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'quota.update', resource: { type: 'quota', id: quotaId }, oldValues: quotaSettings(before), newValues: quotaSettings(quota), meta: ctx.meta },
      tx,
    );
    return quota;
  });
}

export async function deleteQuota(s: Services, ctx: CommandContext, quotaId: string): Promise<void> {
  authorize(ctx.actor, 'quota.manage');
  await s.prisma.$transaction(async (tx) => {
    // FOR UPDATE first: calls in flight hold the row FOR KEY SHARE, so the
    // deletion waits for them and new ones wait for it (no deadlock on counters).
    const locked = await tx.$queryRawUnsafe<{ id: string }[]>(`SELECT id::text AS id FROM quotas WHERE id = $1::uuid FOR UPDATE`, quotaId);
    if (!locked.length) throw AppError.notFound('Quota');
    const before = await tx.quota.delete({ where: { id: quotaId } });
    await s.audit.record({ actor: auditActor(ctx.actor), action: 'quota.delete', resource: { type: 'quota', id: quotaId }, oldValues: quotaSettings(before), meta: ctx.meta }, tx);
  });
}
