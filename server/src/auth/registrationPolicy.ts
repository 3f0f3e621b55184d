import type { SettingValue } from '../settings/settingSchemas.js';

export type RegistrationSetting = SettingValue<'registration'>;

/** Whether the public sign-up is open at all. */
export const registrationOpen = (policy: RegistrationSetting): boolean => policy.policy === 'domains' && (policy.allowedDomains?.length ?? 0) > 0;

/**
 * Whether an address may sign up: the part after its last @ must equal a
 * listed domain exactly (case aside). A subdomain (a@mail.example.com) or a
 * look-alike (a@example.com.evil.test, a@notexample.com) does not match.
 */
export function emailDomainAllowed(email: string, policy: RegistrationSetting): boolean {
  if (!registrationOpen(policy)) return false;
  const at = email.lastIndexOf('@');
  if (at < 1) return false;
  const domain = email.slice(at + 1).toLowerCase();
  return (policy.allowedDomains ?? []).includes(domain);
}
