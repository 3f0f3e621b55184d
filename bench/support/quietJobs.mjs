import pg from 'pg';

/**
 * Waits until the run's database has no queued or running job (up to
 * `timeoutMs`), so background work that follows an upload (sentence vectors
 * for semantic re-scoring, in the API process when no worker runs) is not
 * measured as the request path's cost. Native Postgres only; resolves with
 * how long it waited.
 */
export async function waitForQuietJobs(database, timeoutMs = 90_000) {
  if (!database) return 0;
  const url = new URL(database.base);
  url.pathname = `/${database.name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const t0 = performance.now();
  try {
    for (;;) {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM jobs WHERE status IN ('queued', 'running') AND run_at <= now() + interval '5 seconds'`);
      if (rows[0].n === 0 || performance.now() - t0 > timeoutMs) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await client.end();
  }
}
