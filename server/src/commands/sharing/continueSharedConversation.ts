import { randomUUID } from 'node:crypto';
import { fileSources } from '../../chat/sources.js';
import type { Conversation, Prisma } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { assistantResource, can } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { snapshotMessages } from '../../sharing/snapshot.js';
import { auditActor, type CommandContext } from '../context.js';
import { viewableShare } from './shareAccess.js';
import { readableSourceFiles } from './viewSharedConversation.js';

/**
 * "Continue in my own chat": copies a share's snapshot into a new
 * conversation of the viewer with the same assistant, which they must be
 * allowed to use. The copy is theirs; the original is untouched. What the
 * owner's answers cost, their feedback and their edit history stay with them.
 */
export async function continueSharedConversation(s: Pick<Services, 'prisma' | 'audit'>, ctx: CommandContext, token: string): Promise<Conversation> {
  const share = await viewableShare(s, ctx.actor, token);
  const { assistant } = share.conversation;
  if (assistant.deletedAt || !can(ctx.actor, 'assistant.use', assistantResource(assistant))) {
    throw AppError.forbidden(`You may not use the assistant “${assistant.name}”, so this conversation cannot continue in your chat`);
  }
  return s.prisma.$transaction(async (tx) => {
    const messages = await snapshotMessages(tx, share);
    // The copy keeps only sources the viewer may read: it becomes their own conversation.
    const readable = await readableSourceFiles(tx, ctx.actor, messages);
    const now = Date.now();
    // Fresh ids, the same shape of tree; one millisecond apart so the order survives any sort by time.
    const ids = messages.map(() => randomUUID());
    const conversation = await tx.conversation.create({ data: { userId: ctx.actor.id, assistantId: assistant.id, title: share.title } });
    const copies: Prisma.MessageCreateManyInput[] = messages.map((m, i) => ({
      id: ids[i]!,
      conversationId: conversation.id,
      parentId: i === 0 ? null : ids[i - 1]!,
      role: m.role,
      content: m.content,
      status: m.status === 'streaming' ? 'stopped' : m.status,
      model: m.model,
      fallbackFrom: m.fallbackFrom,
      finishReason: m.finishReason,
      error: m.error,
      // Never the owner's memories (the copy is the viewer's), and only passages the viewer may read.
      sources: fileSources(m.sources).filter((source) => readable.has(source.fileId)) as unknown as Prisma.InputJsonValue,
      createdAt: new Date(now - messages.length + i),
    }));
    await tx.message.createMany({ data: copies });
    const copy = await tx.conversation.update({ where: { id: conversation.id }, data: { activeLeafId: ids.at(-1) ?? null, lastMessageAt: new Date(now) } });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'share.continue',
        resource: { type: 'conversation_share', id: share.id },
        newValues: { conversationId: copy.id, fromConversationId: share.conversationId, messages: messages.length },
        meta: ctx.meta,
      },
      tx,
    );
    return copy;
  });
}
