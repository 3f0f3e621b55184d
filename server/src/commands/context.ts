import type { RequestMeta } from '../governance/auditLog.js';
import type { Actor } from '../policies/actor.js';

/** Who asks, and from where: every command's first options. */
export interface CommandContext {
  actor: Actor;
  meta: RequestMeta;
}

export const auditActor = (actor: Actor) => ({ id: actor.id, email: actor.email, ...(actor.token ? { token: { id: actor.token.id, name: actor.token.name } } : {}) });
