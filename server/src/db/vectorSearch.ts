// HNSW search settings every database session starts with, so the common
// vector search is one plain query: no transaction held open just to scope
// SET LOCAL, which under load queued behind the connection pool. Iterative
// scans keep walking the graph when a filter (assistant, file status)
// discards neighbours; ef_search fits the default candidate count (40 → 80).
export const SESSION_HNSW = { efSearch: 80, iterativeScan: 'relaxed_order' } as const;

/** The startup options node-postgres sends (`-c name=value`), placeholders until pgvector loads. */
export const hnswStartupOptions = `-c hnsw.ef_search=${SESSION_HNSW.efSearch} -c hnsw.iterative_scan=${SESSION_HNSW.iterativeScan}`;

/** The same settings as statements, for PGlite's single session. */
export const hnswSessionSql = `SET hnsw.ef_search = ${SESSION_HNSW.efSearch}; SET hnsw.iterative_scan = ${SESSION_HNSW.iterativeScan};`;

/** ef_search for a search that wants `limit` neighbours. */
export const efSearchFor = (limit: number) => Math.min(1000, Math.max(64, limit * 2));
