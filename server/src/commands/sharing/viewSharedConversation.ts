import type { Message } from '../../db/generated/client.js';
import { fileSources } from '../../chat/sources.js';
import { assistantResource, can, sharedWithActor, type Actor } from '../../policies/index.js';
import { readableKnowledgeBases } from '../../policies/knowledgeBases.js';
import type { Services } from '../../services.js';
import { snapshotMessages } from '../../sharing/snapshot.js';
import { auditActor, type CommandContext } from '../context.js';
import { shareInclude, viewableShare, type ShareRecord } from './shareAccess.js';

export interface SharedConversation {
  share: ShareRecord;
  messages: Message[];
  /** Whether the viewer may read all the knowledge the answers drew on (else some sources show file names only). */
  passagesReadable: boolean;
  /** The files whose passages the viewer may read: those in knowledge bases they may read. */
  readableFileIds: ReadonlySet<string>;
  /** Whether the viewer may use the assistant, and so continue the conversation in their own chat. */
  mayContinue: boolean;
}

/**
 * Of the files the messages' sources come from, those whose passages the actor
 * may read outside the owner's chat: files of knowledge bases the actor may
 * read (the rule retrieval applies to their own questions).
 */
export async function readableSourceFiles(prisma: Pick<Services['prisma'], 'knowledgeFile'>, actor: Actor, messages: Pick<Message, 'sources'>[]): Promise<Set<string>> {
  const fileIds = [...new Set(messages.flatMap((m) => fileSources(m.sources).map((source) => source.fileId)))];
  if (fileIds.length === 0) return new Set();
  const readable = await prisma.knowledgeFile.findMany({ where: { id: { in: fileIds }, knowledgeBase: readableKnowledgeBases(actor) }, select: { id: true } });
  return new Set(readable.map((f) => f.id));
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
  const messages = await snapshotMessages(s.prisma, share);
  const readableFileIds = await readableSourceFiles(s.prisma, ctx.actor, messages);
  const cited = messages.flatMap((m) => fileSources(m.sources).map((source) => source.fileId));
  return {
    share,
    messages,
    passagesReadable: cited.every((fileId) => readableFileIds.has(fileId)),
    readableFileIds,
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
