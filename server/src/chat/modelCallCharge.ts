import type { Model } from '../db/generated/client.js';
import type { UsageOutcome } from '../db/generated/enums.js';
import { costOf, type QuotaReservation, type UsageEntry } from '../governance/quotas/index.js';
import type { Services } from '../services.js';

export interface ModelCallCharge {
  reservation: QuotaReservation;
  model: Model;
  userId: string;
  /** Null for a raw model called through the API, which has no assistant or conversation. */
  assistantId: string | null;
  conversationId: string | null;
  /** The answer the call wrote; null for calls that write none (titles). */
  messageId: string | null;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  outcome: Extract<UsageOutcome, 'success' | 'stopped' | 'error'>;
  /** Where the call came from (chat app, OpenAI-compatible API, MCP) and the personal access token used, if any. */
  source?: UsageEntry['source'];
  token?: UsageEntry['token'];
}

/**
 * After every model call: settle the quota held for it with what it really
 * used, or release it when the provider failed (a failure is never charged,
 * SPEC "Chat"), and write its usage record at the model's prices.
 */
export async function chargeModelCall(s: Pick<Services, 'usage'>, c: ModelCallCharge): Promise<void> {
  const entry = usageEntryOf(c);
  if (c.outcome === 'error') await c.reservation.release();
  else await c.reservation.settle({ tokens: entry.promptTokens + entry.completionTokens, cost: entry.cost });
  await s.usage.record(entry);
}

/** A call's usage record: what it used at the model's prices, nothing for a failed call. */
export function usageEntryOf(c: Omit<ModelCallCharge, 'reservation'>): UsageEntry {
  const failed = c.outcome === 'error';
  const promptTokens = failed ? 0 : c.promptTokens;
  const completionTokens = failed ? 0 : c.completionTokens;
  return {
    userId: c.userId,
    assistantId: c.assistantId,
    conversationId: c.conversationId,
    messageId: c.messageId,
    modelId: c.model.id,
    modelName: c.model.name,
    promptTokens,
    completionTokens,
    cost: costOf(c.model, promptTokens, completionTokens),
    latencyMs: c.latencyMs,
    outcome: c.outcome,
    source: c.source,
    token: c.token,
  };
}
