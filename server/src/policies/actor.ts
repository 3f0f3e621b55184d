import type { GroupRole, Role } from '../db/generated/enums.js';

/** Who is making a request, as the policies need to see them. */
export interface Actor {
  id: string;
  email: string;
  role: Role;
  mustChangePassword: boolean;
  /** groupId → the actor's role in that group. */
  groups: ReadonlyMap<string, GroupRole>;
  /** Set when the request came with a personal access token: it acts as its user, and is named in audit and usage. */
  token?: { id: string; name: string; scopes: readonly string[] };
}
