import type { ScimToken } from '../../db/generated/client.js';
import type { RequestMeta } from '../../governance/auditLog.js';
import type { Services } from '../../services.js';

/** Who provisions (the token, named in every audit entry) and where resources live. */
export interface ScimContext {
  s: Services;
  token: ScimToken;
  meta: RequestMeta;
  /** e.g. https://atrium.example.com/api/scim/v2 — for meta.location. */
  baseUrl: string;
}

export const scimActor = (ctx: ScimContext) => ({ id: null, email: `scim:${ctx.token.name}` });
