import { randomBytes } from 'node:crypto';
import { pathTo } from '../chat/conversationTree.js';
import { fileSources } from '../chat/sources.js';
import type { PrismaClient } from '../db/database.js';
import type { Message, Prisma } from '../db/generated/client.js';

// A shared conversation is a snapshot kept by reference: the share records the
// last message its owner saw, and the snapshot is the path from the root to
// it. Messages are not changed once written (regenerating or editing adds a
// sibling), so that path never changes, and what is written later hangs below
// it. Copying the messages instead would duplicate the text and let a share
// outlive the owner deleting their conversation.

/** 32 random bytes: the link's only secret, never derived from anything else. */
export const newShareToken = () => randomBytes(32).toString('base64url');

/** The messages of a share's snapshot, root first. */
export async function snapshotMessages(prisma: PrismaClient | Prisma.TransactionClient, share: { conversationId: string; leafMessageId: string }): Promise<Message[]> {
  const tree = await prisma.message.findMany({ where: { conversationId: share.conversationId }, select: { id: true, parentId: true, createdAt: true } });
  const ids = pathTo(tree, share.leafMessageId).map((m) => m.id);
  const messages = await prisma.message.findMany({ where: { id: { in: ids } } });
  const byId = new Map(messages.map((m) => [m.id, m]));
  return ids.map((id) => byId.get(id)).filter((m): m is Message => m !== undefined);
}

/** A source as a viewer of a share may see it: the passage only when they may read that knowledge, else the file name alone. */
export type SharedSource = { index: number; fileName: string; page: number | null; section: string | null; text: string | null };

// The owner's memories among the sources are theirs alone: a share shows knowledge passages only.
export function sharedSources(sources: unknown, readable: (fileId: string) => boolean): SharedSource[] {
  return fileSources(sources).map((s) =>
    readable(s.fileId)
      ? { index: s.index, fileName: s.fileName, page: s.page, section: s.section, text: s.text }
      : { index: s.index, fileName: s.fileName, page: null, section: null, text: null },
  );
}
