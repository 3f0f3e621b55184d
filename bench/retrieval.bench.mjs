#!/usr/bin/env node
// Hybrid retrieval latency, recall and index build over a large index.
//   npm run bench:retrieval -- [--chunks 100000] [--queries 200] [--modes hybrid,vector,text] [--assistants 10]
//   BENCH_DATABASE_URL=postgresql://... npm run bench:retrieval -- --chunks 1000000 --database atrium_bench_1m
// Loads synthetic chunks (local embedder vectors) spread evenly over several
// knowledge bases, one assistant each, builds the HNSW index once after
// loading (its build memory set on the connection that builds; time and peak
// memory printed), and times the same retrieval service the chat uses:
// hybrid, vector-only and text-only, for one assistant's knowledge, and for a
// company-wide assistant attached to every base asked by someone who may read
// only one of them (the filter drops 90% of the rows). Then recall@5 of the
// vector leg against exact search. With --database, the native database of
// that name is kept, and a later run with the same --chunks skips the load and
// the build (--rebuild-index builds again). Finally, side by side in the same
// run, text and hybrid over a full-text index shared by all bases (the index
// before chunks_knowledge_base_tsv_idx), unless --skip-shared.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../server/dist/config/index.js';
import { createLogger } from '../server/dist/lib/logger.js';
import { insertChunks } from '../server/dist/ingestion/index/chunkStore.js';
import { reembedFileJob } from '../server/dist/ingestion/reembedFileJob.js';
import { everyAttachedBase } from '../server/dist/policies/knowledgeBases.js';
import { createServices } from '../server/dist/services.js';
import { efSearchFor, hnswStartupOptions } from '../server/dist/db/vectorSearch.js';
import { benchDatabase, percentile } from './support/benchDatabase.mjs';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '200' },
    modes: { type: 'string', default: 'hybrid,vector,text' },
    assistants: { type: 'string', default: '10' },
    database: { type: 'string' },
    'rebuild-index': { type: 'boolean', default: false },
    // Build memory for the HNSW index; by default enough for the graph to stay in memory (see indexBuildMemory).
    'build-memory': { type: 'string' },
    'build-workers': { type: 'string', default: '1' },
    'recall-queries': { type: 'string', default: '50' },
    'skip-shared': { type: 'boolean', default: false },
    // Prints EXPLAIN (ANALYZE, BUFFERS) of each statement one hybrid search runs, for the first few queries, then stops.
    explain: { type: 'string' },
    // Re-embeds this many of the searched base's files in place, as after an embedder change, and prints the rate.
    'reembed-files': { type: 'string', default: '0' },
  },
});
const modes = values.modes.split(',');
const total = Number(values.chunks);
const queryCount = Number(values.queries);
const assistantCount = Math.max(1, Number(values.assistants));
const seed = fs.readFileSync(new URL('../tests/fixtures/documents/misc/unstructured__norwich-city.txt', import.meta.url), 'utf8')
  + fs.readFileSync(new URL('../tests/fixtures/documents/misc/mammoth__README.md', import.meta.url), 'utf8');
let state = 7;
// A 32-bit LCG (Math.imul keeps it exact), so runs are repeatable.
const rand = (n) => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0), Math.floor((state / 4294967296) * n));
// Real text is Zipf-distributed: a few words everywhere, most words rare. The
// seed's words plus made-up ones give ~30k distinct words ranked by a Zipf law.
const syllables = ['ka', 'lo', 'mi', 'ren', 'tor', 'vas', 'ul', 'pe', 'dri', 'son', 'gal', 'fen', 'cor', 'bi', 'nu', 'sta', 'mer', 'qui', 'ol', 'zen'];
const made = new Set();
while (made.size < 28_000) made.add(Array.from({ length: 2 + rand(3) }, () => syllables[rand(syllables.length)]).join(''));
const vocabulary = [...new Set([...(seed.toLowerCase().match(/[a-z]{3,15}/g) ?? []), ...made])];
const cumulative = [];
vocabulary.reduce((sum, _, rank) => (cumulative.push(sum + 1 / (rank + 1)), sum + 1 / (rank + 1)), 0);
const zipfWord = () => {
  const x = (rand(1_000_000) / 1_000_000) * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return vocabulary[lo];
};
const sentence = (words) => Array.from({ length: words }, zipfWord).join(' ');

