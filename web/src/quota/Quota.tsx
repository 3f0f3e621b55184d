import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { fetchUsage } from '../api/endpoints.js';
import { keys } from '../chat/threadCache.js';
import { exhausted, limitReachedText, quotaLines } from './quotaText.js';
import { refusalKey, type QuotaRefusal } from './quotaState.js';

const REFRESH_MS = 60_000;

function useUsage() {
  return useQuery({ queryKey: keys.usage, queryFn: ({ signal }) => fetchUsage(signal), refetchInterval: REFRESH_MS });
}

/** What is left today and this month, in the top bar. */
export function QuotaWidget() {
  const usage = useUsage();
  if (!usage.data) return null;
  const lines = quotaLines(usage.data);
  return (
    <div className="quota" aria-label="Your usage">
      {lines.map((l) => (
        <div key={l.label} className="quota__line" title={`${l.pct}% used`}>
          <span className="quota__label">{l.label}</span>
          <span className="quota__text">{l.text}</span>
          <span className="quota__meter" aria-hidden="true">
            <span style={{ width: `${Math.min(100, l.pct)}%` }} className={l.pct >= 90 ? 'quota__fill quota__fill--high' : 'quota__fill'} />
          </span>
        </div>
      ))}
    </div>
  );
}

/** Shown while a limit is used up (from /me/usage or a refused send), with when it resets. */
export function QuotaBanner() {
  const client = useQueryClient();
  const usage = useUsage();
  const refusal = useQuery<QuotaRefusal | null>({ queryKey: refusalKey, queryFn: () => null, staleTime: Infinity, enabled: false }).data;
  const spent = usage.data ? exhausted(usage.data.limits) : undefined;
  const shown = spent ?? refusal ?? undefined;

  // Once the period has reset, the banner goes by itself.
  const resetsAt = shown?.resetsAt;
  useEffect(() => {
    if (!resetsAt) return;
    const wait = Math.max(1000, new Date(resetsAt).getTime() - Date.now() + 1000);
    const timer = setTimeout(() => {
      client.setQueryData(refusalKey, null);
      void client.invalidateQueries({ queryKey: keys.usage });
    }, Math.min(wait, 2_147_000_000));
    return () => clearTimeout(timer);
  }, [client, resetsAt]);

  if (!shown) return null;
  return (
    <div className="notice notice--warning banner quota-banner" role="alert">
      <span>
        <strong>Usage limit reached.</strong> {limitReachedText(shown)}
      </span>
      {!spent && (
        <button type="button" className="button button--ghost" onClick={() => client.setQueryData(refusalKey, null)}>
          Dismiss
        </button>
      )}
    </div>
  );
}
