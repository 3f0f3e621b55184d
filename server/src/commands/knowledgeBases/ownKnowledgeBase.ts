import type { PrismaClient } from '../../db/database.js';
import type { Prisma } from '../../db/generated/client.js';
import type { AuditLog } from '../../governance/auditLog.js';
import type { Services } from '../../services.js';
import { lockAssistant, type AssistantRecord } from '../assistants/assistantAccess.js';
import { auditActor, type CommandContext } from '../context.js';

// An assistant's own base holds the files uploaded through its Knowledge tab
// (the /assistants/:id/files routes, kept from before knowledge bases), and
// what the migration made of the files it had. It is maintained and read by
// the groups the assistant is shared with, kept in step when they change.

type Db = PrismaClient | Prisma.TransactionClient;

export async function ownKnowledgeBase(db: Db, assistantId: string) {
  return db.knowledgeBase.findFirst({ where: { assistantId, deletedAt: null } });
}

/** The base an upload to the assistant's Knowledge tab goes to; two first uploads at once make one base. */
export async function ownKnowledgeBaseForUpload(s: Pick<Services, 'prisma' | 'audit'>, ctx: CommandContext, assistant: AssistantRecord) {
  return s.prisma.$transaction(async (tx) => {
    await lockAssistant(tx, assistant.id);
    return ensureOwnKnowledgeBase(tx, s.audit, ctx, assistant);
  });
}

/** The assistant's own base, created and attached on first use; call with the assistant's row locked. */
export async function ensureOwnKnowledgeBase(tx: Prisma.TransactionClient, audit: Pick<AuditLog, 'record'>, ctx: CommandContext, assistant: AssistantRecord) {
  const existing = await ownKnowledgeBase(tx, assistant.id);
  if (existing) return existing;
  const groups = assistant.groups.map((g) => ({ groupId: g.groupId }));
  const base = await tx.knowledgeBase.create({
    data: {
      name: `${assistant.name} knowledge`,
      assistantId: assistant.id,
      createdById: ctx.actor.id,
      maintainers: { create: groups },
      readers: { create: groups },
      attachments: { create: { assistantId: assistant.id } },
    },
  });
  await audit.record(
    {
      actor: auditActor(ctx.actor),
      action: 'knowledge_base.create',
      resource: { type: 'knowledge_base', id: base.id },
      newValues: { name: base.name, assistantId: assistant.id, groupIds: groups.map((g) => g.groupId) },
      meta: ctx.meta,
    },
    tx,
  );
  return base;
}

/** Sharing an assistant with a group (or withdrawing it) does the same for its own base. */
export async function followAssistantGroups(tx: Prisma.TransactionClient, assistantId: string, added: string[], removed: string[]): Promise<void> {
  const base = await ownKnowledgeBase(tx, assistantId);
  if (!base) return;
  const gone = { knowledgeBaseId: base.id, groupId: { in: removed } };
  const joined = added.map((groupId) => ({ knowledgeBaseId: base.id, groupId }));
  await tx.knowledgeBaseReader.deleteMany({ where: gone });
  await tx.knowledgeBaseMaintainer.deleteMany({ where: gone });
  await tx.knowledgeBaseReader.createMany({ data: joined, skipDuplicates: true });
  await tx.knowledgeBaseMaintainer.createMany({ data: joined, skipDuplicates: true });
}
