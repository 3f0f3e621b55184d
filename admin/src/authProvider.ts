import type { AuthProvider } from 'react-admin';
import { ApiError, clearSession, getUser, hasSession, login, logout, refresh } from './session';

/** Roles allowed into the console; staff (`user`) use the chat app only. */
const CONSOLE_ROLES = new Set(['admin', 'manager']);

interface LoginParams {
  username?: string;
  email?: string;
  password: string;
}

export const authProvider: AuthProvider = {
  async login({ username, email, password }: LoginParams) {
    const user = await login(email ?? username ?? '', password);
    if (!CONSOLE_ROLES.has(user.role)) {
      await logout();
      throw new Error('The console is for administrators and managers.');
    }
  },

  async logout() {
    if (hasSession()) await logout();
    else clearSession();
  },

  async checkAuth() {
    if (hasSession()) return;
    // After a page reload only the httpOnly refresh cookie survives.
    if (!(await refresh())) throw new Error('Not signed in');
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

  // Coarse gate for now; the API stays the authority and will send computed abilities later.
  async canAccess({ resource }) {
    const role = getUser()?.role;
    if (role === 'admin') return true;
    return resource !== 'users' && role === 'manager';
  },
};
