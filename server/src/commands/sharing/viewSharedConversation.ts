import type { Message } from '../../db/generated/client.js';
import { assistantResource, can, sharedWithActor, type Actor } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { snapshotMessages } from '../../sharing/snapshot.js';
import { auditActor, type CommandContext } from '../context.js';
import { shareInclude, viewableShare, type ShareRecord } from './shareAccess.js';

export interface SharedConversation {
  share: ShareRecord;
  messages: Message[];
  /** Whether the viewer may read the knowledge the answers drew on: passages, or file names only. */
  passagesReadable: boolean;
  /** Whether the viewer may use the assistant, and so continue the conversation in their own chat. */
  mayContinue: boolean;
}

/** Whether the actor may see the passages an assistant's answers drew on. */
export function mayReadPassages(actor: Actor, assistant: ShareRecord['conversation']['assistant']): boolean {
  return can(actor, 'knowledge.read', assistantResource(assistant));
}

/**
 * The snapshot behind a share, for anyone it is addressed to. Someone's first
 * view is recorded (a link then appears in their "Shared with me") and
 * audited once; later views are not, so reading does not flood the log.
 */
export async function viewSharedConversation(s: Pick<Services, 'prisma' | 'audit'>, ctx: CommandContext, token: string): Promise<SharedConversation> {
  const share = await viewableShare(s, ctx.actor, token);
  if (share.ownerId !== ctx.actor.id) {
    await s.prisma.$transaction(async (tx) => {
      const { count } = await tx.conversationShareView.createMany({ data: [{ shareId: share.id, userId: ctx.actor.id }], skipDuplicates: true });
      if (count === 0) return;
      await s.audit.record(
        { actor: auditActor(ctx.actor), action: 'share.view', resource: { type: 'conversation_share', id: share.id }, newValues: { conversationId: share.conversationId, audience: share.audience }, meta: ctx.meta },
        tx,
      );
    });
  }
  const { assistant } = share.conversation;
  return {
    share,
    messages: await snapshotMessages(s.prisma, share),
    passagesReadable: mayReadPassages(ctx.actor, assistant),
    mayContinue: !assistant.deletedAt && can(ctx.actor, 'assistant.use', assistantResource(assistant)),
  };
}

/** Conversations others shared with the actor, newest first. */
export async function listSharedWithMe(s: Pick<Services, 'prisma'>, actor: Actor, window: { skip: number; take: number }) {
  const where = sharedWithActor(actor);
  const [rows, total] = await Promise.all([
    s.prisma.conversationShare.findMany({ where, include: shareInclude, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], ...window }),
    s.prisma.conversationShare.count({ where }),
  ]);
  return { rows, total };
}
