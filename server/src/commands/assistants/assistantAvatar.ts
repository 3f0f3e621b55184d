import fs from 'node:fs/promises';
import path from 'node:path';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';
import { assistantFor, assistantRelations, lockAssistant, type AssistantRecord } from './assistantAccess.js';
import { newAvatarPath, normaliseAvatar } from './avatarImage.js';

/**
 * Replaces an assistant's avatar with an uploaded image (a temporary file,
 * always removed). A refused image leaves the old avatar in place; the old
 * file is deleted only once the new one is recorded.
 */
export async function setAssistantAvatar(s: Services, ctx: CommandContext, assistantId: string, uploadedFile: string): Promise<AssistantRecord> {
  let image: Buffer;
  try {
    image = await normaliseAvatar(uploadedFile);
  } finally {
    await s.storage.discard(uploadedFile);
  }
  const avatarPath = newAvatarPath(assistantId);
  const stored = s.storage.resolve(avatarPath);
  await fs.mkdir(path.dirname(stored), { recursive: true });
  await fs.writeFile(stored, image, { flag: 'wx' });
  try {
    const { assistant, previous } = await replaceAvatarPath(s, ctx, assistantId, avatarPath);
    await removeQuietly(s, previous);
    return assistant;
  } catch (error) {
    await s.storage.remove(avatarPath);
    throw error;
  }
}

/** Removes an assistant's avatar; removing none changes nothing. */
export async function removeAssistantAvatar(s: Services, ctx: CommandContext, assistantId: string): Promise<void> {
  const { previous } = await replaceAvatarPath(s, ctx, assistantId, null);
  await removeQuietly(s, previous);
}

async function replaceAvatarPath(s: Services, ctx: CommandContext, assistantId: string, avatarPath: string | null) {
  return s.prisma.$transaction(async (tx) => {
    await lockAssistant(tx, assistantId);
    const before = await assistantFor({ prisma: tx }, ctx.actor, assistantId, 'assistant.manage');
    if (before.avatarPath === avatarPath) return { assistant: before, previous: null };
    const assistant = await tx.assistant.update({ where: { id: assistantId }, data: { avatarPath }, include: assistantRelations });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: avatarPath ? 'assistant.avatar.set' : 'assistant.avatar.remove',
        resource: { type: 'assistant', id: assistantId },
        oldValues: { avatarPath: before.avatarPath },
        newValues: { avatarPath },
        meta: ctx.meta,
      },
      tx,
    );
    return { assistant, previous: before.avatarPath };
  });
}

/** The change is committed by now; a file left behind costs disk space, not correctness, so it is logged, not thrown. */
async function removeQuietly(s: Services, avatarPath: string | null): Promise<void> {
  if (!avatarPath) return;
  try {
    await s.storage.remove(avatarPath);
  } catch (err) {
    s.logger.warn({ err, avatarPath }, 'old avatar file could not be removed');
  }
}
