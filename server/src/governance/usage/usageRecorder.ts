import type { Database } from '../../db/database.js';
import { microsToUsd, usdToMicros } from '../quotas/money.js';

export type UsageOutcome = 'success' | 'error' | 'stopped' | 'rejected';

export interface UsageEntry {
  userId: string;
  /** Null for calls made without an assistant (raw models, embeddings through the API). */
  assistantId: string | null;
  /** Null for calls kept in no conversation. */
  conversationId: string | null;
  messageId: string | null;
  modelId: string | null;
  modelName: string;
  promptTokens: number;
  completionTokens: number;
  /** USD, from costOf() with the model's prices at the time of the call. */
  cost: number;
  latencyMs: number | null;
  outcome: UsageOutcome;
  /** Where the call came from: chat (default), api or mcp. */
  source?: string;
  /** The personal access token the call was made with, if any. */
  token?: { id: string; name: string };
}

/** Writes one usage_logs row per model call; the reports read nothing else. */
export class UsageRecorder {
  constructor(private readonly db: Pick<Database, 'query'>) {}

  async record(entry: UsageEntry): Promise<void> {
    // The user's groups at the time of the call, so group reports stay true
    // after membership changes; read in the same statement (one round trip
    // after every answer).
    await this.db.query(
      `INSERT INTO usage_logs (user_id, group_ids, assistant_id, conversation_id, message_id, model_id, model_name,
                               prompt_tokens, completion_tokens, cost, latency_ms, outcome, source, token_id, token_name)
       VALUES ($1::uuid, ARRAY(SELECT gm.group_id FROM group_memberships gm WHERE gm.user_id = $1::uuid ORDER BY gm.group_id),
               $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6, $7::int, $8::int, $9::numeric, $10::int, $11::"UsageOutcome", $12, $13::uuid, $14)`,
      [
        entry.userId,
        entry.assistantId,
        entry.conversationId,
        entry.messageId,
        entry.modelId,
        entry.modelName,
        Math.max(0, Math.round(entry.promptTokens)),
        Math.max(0, Math.round(entry.completionTokens)),
        microsToUsd(usdToMicros(Math.max(0, entry.cost))).toFixed(6),
        entry.latencyMs === null ? null : Math.max(0, Math.round(entry.latencyMs)),
        entry.outcome,
        entry.source ?? 'chat',
        entry.token?.id ?? null,
        entry.token?.name ?? null,
      ],
    );
  }
}
