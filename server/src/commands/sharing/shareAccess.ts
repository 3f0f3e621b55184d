import type { Prisma } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { can, shareResource, type Actor } from '../../policies/index.js';
import type { Services } from '../../services.js';

export const shareInclude = {
  owner: { select: { id: true, name: true } },
  user: { select: { id: true, name: true, email: true } },
  group: { select: { id: true, name: true } },
  conversation: { select: { assistant: { select: { id: true, name: true, deletedAt: true, createdById: true, groups: { select: { groupId: true } } } } } },
} as const;
export type ShareRecord = Prisma.ConversationShareGetPayload<{ include: typeof shareInclude }>;

/**
 * The share behind `token`, if the actor may view it. Anyone else gets "not
 * found", whether the token is wrong, revoked, or addressed to someone else,
 * so a share's existence does not leak.
 */
export async function viewableShare(s: Pick<Services, 'prisma'>, actor: Actor, token: string): Promise<ShareRecord> {
  const share = await s.prisma.conversationShare.findUnique({ where: { token }, include: shareInclude });
  if (!share || !can(actor, 'share.view', shareResource(share))) throw AppError.notFound('Shared conversation');
  return share;
}
