import { Prisma } from '../../db/generated/client.js';
import { pageWithTotal } from '../../lib/pageTotal.js';
import type { Actor } from '../../policies/actor.js';
import { manageableAssistantsSql, usableAssistantsSql } from '../../policies/index.js';
import type { Services } from '../../services.js';
import type { AssistantRecord } from './assistantAccess.js';
import { countAssistantRecords, findAssistantRecords, type AssistantRecordQuery } from './assistantRecords.js';
import { containsPattern } from '../../db/likePattern.js';

export interface AssistantListQuery {
  page: number;
  pageSize: number;
  sort: AssistantRecordQuery['sort'];
  order: AssistantRecordQuery['order'];
  q?: string;
  /** The deleted assistants the actor may restore, instead of those they may use. */
  deleted?: boolean;
}

/** A page of the assistants the actor may use (or, with `deleted`, may restore), and how many there are. */
export async function listAssistants(s: Pick<Services, 'prisma'>, actor: Actor, query: AssistantListQuery): Promise<{ rows: AssistantRecord[]; total: number }> {
  const scope = query.deleted ? Prisma.sql`${manageableAssistantsSql(actor)} AND a.deleted_at IS NOT NULL` : usableAssistantsSql(actor);
  // As Prisma's `contains` (insensitive) wrote it before: % and _ in the search are wildcards too.
  const where = query.q ? Prisma.sql`${scope} AND a.name ILIKE ${containsPattern(query.q)}` : scope;
  const window = { skip: (query.page - 1) * query.pageSize, take: query.pageSize };
  const [rows, total] = await pageWithTotal(
    findAssistantRecords(s.prisma, { where, sort: query.sort, order: query.order, ...window }),
    window,
    () => countAssistantRecords(s.prisma, where),
  );
  return { rows, total };
}
