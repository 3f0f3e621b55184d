/**
 * A page of rows and the total, counting only when the page cannot tell it:
 * a first page that is not full, or any page that is neither empty nor full,
 * ends the list, so the total is the rows before it plus its own. Most lists
 * fit on one page, and the count was a round trip of its own on every read.
 */
export async function pageWithTotal<T>(rows: Promise<T[]>, window: { skip: number; take: number }, count: () => Promise<number>): Promise<[T[], number]> {
  const page = await rows;
  const endsHere = page.length < window.take && (page.length > 0 || window.skip === 0);
  return [page, endsHere ? window.skip + page.length : await count()];
}
