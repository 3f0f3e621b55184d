import type { ErrorInfo } from '../api/types.js';

// What a person reads when something goes wrong: what happened and what to do,
// from the API's stable error codes (never from message text).

export interface Described {
  title: string;
  detail: string;
  /** Whether trying again may help. */
  retry: boolean;
}

interface QuotaDetails {
  limit?: string;
  limitValue?: number;
  resetsAt?: string;
  scope?: string;
}

const LIMIT_WORDS: Record<string, string> = {
  requestsPerMinute: 'per-minute message limit',
  requestsPerHour: 'hourly message limit',
  tokensPerDay: 'daily token allowance',
  tokensPerMonth: 'monthly token allowance',
  costPerDay: 'daily spending limit',
  costPerMonth: 'monthly spending limit',
};

export function limitWords(limit: string | undefined): string {
  return (limit && LIMIT_WORDS[limit]) ?? 'usage limit';
}

/** "at 14:05" today, "tomorrow at 00:00", or a date further out. */
export function whenText(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();
  if (sameDay(at, now)) return `today at ${time}`;
  if (sameDay(at, new Date(now.getTime() + 86_400_000))) return `tomorrow at ${time}`;
  return `on ${at.toLocaleDateString('en-GB', { day: 'numeric', month: 'long' })} at ${time}`;
}

const PROVIDER_FAILURES: Record<string, string> = {
  rate_limited: 'The model provider is receiving too many requests right now.',
  unauthorized: 'The model provider refused Atrium’s credentials. An administrator needs to check the provider settings.',
  timeout: 'The model took too long to answer.',
  unavailable: 'The model provider is not reachable at the moment.',
  rejected: 'The model provider rejected this request.',
};

export function describeError(error: ErrorInfo, now: Date = new Date()): Described {
  switch (error.code) {
    case 'quota_exceeded': {
      const d = (error.details ?? {}) as QuotaDetails;
      const resets = d.resetsAt ? ` It resets ${whenText(d.resetsAt, now)}.` : '';
      return { title: 'Usage limit reached', detail: `You have used your ${limitWords(d.limit)}.${resets}`, retry: false };
    }
    case 'upstream_failed': {
      const failure = (error.details as { failure?: string } | undefined)?.failure;
      const what = (failure && PROVIDER_FAILURES[failure]) ?? 'The model provider could not answer.';
      return { title: 'The assistant could not answer', detail: `${what} Try again in a moment.`, retry: failure !== 'unauthorized' };
    }
    case 'network':
      return { title: 'Connection lost', detail: 'Atrium is not reachable. Check your connection; it reconnects by itself.', retry: true };
    case 'session_expired':
    case 'unauthenticated':
    case 'token_expired':
      return { title: 'Session expired', detail: 'Please sign in again.', retry: false };
    case 'not_found':
      return { title: 'Not found', detail: 'This conversation does not exist or is not yours.', retry: false };
    case 'forbidden':
      return { title: 'Not allowed', detail: error.message, retry: false };
    case 'invalid_credentials':
      return { title: 'Sign-in failed', detail: 'The email or password is not right.', retry: true };
    case 'account_pending':
      return {
        title: 'Account not active yet',
        detail:
          (error.details as { pending?: string } | undefined)?.pending === 'email_verification'
            ? 'Confirm your e-mail address with the link we sent you, then sign in.'
            : 'An administrator needs to approve your account before you can sign in.',
        retry: false,
      };
    case 'account_locked':
      return { title: 'Account locked', detail: 'Too many failed sign-ins. Try again later or ask an administrator.', retry: false };
    case 'rate_limited':
      return { title: 'Too many attempts', detail: 'Wait a minute and try again.', retry: true };
    case 'validation_failed':
      return { title: 'Check your input', detail: error.message, retry: false };
    case 'conflict':
      return { title: 'Busy', detail: error.message, retry: true };
    default:
      return { title: 'Something went wrong', detail: error.message || 'Please try again.', retry: true };
  }
}
