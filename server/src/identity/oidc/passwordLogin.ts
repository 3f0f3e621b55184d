import { AppError } from '../../errors/appError.js';
import type { Services } from '../../services.js';

/**
 * With single sign-on on and passwords switched off, only the break-glass
 * admins may still log in with a password (for when the provider is down).
 */
export async function assertPasswordLoginAllowed(s: Services, email: string): Promise<void> {
  const settings = await s.sso.settings.current();
  if (!settings.enabled || settings.passwordLogin === 'everyone') return;
  if (settings.breakGlassEmails.includes(email.toLowerCase())) return;
  throw AppError.forbidden(`Password sign-in is switched off; sign in with ${settings.displayName}`);
}
