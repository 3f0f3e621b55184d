import { activePath } from '../../chat/conversationTree.js';
import { AppError } from '../../errors/appError.js';
import { authorize, type Actor } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { newShareToken } from '../../sharing/snapshot.js';
import { auditActor, type CommandContext } from '../context.js';
import { ownConversation } from '../conversations/conversationAccess.js';
import { shareInclude, type ShareRecord } from './shareAccess.js';

/** Who a conversation is shared with: a colleague by e-mail (staff may not list users), one of the sharer's groups, or a link. */
export type ShareTarget = { audience: 'user'; email: string } | { audience: 'group'; groupId: string } | { audience: 'link' };

/**
 * Shares the branch of one of the actor's conversations that is shown now,
 * read-only. Audited with whom it was shared, never with message text.
 */
export async function shareConversation(s: Pick<Services, 'prisma' | 'audit' | 'generations'>, ctx: CommandContext, conversationId: string, target: ShareTarget): Promise<ShareRecord> {
  const conversation = await ownConversation(s, ctx.actor, conversationId);
  // The answer being written would be cut in the middle; share once it has finished.
  if (await s.generations.busy(conversation.id)) throw new AppError('conflict', 'An answer is being written; share the conversation once it has finished');
  const tree = await s.prisma.message.findMany({ where: { conversationId }, select: { id: true, parentId: true, createdAt: true } });
  const path = activePath(tree, conversation.activeLeafId);
  const leaf = path.at(-1);
  if (!leaf) throw new AppError('bad_request', 'There is nothing to share yet: ask a question first');
  const recipient = await resolveRecipient(s, ctx.actor, target);

  return s.prisma.$transaction(async (tx) => {
    const share = await tx.conversationShare.create({
      data: { conversationId, ownerId: ctx.actor.id, leafMessageId: leaf.id, title: conversation.title, audience: target.audience, ...recipient, token: newShareToken() },
      include: shareInclude,
    });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'share.create',
        resource: { type: 'conversation_share', id: share.id },
        newValues: { conversationId, audience: share.audience, user: share.user && { id: share.user.id, email: share.user.email }, group: share.group, messages: path.length },
        meta: ctx.meta,
      },
      tx,
    );
    return share;
  });
}

async function resolveRecipient(s: Pick<Services, 'prisma'>, actor: Actor, target: ShareTarget): Promise<{ userId?: string; groupId?: string }> {
  if (target.audience === 'link') return {};
  if (target.audience === 'group') {
    authorize(actor, 'share.toGroup', { kind: 'group', id: target.groupId }, true);
    const group = await s.prisma.group.findUnique({ where: { id: target.groupId }, select: { id: true } });
    if (!group) throw AppError.notFound('Group');
    return { groupId: group.id };
  }
  const user = await s.prisma.user.findFirst({ where: { email: target.email, active: true, pending: null }, select: { id: true } });
  if (!user) throw new AppError('not_found', `No active colleague has the e-mail address ${target.email}`);
  if (user.id === actor.id) throw new AppError('bad_request', 'This is your own conversation: share it with someone else');
  return { userId: user.id };
}

/** The shares of one of the actor's conversations, newest first. */
export async function listConversationShares(s: Pick<Services, 'prisma'>, actor: Actor, conversationId: string) {
  await ownConversation(s, actor, conversationId);
  return s.prisma.conversationShare.findMany({
    where: { conversationId, ownerId: actor.id },
    include: { ...shareInclude, _count: { select: { views: true } } },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
  });
}

/** Ends a share at once: the row goes, so its token and its recipients open nothing. */
export async function revokeShare(s: Pick<Services, 'prisma' | 'audit'>, ctx: CommandContext, shareId: string): Promise<void> {
  await s.prisma.$transaction(async (tx) => {
    const share = await tx.conversationShare.findFirst({ where: { id: shareId, ownerId: ctx.actor.id } });
    // deleteMany: a revocation racing this one finds nothing to delete, and says so.
    if (!share || (await tx.conversationShare.deleteMany({ where: { id: share.id } })).count === 0) throw AppError.notFound('Share');
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'share.revoke',
        resource: { type: 'conversation_share', id: share.id },
        oldValues: { conversationId: share.conversationId, audience: share.audience, userId: share.userId, groupId: share.groupId },
        meta: ctx.meta,
      },
      tx,
    );
  });
}
