import { createHash } from 'node:crypto';

/**
 * Names for node-postgres's prepared statements, so that a statement Atrium
 * sends again and again (every answer sends the same dozen) is parsed once per
 * connection, and after five runs Postgres may keep one generic plan for it.
 * Parsing and planning were most of Postgres's CPU per answer, and planning
 * alone 1–2 ms of the first token's path for each retrieval statement.
 *
 * A name is a hash of the SQL, so one text always gets one name. Left unnamed:
 * statements that change a schema or a session; full-text matches (`@@`),
 * whose best plan depends on the question's words (a generic plan made the
 * text leg of retrieval over 100,000 chunks half again slower); and any text
 * after the first `limit` distinct ones, because each named statement stays in
 * every connection's memory (and Postgres's) until the connection closes, and
 * a few of Prisma's statements vary with the length of an `IN (...)` list.
 */
export function statementNames(limit = 2000): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (names.size >= limit || !REUSABLE.test(sql) || sql.includes('@@')) return '';
    const name = `atrium_${createHash('sha1').update(sql).digest('base64url')}`;
    names.set(sql, name);
    return name;
  };
}

/** Queries and data changes; node-postgres treats an empty name as an unnamed statement. */
const REUSABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;
