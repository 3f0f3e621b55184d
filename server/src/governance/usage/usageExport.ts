import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { PrismaClient } from '../../db/database.js';
import type { UsageFilter } from './usageReports.js';

const COLUMNS = ['time', 'userEmail', 'userName', 'groups', 'assistant', 'conversationId', 'messageId', 'model', 'promptTokens', 'completionTokens', 'costUsd', 'latencyMs', 'outcome'] as const;
const BATCH = 1000;

type ExportRow = {
  id: string;
  createdAt: Date;
  userEmail: string | null;
  userName: string | null;
  groupIds: string[];
  assistant: string | null;
  conversationId: string | null;
  messageId: string | null;
  modelName: string;
  promptTokens: number;
  completionTokens: number;
  cost: string;
  latencyMs: number | null;
  outcome: string;
};

/**
 * Streams every usage record of the range as CSV, oldest first, reading a
 * batch at a time (memory stays flat) and waiting when the client is slow.
 * Names come from people and admins, so cells that a spreadsheet would run as
 * a formula (= + - @ tab CR) are escaped with a leading quote.
 */
export async function exportUsageCsv(prisma: PrismaClient, filter: UsageFilter, out: Writable): Promise<void> {
  // A scoped reader sees only the names of their own groups.
  const visible = filter.groupIds === null ? {} : { id: { in: filter.groupIds } };
  const groups = new Map((await prisma.group.findMany({ where: visible, select: { id: true, name: true } })).map((g) => [g.id, g.name]));
  const csv = stringify({ header: true, columns: [...COLUMNS], escape_formulas: true });
  const delivered = pipeline(csv, out);
  // A client that goes away ends the export; that is not an error worth reporting.
  delivered.catch(() => undefined);
  let after = '0';
  while (!out.destroyed) {
    const rows = await prisma.$queryRawUnsafe<ExportRow[]>(
      `SELECT l.id::text AS id, l.created_at AS "createdAt", u.email AS "userEmail", u.name AS "userName",
              l.group_ids::text[] AS "groupIds", a.name AS assistant, l.conversation_id::text AS "conversationId",
              l.message_id::text AS "messageId", l.model_name AS "modelName", l.prompt_tokens AS "promptTokens",
              l.completion_tokens AS "completionTokens", l.cost::text AS cost, l.latency_ms AS "latencyMs", l.outcome::text AS outcome
         FROM usage_logs l
         LEFT JOIN users u ON u.id = l.user_id
         LEFT JOIN assistants a ON a.id = l.assistant_id
        WHERE l.created_at >= $1::timestamptz AND l.created_at < $2::timestamptz
          AND ($3::jsonb IS NULL OR l.group_ids && ARRAY(SELECT jsonb_array_elements_text($3::jsonb)::uuid))
          AND l.id > $4::bigint
        ORDER BY l.id LIMIT ${BATCH}`,
      filter.start.toISOString(),
      filter.end.toISOString(),
      filter.groupIds === null ? null : JSON.stringify(filter.groupIds),
      after,
    );
    for (const r of rows) {
      const ok = csv.write({
        time: new Date(r.createdAt).toISOString(),
        userEmail: r.userEmail ?? '',
        userName: r.userName ?? '',
        groups: r.groupIds.flatMap((id) => (groups.has(id) ? [groups.get(id)!] : filter.groupIds === null ? [id] : [])).join('; '),
        assistant: r.assistant ?? '',
        conversationId: r.conversationId ?? '',
        messageId: r.messageId ?? '',
        model: r.modelName,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
        costUsd: r.cost,
        latencyMs: r.latencyMs ?? '',
        outcome: r.outcome,
      });
      if (!ok) await Promise.race([once(csv, 'drain'), delivered.catch(() => undefined)]);
    }
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1]!.id;
  }
  csv.end();
  await delivered.catch((error: unknown) => {
    if (!out.destroyed) throw error;
  });
}
