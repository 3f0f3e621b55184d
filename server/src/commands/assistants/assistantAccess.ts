import type { Prisma } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { findAssistantRecord, type AssistantRecord, type Db } from './assistantRecords.js';
import { assistantResource, authorize, can, type Action } from '../../policies/index.js';
import type { Actor } from '../../policies/actor.js';

export { assistantRelations, type AssistantRecord, type Db } from './assistantRecords.js';

export interface AssistantLookup {
  /** Also find a soft-deleted assistant (for restore); only those who may manage it see it. */
  includeDeleted?: boolean;
}

/**
 * Loads an assistant the actor is about to act on. One the actor may not
 * even use is "not found"; one they may use but not change is "forbidden".
 * Deleted assistants are not found unless asked for, and then only by those
 * who may manage them.
 */
export async function assistantFor(s: { prisma: Db }, actor: Actor, assistantId: string, action: Action, lookup: AssistantLookup = {}): Promise<AssistantRecord> {
  const assistant = await findAssistantRecord(s.prisma, assistantId);
  if (!assistant || (assistant.deletedAt && !lookup.includeDeleted)) throw AppError.notFound('Assistant');
  const resource = assistantResource(assistant);
  if (!can(actor, assistant.deletedAt ? 'assistant.manage' : 'assistant.use', resource)) throw AppError.notFound('Assistant');
  authorize(actor, action, resource);
  return assistant;
}

/** Holds the assistant's row until the transaction ends, so concurrent changes see each other's result. */
export async function lockAssistant(tx: Prisma.TransactionClient, assistantId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM assistants WHERE id = ${assistantId}::uuid FOR UPDATE`;
}
