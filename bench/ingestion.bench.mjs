#!/usr/bin/env node
// Ingestion throughput against text extraction alone, in one run.
//   npm run bench:ingest -- [--pages 300]
// Baseline: pdf-parse reading every page in this process. End to end: the real
// pipeline (sandboxed extraction, chunking, local embedder, batched inserts)
// on the same PDF. BENCH_DATABASE_URL selects native Postgres; default PGlite.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PDFParse } from 'pdf-parse';
import { loadConfig } from '../server/dist/config/index.js';
import { createLogger } from '../server/dist/lib/logger.js';
import { createServices } from '../server/dist/services.js';
import { benchDatabase } from './support/benchDatabase.mjs';
import { buildTextPdf } from './support/textPdf.mjs';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '300' }, runs: { type: 'string', default: '2' } } });
const pages = Number(values.pages);
const runs = Number(values.runs);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-bench-'));
const seedText = fs.readFileSync(new URL('../tests/fixtures/documents/misc/mammoth__README.md', import.meta.url), 'utf8');

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const { db, engine, drop } = await benchDatabase();
try {
  const config = loadConfig({ JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789', UPLOADS_DIR: path.join(work, 'uploads'), LOG_LEVEL: 'silent', NODE_ENV: 'production' });
  const services = createServices(config, db, createLogger('silent'));
  await services.storage.init();
  const knowledgeBase = await db.prisma.knowledgeBase.create({ data: { name: 'bench' } });

  console.log(`ingestion benchmark: ${pages}-page text PDF, engine ${engine}, embedder ${services.embedder.name}/${services.embedder.dimension}, ${os.cpus().length} cores`);
  for (let run = 1; run <= runs; run += 1) {
    // A different PDF each run, so nothing is deduplicated.
    const pdf = buildTextPdf(pages, `${seedText} run${run}`);

    let t = performance.now();
    const parser = new PDFParse({ data: new Uint8Array(pdf) });
    const text = await parser.getText();
    await parser.destroy();
    const extractSeconds = (performance.now() - t) / 1000;
    if (text.pages.length !== pages) throw new Error(`pdf-parse read ${text.pages.length} pages, expected ${pages}`);

    const temp = path.join(work, `run${run}.pdf`);
    fs.writeFileSync(temp, pdf);
    const storagePath = await services.storage.keep(temp, knowledgeBase.id);
    const file = await db.prisma.knowledgeFile.create({
      data: { knowledgeBaseId: knowledgeBase.id, originalName: `bench-${run}.pdf`, mimeType: 'application/pdf', sizeBytes: BigInt(pdf.length), sha256: `${run}`.padStart(64, '0'), storagePath },
    });
    t = performance.now();
    await services.pipeline.process(file.id, new AbortController().signal);
    const e2eSeconds = (performance.now() - t) / 1000;
    const done = await db.prisma.knowledgeFile.findUniqueOrThrow({ where: { id: file.id } });
    if (done.status !== 'ready' || done.pageCount !== pages) throw new Error(`file ended ${done.status} with ${done.pageCount} pages`);

    console.log(
      [
        `run ${run}:`,
        `extraction alone (pdf-parse) ${(pages / extractSeconds).toFixed(0)} pages/s`,
        `| end to end ${(pages / e2eSeconds).toFixed(1)} pages/s, ${(done.chunkCount / e2eSeconds).toFixed(0)} chunks/s (${done.chunkCount} chunks in ${e2eSeconds.toFixed(2)} s)`,
        `| ratio end-to-end/extraction ${(extractSeconds / e2eSeconds).toFixed(2)}`,
      ].join(' '),
    );
  }
  console.log(`peak RSS of the API-side process: ${(peakRss / 1024 / 1024).toFixed(0)} MiB (extraction runs in a child bounded by EXTRACTION_MAX_MEMORY_MB)`);
  console.log('target (SPEC): >= 50 text-PDF pages/s end to end with the local embedder');
} finally {
  clearInterval(sampler);
  await drop();
  fs.rmSync(work, { recursive: true, force: true });
}
