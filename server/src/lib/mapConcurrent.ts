/**
 * Maps `items` with at most `limit` calls in flight, keeping the results in
 * input order. After the first failure no further call starts; the failure
 * is thrown once the calls already running have settled (so none is left
 * running unobserved).
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, call: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await call(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}
