import type { PrismaClient } from '../../db/database.js';
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
  constructor(private readonly prisma: PrismaClient) {}

  async record(entry: UsageEntry): Promise<void> {
    // The user's groups at the time of the call, so group reports stay true after membership changes.
    const memberships = await this.prisma.groupMembership.findMany({ where: { userId: entry.userId }, select: { groupId: true } });
    await this.prisma.usageLog.create({
      data: {
        userId: entry.userId,
        groupIds: memberships.map((m) => m.groupId),
        assistantId: entry.assistantId,
        conversationId: entry.conversationId,
        messageId: entry.messageId,
        modelId: entry.modelId,
        modelName: entry.modelName,
        promptTokens: Math.max(0, Math.round(entry.promptTokens)),
        completionTokens: Math.max(0, Math.round(entry.completionTokens)),
        cost: microsToUsd(usdToMicros(Math.max(0, entry.cost))).toFixed(6),
        latencyMs: entry.latencyMs === null ? null : Math.max(0, Math.round(entry.latencyMs)),
        outcome: entry.outcome,
        source: entry.source ?? 'chat',
        tokenId: entry.token?.id ?? null,
        tokenName: entry.token?.name ?? null,
      },
    });
  }
}
