import type { QueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/errors.js';
import { keys } from '../chat/threadCache.js';

// A refused send carries the limit and when it resets; it is kept in the
// query cache so the one quota banner shows it, next to what /me/usage says.

export interface QuotaRefusal {
  limit?: string;
  resetsAt?: string;
  scope?: string;
}

export const refusalKey = ['quota-refusal'] as const;

export function quotaRefused(client: QueryClient, error: ApiError): void {
  client.setQueryData<QuotaRefusal>(refusalKey, (error.details ?? {}) as QuotaRefusal);
  void client.invalidateQueries({ queryKey: keys.usage });
}
