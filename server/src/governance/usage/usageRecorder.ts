import type { Database } from '../../db/database.js';
import { Prisma } from '../../db/generated/client.js';
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
    const insert = usageInsertSql(entry);
    await this.db.query(insert.text, insert.values);
  }
}

/**
 * One usage record's INSERT, for record() or a statement that writes it with
 * something else (an answer's last write, chat/answer.ts storeAnswer). The
 * user's groups at the time of the call are read in it, so group reports stay
 * true after membership changes. A model deleted during the call is recorded
 * by name alone, as its deletion leaves the records written before.
 */
export function usageInsertSql(entry: UsageEntry): Prisma.Sql {
  return Prisma.sql`INSERT INTO usage_logs (user_id, group_ids, assistant_id, conversation_id, message_id, model_id, model_name,
                               prompt_tokens, completion_tokens, cost, latency_ms, outcome, source, token_id, token_name)
       VALUES (${entry.userId}::uuid, ARRAY(SELECT gm.group_id FROM group_memberships gm WHERE gm.user_id = ${entry.userId}::uuid ORDER BY gm.group_id),
               ${entry.assistantId}::uuid, ${entry.conversationId}::uuid, ${entry.messageId}::uuid, (SELECT m.id FROM models m WHERE m.id = ${entry.modelId}::uuid),
               ${entry.modelName}, ${Math.max(0, Math.round(entry.promptTokens))}::int, ${Math.max(0, Math.round(entry.completionTokens))}::int,
               ${microsToUsd(usdToMicros(Math.max(0, entry.cost))).toFixed(6)}::numeric, ${entry.latencyMs === null ? null : Math.max(0, Math.round(entry.latencyMs))}::int,
               ${entry.outcome}::"UsageOutcome", ${entry.source ?? 'chat'}, ${entry.token?.id ?? null}::uuid, ${entry.token?.name ?? null})`;
}
