// Searches ("q") match what was typed, literally. Postgres's LIKE reads % and
// _ as wildcards and a backslash as their escape, and Prisma's `contains`
// passes its value into LIKE as it is (prisma/prisma#19506), so a search for
// "50%" matched every name holding "50", and "%" matched everything.

/** `text` with LIKE's wildcards and escape character escaped: for Prisma's `contains`/`startsWith`. */
export function literalLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** A LIKE/ILIKE pattern matching values that contain `text`, for SQL. */
export function containsPattern(text: string): string {
  return `%${literalLike(text)}%`;
}
