#!/usr/bin/env node
// Hybrid retrieval latency over a large index.
//   npm run bench:retrieval -- [--chunks 100000] [--queries 200] [--modes hybrid,vector,text] [--assistants 10]
//   BENCH_DATABASE_URL=postgresql://... npm run bench:retrieval -- --chunks 1000000
// Loads synthetic chunks (local embedder vectors) spread evenly over several
// assistants (one of them searched), builds the HNSW index once after
// loading, and times the same retrieval service the chat uses: hybrid,
// vector-only and text-only. Then, side by side in the same run, the text and
// hybrid modes again over a full-text index shared by all assistants (the
// index before chunks_assistant_tsv_idx), to show what the per-assistant
// index saves when other assistants' chunks match the same words.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/dist/config/index.js';
import { createLogger } from '../server/dist/lib/logger.js';
import { insertChunks } from '../server/dist/ingestion/index/chunkStore.js';
import { everyAttachedBase } from '../server/dist/policies/knowledgeBases.js';
import { createServices } from '../server/dist/services.js';
import { benchDatabase, percentile } from './support/benchDatabase.mjs';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '200' },
    modes: { type: 'string', default: 'hybrid,vector,text' },
    assistants: { type: 'string', default: '10' },
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

const { db, engine, drop } = await benchDatabase();
try {
  const config = loadConfig({ JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789', LOG_LEVEL: 'silent', NODE_ENV: 'production', UPLOADS_DIR: os.tmpdir() });
  const s = createServices(config, db, createLogger('silent'));
  const dim = s.embedder.dimension;
  console.log(`retrieval benchmark: ${total} chunks over ${assistantCount} assistants, ${queryCount} queries, engine ${engine}, embedder ${s.embedder.name}/${dim}`);

  // Each assistant searches a knowledge base of its own.
  const assistantWithBase = async (name) => {
    const assistant = await db.prisma.assistant.create({ data: { name } });
    const base = await db.prisma.knowledgeBase.create({ data: { name, assistantId: assistant.id, attachments: { create: { assistantId: assistant.id } } } });
    return { ...assistant, knowledgeBaseId: base.id };
  };
  const big = await assistantWithBase('searched');
  const others = [];
  for (let i = 1; i < assistantCount; i++) others.push(await assistantWithBase(`other-${i}`));
  await db.prisma.$executeRawUnsafe(`DROP INDEX IF EXISTS chunks_embedding_${dim}_hnsw`);

  const loadStart = performance.now();
  const perFile = 1000;
  const samples = [];
  for (let loaded = 0; loaded < total; loaded += perFile) {
    // Every assistant holds an equal share, as when a company has several of similar size.
    const fileNumber = loaded / perFile;
    const assistant = fileNumber % assistantCount === 0 ? big : others[(fileNumber % assistantCount) - 1];
    const file = await db.prisma.knowledgeFile.create({
      data: { knowledgeBaseId: assistant.knowledgeBaseId, originalName: `doc-${loaded / perFile}.txt`, mimeType: 'text/plain', sizeBytes: 1n, sha256: String(loaded).padStart(64, '0'), storagePath: 'x', status: 'ready' },
    });
    const texts = Array.from({ length: Math.min(perFile, total - loaded) }, () => sentence(60 + rand(60)));
    if (assistant === big && samples.length < queryCount) samples.push(texts[rand(texts.length)]);
    const vectors = [];
    for (let i = 0; i < texts.length; i += 256) vectors.push(...(await s.embedder.embed(texts.slice(i, i + 256), 'document')));
    await insertChunks(db.prisma, file, s.embedder, texts.map((text, i) => ({ ordinal: i, text, tokenCount: 100, embedding: vectors[i] })));
    if ((loaded / perFile) % 50 === 0) process.stdout.write(`  loaded ${loaded + texts.length}\r`);
  }
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const indexStart = performance.now();
  await db.prisma.$executeRawUnsafe(`SET maintenance_work_mem = '1GB'`).catch(() => undefined);
  await db.prisma.$executeRawUnsafe(
    `CREATE INDEX chunks_embedding_${dim}_hnsw ON chunks USING hnsw (((embedding)::vector(${dim})) vector_cosine_ops) WHERE embedding_dim = ${dim}`,
  );
  await db.prisma.$executeRawUnsafe('ANALYZE chunks');
  console.log(`loaded in ${loadSeconds.toFixed(1)} s (${(total / loadSeconds).toFixed(0)} chunks/s); HNSW index built in ${((performance.now() - indexStart) / 1000).toFixed(1)} s`);

  // Questions made of a few words of a real chunk, like a person half-remembering a passage.
  const queries = Array.from({ length: queryCount }, (_, i) => {
    const words = samples[i % samples.length].split(' ');
    const start = rand(Math.max(1, words.length - 8));
    return words.slice(start, start + 6).join(' ');
  });
  const timeMode = async (mode, label = mode) => {
    for (const q of queries.slice(0, 10)) await s.retriever.retrieve({ assistantId: big.id, reader: everyAttachedBase, query: q, topK: 5, minScore: 0, mode }); // warm up
    const times = [];
    let hits = 0;
    for (const q of queries) {
      const t = performance.now();
      const results = await s.retriever.retrieve({ assistantId: big.id, reader: everyAttachedBase, query: q, topK: 5, minScore: 0, mode });
      times.push(performance.now() - t);
      if (results.length === 5) hits += 1;
    }
    times.sort((a, b) => a - b);
    console.log(`${label.padEnd(26)} p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms  p99 ${percentile(times, 99).toFixed(1)} ms  (${hits}/${queries.length} queries filled top-5)`);
    return percentile(times, 95);
  };
  const perAssistant = {};
  for (const mode of modes) perAssistant[mode] = await timeMode(mode);

  const textModes = modes.filter((m) => m !== 'vector');
  if (others.length > 0 && textModes.length > 0) {
    console.log('the same over a full-text index shared by all bases (instead of chunks_knowledge_base_tsv_idx):');
    await db.prisma.$executeRawUnsafe('CREATE INDEX chunks_tsv_shared_bench ON chunks USING GIN (tsv)');
    await db.prisma.$executeRawUnsafe('DROP INDEX chunks_knowledge_base_tsv_idx');
    await db.prisma.$executeRawUnsafe('ANALYZE chunks');
    for (const mode of textModes) {
      const shared = await timeMode(mode, `${mode} (shared index)`);
      console.log(`  ${mode}: p95 shared / per-assistant = ${(shared / perAssistant[mode]).toFixed(2)}`);
    }
  }
  console.log('target (SPEC): hybrid top-k over 1,000,000 chunks p95 <= 50 ms on native Postgres + pgvector');
} finally {
  await drop();
}
