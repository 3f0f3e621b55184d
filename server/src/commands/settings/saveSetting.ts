import type { Setting } from '../../db/generated/client.js';
import type { Prisma } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

/** Stores one system setting (already validated against its key's schema) and audits old and new values. */
export async function saveSetting(s: Services, ctx: CommandContext, key: string, value: Prisma.InputJsonValue): Promise<Setting> {
  authorize(ctx.actor, 'settings.manage');
  const saved = await s.prisma.$transaction(async (tx) => {
    await assertReferencesExist(tx, key, value);
    const before = await tx.setting.findUnique({ where: { key } });
    const saved = await tx.setting.upsert({
      where: { key },
      create: { key, value, updatedById: ctx.actor.id },
      update: { value, updatedById: ctx.actor.id },
    });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'settings.update',
        resource: { type: 'setting', id: key },
        oldValues: before?.value ?? null,
        newValues: value,
        meta: ctx.meta,
      },
      tx,
    );
    return saved;
  });
  await s.events.publish('setting.changed', { key });
  return saved;
}

/** What a value's schema cannot check: that the records it names exist (the registration policy's default groups). */
async function assertReferencesExist(tx: Prisma.TransactionClient, key: string, value: Prisma.InputJsonValue): Promise<void> {
  if (key !== 'registration') return;
  const ids = [...new Set((value as { defaultGroupIds?: string[] }).defaultGroupIds ?? [])];
  if (!ids.length) return;
  if ((await tx.group.count({ where: { id: { in: ids } } })) === ids.length) return;
  const message = 'must name existing groups';
  throw new AppError('validation_failed', `defaultGroupIds: ${message}`, { issues: [{ path: 'defaultGroupIds', message }] });
}
