import type { AuthProvider, RaRecord } from 'react-admin';
import { ApiError, clearSession, getAbilities, getUser, hasSession, loadAbilities, login, logout, refresh } from './session';
import { abilityFor } from './abilities';

/** Where staff land: the console is for admins and managers (`console.open`). */
export const NOT_ALLOWED_PATH = '/not-allowed';

async function ensureAbilities() {
  const abilities = getAbilities();
  return Object.keys(abilities).length ? abilities : loadAbilities();
}

export const authProvider: AuthProvider = {
  async login({ username, email, password }: { username?: string; email?: string; password: string }) {
    await login(email ?? username ?? '', password);
    const abilities = await loadAbilities();
    if (!abilities['console.open']) {
      await logout();
      return { redirectTo: NOT_ALLOWED_PATH };
    }
    return undefined;
  },

  async logout() {
    if (hasSession()) await logout();
    else clearSession();
  },

  async checkAuth() {
    // After a page reload only the httpOnly refresh cookie survives.
    if (!hasSession() && !(await refresh())) throw new Error('Not signed in');
    const abilities = await ensureAbilities();
    if (!abilities['console.open']) {
      await logout();
      throw { redirectTo: NOT_ALLOWED_PATH, message: false };
    }
  },

  async checkError(error: unknown) {
    const status = error instanceof ApiError ? error.status : (error as { status?: number } | null)?.status;
    if (status === 401) {
      clearSession();
      throw new Error('Session expired');
    }
    // 403 and the rest are shown as notifications, not as a logout.
  },

  async getIdentity() {
    const user = getUser();
    if (!user) throw new Error('Not signed in');
    return { id: user.id, fullName: user.name || user.email };
  },

  async getPermissions() {
    return getUser()?.role ?? null;
  },

  /** The API's own abilities decide what is shown; the API refuses the rest anyway. */
  async canAccess({ resource, action, record }) {
    const abilities = await ensureAbilities();
    return abilityFor(abilities, resource, action, record as RaRecord | undefined);
  },
};