const { db, engine, reused, url, drop } = await benchDatabase({ keep: values.database });
try {
  const config = loadConfig({ JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789', LOG_LEVEL: 'silent', NODE_ENV: 'production', UPLOADS_DIR: os.tmpdir() });
  const s = createServices(config, db, createLogger('silent'));
  const dim = s.embedder.dimension;
  const indexName = `chunks_embedding_${dim}_hnsw`;
  console.log(`retrieval benchmark: ${total} chunks over ${assistantCount} knowledge bases, ${queryCount} queries, engine ${engine}, embedder ${s.embedder.name}/${dim}`);

  const loadedCount = reused ? Number((await db.prisma.$queryRawUnsafe(`SELECT count(*)::int AS n FROM chunks`))[0].n) : 0;
  if (reused && loadedCount !== total) throw new Error(`database ${values.database} holds ${loadedCount} chunks, not ${total}: drop it or name another`);
  if (!reused) await load();
  else console.log(`reusing database ${values.database}: ${loadedCount} chunks already loaded`);
  const { big, company, partReader } = await fixtures();

  const indexPresent = (await db.prisma.$queryRawUnsafe(`SELECT to_regclass($1) IS NOT NULL AS present`, indexName))[0].present;
  if (!indexPresent || values['rebuild-index']) {
    if (engine !== 'postgres') {
      await db.prisma.$executeRawUnsafe(`DROP INDEX IF EXISTS ${indexName}`);
      await db.prisma.$executeRawUnsafe(`CREATE INDEX ${indexName} ON chunks USING hnsw (((embedding)::vector(${dim})) vector_cosine_ops) WHERE embedding_dim = ${dim}`);
    } else await buildIndex();
  } else console.log(`HNSW index kept from an earlier run (--rebuild-index builds it again)`);
  await db.prisma.$executeRawUnsafe('ANALYZE chunks');
  const sizes = (await db.prisma.$queryRawUnsafe(`SELECT pg_size_pretty(pg_total_relation_size('chunks')) AS chunks, pg_size_pretty(pg_relation_size($1)) AS hnsw`, indexName))[0];
  console.log(`chunks table with its indexes ${sizes.chunks}; HNSW index ${sizes.hnsw}`);

  // Questions made of a few words of a real chunk of the searched base, like a person half-remembering a passage.
  const samples = (await db.prisma.$queryRawUnsafe(`SELECT text FROM chunks WHERE knowledge_base_id = $1::uuid ORDER BY md5(id::text) LIMIT $2`, big.knowledgeBaseId, queryCount)).map((r) => r.text);
  state = 11;
  const queries = Array.from({ length: queryCount }, (_, i) => {
    const words = samples[i % samples.length].split(' ');
    const start = rand(Math.max(1, words.length - 8));
    return words.slice(start, start + 6).join(' ');
  });
  const scopes = [
    { label: 'one assistant', assistantId: big.id, reader: everyAttachedBase },
    { label: 'company, reads 1 base of 10', assistantId: company.id, reader: partReader },
  ];
  const timeMode = async (mode, scope, label = mode) => {
    const ask = (query) => s.retriever.retrieve({ assistantId: scope.assistantId, reader: scope.reader, query, topK: 5, minScore: 0, mode });
    for (const q of queries.slice(0, 10)) await ask(q); // warm up
    const times = [];
    let hits = 0;
    for (const q of queries) {
      const t = performance.now();
      const results = await ask(q);
      times.push(performance.now() - t);
      if (results.length === 5) hits += 1;
    }
    times.sort((a, b) => a - b);
    console.log(`  ${label.padEnd(24)} p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms  p95 ${percentile(times, 95).toFixed(1).padStart(6)} ms  p99 ${percentile(times, 99).toFixed(1).padStart(6)} ms  (${hits}/${queries.length} filled top-5)`);
    return percentile(times, 95);
  };
  if (values.explain) {
    for (const query of queries.slice(0, Number(values.explain))) await explainSearch(query, scopes[0]);
  } else if (Number(values['reembed-files']) > 0) await reembed(Number(values['reembed-files']));
  else await measure();

  // What an embedder change costs per chunk: the files are marked as made by
  // another embedder and re-embedded in place by the job a worker runs
  // (knowledge.reembed), HNSW maintenance included; searches keep working meanwhile.
  async function reembed(count) {
    const files = await db.prisma.knowledgeFile.findMany({ where: { knowledgeBaseId: big.knowledgeBaseId }, select: { id: true, chunkCount: true }, orderBy: { id: 'asc' }, take: count });
    await db.prisma.knowledgeFile.updateMany({ where: { id: { in: files.map((f) => f.id) } }, data: { embedder: 'previous-embedder' } });
    const job = reembedFileJob({ prisma: db.prisma, embedder: s.embedder, logger: createLogger('silent') });
    const signal = new AbortController().signal;
    let chunks = 0;
    let embedMs = 0;
    const started = performance.now();
    for (const file of files) {
      const texts = await db.prisma.chunk.findMany({ where: { fileId: file.id }, select: { text: true } });
      const t = performance.now();
      await s.embedder.embed(texts.map((c) => c.text), 'document');
      embedMs += performance.now() - t;
      await job.run({ fileId: file.id }, { signal, attempt: 1, lastAttempt: true });
      chunks += texts.length;
    }
    const seconds = (performance.now() - started - embedMs) / 1000;
    const left = await db.prisma.knowledgeFile.count({ where: { id: { in: files.map((f) => f.id) } , embedder: 'previous-embedder' } });
    console.log(`re-embedded ${chunks} chunks of ${files.length} files in place in ${seconds.toFixed(1)} s (${(chunks / seconds).toFixed(0)} chunks/s; embedding alone ${(chunks / (embedMs / 1000)).toFixed(0)} chunks/s); files left behind: ${left}`);
    console.log(`  a million chunks: about ${(1_000_000 / (chunks / seconds) / 60).toFixed(0)} minutes with one worker`);
  }

  async function measure() {
    const settings = await db.prisma.$queryRawUnsafe(`SELECT name, current_setting(name) AS value FROM pg_settings WHERE name IN ('shared_buffers', 'effective_cache_size', 'work_mem') ORDER BY name`);
    console.log(`postgres: ${settings.map((r) => `${r.name} ${r.value}`).join(', ')}`);
    const perBase = {};
    for (const scope of scopes) {
      console.log(`${scope.label}:`);
      for (const mode of modes) {
        const p95 = await timeMode(mode, scope);
        if (scope === scopes[0]) perBase[mode] = p95;
      }
    }
    await vectorRecall(queries.slice(0, Number(values['recall-queries'])));

    const textModes = modes.filter((m) => m !== 'vector');
    if (assistantCount > 1 && textModes.length > 0 && !values['skip-shared']) {
      console.log('the same over a full-text index shared by all bases (instead of chunks_knowledge_base_tsv_idx):');
      await db.prisma.$executeRawUnsafe('CREATE INDEX chunks_tsv_shared_bench ON chunks USING GIN (tsv)');
      await db.prisma.$executeRawUnsafe('DROP INDEX chunks_knowledge_base_tsv_idx');
      await db.prisma.$executeRawUnsafe('ANALYZE chunks');
      try {
        for (const mode of textModes) {
          const shared = await timeMode(mode, scopes[0], `${mode} (shared index)`);
          console.log(`  ${mode}: p95 shared / per-base = ${(shared / perBase[mode]).toFixed(2)}`);
        }
      } finally {
        // A kept database is left as the product's migrations made it.
        await db.prisma.$executeRawUnsafe('CREATE INDEX IF NOT EXISTS chunks_knowledge_base_tsv_idx ON chunks USING GIN (knowledge_base_id, tsv)');
        await db.prisma.$executeRawUnsafe('DROP INDEX chunks_tsv_shared_bench');
      }
    }
  }
  console.log('target (SPEC): hybrid top-k over 1,000,000 chunks p95 <= 50 ms (issue 20: p99 <= 100 ms) on native Postgres + pgvector');

  async function load() {
    const assistantWithBase = async (name) => {
      const assistant = await db.prisma.assistant.create({ data: { name } });
      const base = await db.prisma.knowledgeBase.create({ data: { name, assistantId: assistant.id, attachments: { create: { assistantId: assistant.id } } } });
      return { ...assistant, knowledgeBaseId: base.id };
    };
    const first = await assistantWithBase('searched');
    const others = [];
    for (let i = 1; i < assistantCount; i++) others.push(await assistantWithBase(`other-${i}`));
    await db.prisma.$executeRawUnsafe(`DROP INDEX IF EXISTS ${indexName}`);
    const loadStart = performance.now();
    const perFile = 1000;
    // Two files in flight: one being embedded here while Postgres inserts the
    // other (consecutive files go to different bases, so their statistics rows differ).
    const inFlight = new Set();
    for (let loaded = 0; loaded < total; loaded += perFile) {
      // Every base holds an equal share, as when a company has several of similar size.
      const fileNumber = loaded / perFile;
      const owner = fileNumber % assistantCount === 0 ? first : others[(fileNumber % assistantCount) - 1];
      const texts = Array.from({ length: Math.min(perFile, total - loaded) }, () => sentence(60 + rand(60)));
      const vectors = [];
      for (let i = 0; i < texts.length; i += 256) vectors.push(...(await s.embedder.embed(texts.slice(i, i + 256), 'document')));
      if (inFlight.size >= 2) await Promise.race(inFlight);
      const insert = (async () => {
        const file = await db.prisma.knowledgeFile.create({
          data: { knowledgeBaseId: owner.knowledgeBaseId, originalName: `doc-${fileNumber}.txt`, mimeType: 'text/plain', sizeBytes: 1n, sha256: String(loaded).padStart(64, '0'), storagePath: 'x', status: 'ready' },
        });
        await insertChunks(db.prisma, file, s.embedder, texts.map((text, i) => ({ ordinal: i, text, tokenCount: 100, embedding: vectors[i] })));
      })();
      inFlight.add(insert);
      void insert.then(() => inFlight.delete(insert), () => undefined);
      if (fileNumber % 50 === 0) process.stdout.write(`  loaded ${loaded + texts.length}\r`);
    }
    await Promise.all(inFlight);
    const loadSeconds = (performance.now() - loadStart) / 1000;
    console.log(`loaded in ${loadSeconds.toFixed(1)} s (${(total / loadSeconds).toFixed(0)} chunks/s, embedding included)`);
  }

  // The company-wide assistant (every base attached) and someone who may read only the searched base.
  async function fixtures() {
    const big = await db.prisma.assistant.findFirstOrThrow({ where: { name: 'searched' }, include: { knowledgeBases: true } });
    const bases = await db.prisma.knowledgeBase.findMany({ select: { id: true } });
    let company = await db.prisma.assistant.findFirst({ where: { name: 'company' } });
    if (!company) company = await db.prisma.assistant.create({ data: { name: 'company', knowledgeBases: { create: bases.map((b) => ({ knowledgeBaseId: b.id })) } } });
    const knowledgeBaseId = big.knowledgeBases[0].knowledgeBaseId;
    let group = await db.prisma.group.findFirst({ where: { name: 'readers of one base' } });
    if (!group) group = await db.prisma.group.create({ data: { name: 'readers of one base', knowledgeBasesRead: { create: { knowledgeBaseId } } } });
    return {
      big: { id: big.id, knowledgeBaseId },
      company,
      partReader: { id: '00000000-0000-0000-0000-000000000001', role: 'user', groups: new Map([[group.id, 'member']]) },
    };
  }

  // The build's memory is set on the connection that builds (a pooled SET
  // could land on another one); its peak is the resident memory of the
  // building backend and its parallel workers, sampled twice a second.
  async function buildIndex() {
    const memory = values['build-memory'] ?? indexBuildMemory(total, dim);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const notices = [];
    client.on('notice', (n) => notices.push(n.message));
    const monitor = new pg.Client({ connectionString: url });
    await monitor.connect();
    try {
      await client.query(`DROP INDEX IF EXISTS ${indexName}`);
      const [{ pid }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows;
      await client.query(`SET maintenance_work_mem = '${memory}'`);
      await client.query(`SET max_parallel_maintenance_workers = ${Number(values['build-workers'])}`);
      let peak = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const workers = (await monitor.query('SELECT pid FROM pg_stat_activity WHERE leader_pid = $1', [pid])).rows.map((r) => r.pid);
          peak = Math.max(peak, [pid, ...workers].reduce((sum, p) => sum + residentBytes(p), 0));
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      const started = performance.now();
      try {
        await client.query(`CREATE INDEX ${indexName} ON chunks USING hnsw (((embedding)::vector(${dim})) vector_cosine_ops) WHERE embedding_dim = ${dim}`);
      } finally {
        sampling = false;
        await sampler;
      }
      console.log(`HNSW index built in ${((performance.now() - started) / 1000).toFixed(1)} s with maintenance_work_mem ${memory} and ${values['build-workers']} parallel worker(s); peak resident memory of the build ${(peak / 2 ** 30).toFixed(2)} GiB`);
      for (const n of notices) console.log(`  postgres: ${n}`);
    } finally {
      await client.end();
      await monitor.end();
    }
  }

  // The plans of the statements one hybrid search runs (the raw SQL ones:
  // term statistics and both legs), captured from the retriever as it runs.
  async function explainSearch(query, scope) {
    const captured = [];
    const original = db.prisma.$queryRawUnsafe;
    db.prisma.$queryRawUnsafe = function (sql, ...params) {
      captured.push({ sql, params });
      return original.call(this, sql, ...params);
    };
    const started = performance.now();
    try {
      await s.retriever.retrieve({ assistantId: scope.assistantId, reader: scope.reader, query, topK: 5, minScore: 0, mode: 'hybrid' });
    } finally {
      db.prisma.$queryRawUnsafe = original;
    }
    console.log(`\n=== "${query}" (${(performance.now() - started).toFixed(1)} ms)`);
    const client = new pg.Client({ connectionString: url, options: hnswStartupOptions });
    await client.connect();
    try {
      for (const { sql, params } of captured) {
        const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params.map((p) => (typeof p === 'bigint' ? p.toString() : p)));
        console.log(`--- ${sql.replace(/\s+/g, ' ').slice(0, 90)}…`);
        for (const row of plan.rows) console.log(row['QUERY PLAN']);
      }
    } finally {
      await client.end();
    }
  }

  // Recall of the vector leg against exact search (index scans off, so the
  // same filter and order are computed over every row of the base): first as
  // the retriever runs it, then the same nearest-neighbour statement at
  // several ef_search values, with its latency, to show the trade-off.
  async function vectorRecall(sample) {
    const exactTop = new Map();
    const vectors = new Map();
    for (const query of sample) {
      const [vector] = await s.embedder.embed([query], 'query');
      vectors.set(query, `[${vector.join(',')}]`);
      const exact = await db.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('SET LOCAL enable_indexscan = off');
        return tx.$queryRawUnsafe(
          `SELECT id FROM chunks WHERE embedding_dim = ${dim} AND knowledge_base_id = $2::uuid ORDER BY (embedding::vector(${dim})) <=> $1::vector(${dim}) LIMIT 5`,
          vectors.get(query),
          big.knowledgeBaseId,
        );
      }, { timeout: 120_000 });
      exactTop.set(query, exact.map((r) => r.id.toString()));
    }
    const recall = (found) => {
      let atOne = 0;
      let atFive = 0;
      for (const [query, ids] of found) {
        const expected = exactTop.get(query);
        if (ids[0] === expected[0]) atOne += 1;
        atFive += ids.slice(0, 5).filter((id) => expected.includes(id)).length;
      }
      return `recall@1 ${((100 * atOne) / found.size).toFixed(1)}%, recall@5 ${((100 * atFive) / (5 * found.size)).toFixed(1)}%`;
    };
    const asRetrieved = new Map();
    for (const query of sample) {
      const results = await s.retriever.retrieve({ assistantId: big.id, reader: everyAttachedBase, query, topK: 5, minScore: -1, mode: 'vector' });
      asRetrieved.set(query, results.map((p) => p.chunkId));
    }
    console.log(`vector leg against exact search, ${sample.length} queries: ${recall(asRetrieved)} (as the retriever runs it: 40 candidates, hnsw.ef_search ${efSearchFor(40)})`);
    const client = new pg.Client({ connectionString: url, options: hnswStartupOptions });
    await client.connect();
    try {
      for (const ef of [40, 80, 200, 400]) {
        await client.query(`SET hnsw.ef_search = ${ef}`);
        const found = new Map();
        const times = [];
        for (const query of sample) {
          const started = performance.now();
          const { rows } = await client.query(
            `SELECT id, (c.embedding::vector(${dim})) <=> $1::vector(${dim}) AS distance FROM chunks c
              WHERE c.embedding_dim = ${dim} AND c.knowledge_base_id = ANY ($2::uuid[]) ORDER BY (c.embedding::vector(${dim})) <=> $1::vector(${dim}) LIMIT 40`,
            [vectors.get(query), [big.knowledgeBaseId]],
          );
          times.push(performance.now() - started);
          // Iterative scans return neighbours in roughly, not exactly, ascending distance (relaxed_order).
          found.set(query, rows.sort((x, y) => x.distance - y.distance).map((r) => r.id));
        }
        times.sort((x, y) => x - y);
        console.log(`  ef_search ${String(ef).padStart(3)}: ${recall(found)}, nearest 40 in p50 ${percentile(times, 50).toFixed(1)} ms / p95 ${percentile(times, 95).toFixed(1)} ms`);
      }
    } finally {
      await client.end();
    }
  }
} finally {
  await drop();
}

/**
 * maintenance_work_mem that keeps pgvector's HNSW graph in memory while it is
 * built: about 4 bytes a dimension plus ~700 bytes of neighbour lists and
 * bookkeeping per chunk (m = 16), with a quarter more for headroom. Beyond
 * it, pgvector continues on a much slower on-disk path.
 */
function indexBuildMemory(chunks, dimension) {
  const bytes = chunks * (dimension * 4 + 700) * 1.25;
  return `${Math.max(64, Math.ceil(bytes / 2 ** 20 / 64) * 64)}MB`;
}

// Proportional set size: memory shared by the leader and its worker (the graph) is counted once across them.
function residentBytes(pid) {
  try {
    const kb = /^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}
