import { AppError } from '../../errors/appError.js';
import { assistantResource, authorize, can, type Action } from '../../policies/index.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';

/**
 * Loads an assistant the actor is about to act on. One the actor may not
 * even use is "not found"; one they may use but not change is "forbidden".
 */
export async function assistantFor(s: Pick<Services, 'prisma'>, actor: Actor, assistantId: string, action: Action) {
  const assistant = await s.prisma.assistant.findFirst({ where: { id: assistantId, deletedAt: null }, include: { groups: true } });
  if (!assistant) throw AppError.notFound('Assistant');
  const resource = assistantResource(assistant);
  if (!can(actor, 'assistant.use', resource)) throw AppError.notFound('Assistant');
  authorize(actor, action, resource);
  return assistant;
}
