// Every way a single sign-on can fail, with the sentence the sign-in page shows.
// The callback redirects to the app with only the code (?sso_error=…), so a
// crafted link cannot put words of its own on our page.
export const ssoErrorMessages = {
  not_configured: 'Single sign-on is not set up. Ask an administrator, or sign in with your password.',
  provider_unreachable: 'The sign-in provider could not be reached. Try again in a moment.',
  provider_refused: 'The sign-in provider did not sign you in.',
  login_expired: 'The sign-in took too long or was started in another browser. Please start again.',
  state_mismatch: 'This sign-in response does not belong to the sign-in you started. Please start again.',
  code_rejected: 'The sign-in provider refused this sign-in (it was already used or has expired). Please start again.',
  id_token_rejected: 'The sign-in provider’s answer could not be verified, so you were not signed in.',
  email_missing: 'The sign-in provider did not share your email address, which Atrium needs.',
  email_not_verified: 'An account with your email exists, but the provider does not confirm the address is yours. Ask an administrator.',
  not_provisioned: 'You do not have an Atrium account yet. Ask an administrator to add you.',
  domain_not_allowed: 'Accounts from your email domain are not allowed here. Ask an administrator.',
  account_deactivated: 'Your Atrium account is deactivated. Ask an administrator.',
  identity_conflict: 'Your email already belongs to an account linked to another sign-in. Ask an administrator.',
  internal: 'Something went wrong while signing you in. Please try again.',
} as const;

export type SsoErrorCode = keyof typeof ssoErrorMessages;

export class SsoError extends Error {
  constructor(
    readonly code: SsoErrorCode,
    /** For the log and the audit entry, never shown to the person. */
    readonly detail?: string,
  ) {
    super(ssoErrorMessages[code]);
    this.name = 'SsoError';
  }
}
