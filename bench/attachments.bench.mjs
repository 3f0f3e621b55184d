// Drop to ready for conversation attachments, through the built product:
//   npm run bench:attachments [-- --runs 3 --pages 20]
// A generated text PDF of --pages pages and a real screenshot (the chat app's own,
// docs/screenshots/web-chat.png, read by OCR) are uploaded to a conversation and
// timed until the attachment is ready, over HTTP as the chat app does it. Baseline in
// the same script: pdf-parse reading the same PDF in this process.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { PDFParse } from 'pdf-parse';
import { apiCaller, deadline, shutdown, startStack } from '../load/node/stack.mjs';
import { buildTextPdf } from './support/textPdf.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, pages: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
const pages = Number(values.pages);
deadline(10 * 60_000);

const stack = await startStack({ firstTokenMs: 20, tokens: 10, tokenMs: 5 });
const { api } = stack;
const call = apiCaller(api);
const { accessToken: token } = await call('POST', '/api/v1/auth/login', stack.admin);
const assistant = await call('POST', '/api/v1/assistants', { name: 'Bench', instructions: 'Answer briefly.' }, token);
const seed = fs.readFileSync(new URL('../tests/fixtures/documents/misc/unstructured__norwich-city.txt', import.meta.url), 'utf8');
const screenshot = fs.readFileSync(new URL('../docs/screenshots/web-chat.png', import.meta.url));

async function dropToReady(name, bytes) {
  const conversation = await call('POST', '/api/v1/conversations', { assistantId: assistant.id }, token);
  const form = new FormData();
  form.append('files', new Blob([bytes]), name);
  const started = performance.now();
  const res = await fetch(`${api}/api/v1/conversations/${conversation.id}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (res.status !== 201) throw new Error(`upload ${name}: ${res.status} ${await res.text()}`);
  const id = (await res.json()).attachments[0].id;
  for (;;) {
    const listed = (await call('GET', `/api/v1/conversations/${conversation.id}/attachments`, undefined, token)).data.find((a) => a.id === id);
    if (listed.state === 'failed') throw new Error(`${name} failed: ${listed.error}`);
    if (listed.state === 'ready') return { ms: performance.now() - started, chunks: listed.chunkCount };
    await new Promise((r) => setTimeout(r, 50));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (let run = 0; run < runs; run++) {
  const pdf = buildTextPdf(pages, `${seed} run${run}`);
  const parseStarted = performance.now();
  const parsed = await new PDFParse({ data: new Uint8Array(pdf) }).getText();
  const parseMs = performance.now() - parseStarted;
  if (parsed.pages.length !== pages) throw new Error(`pdf-parse read ${parsed.pages.length} pages`);
  const pdfResult = await dropToReady(`report-${run}.pdf`, pdf);
  const pngResult = await dropToReady(`screenshot-${run}.png`, screenshot);
  rows.push({ parseMs, pdf: pdfResult, png: pngResult });
  console.log(`run ${run + 1}: ${pages}-page PDF ${(pdfResult.ms / 1000).toFixed(2)} s (${pdfResult.chunks} chunks; pdf-parse alone ${parseMs.toFixed(0)} ms), screenshot ${(pngResult.ms / 1000).toFixed(2)} s (${pngResult.chunks} chunks)`);
}
console.log(`\nengine ${stack.engine}, ${os.cpus().length} cores, ${runs} runs, medians:`);
console.log(`  ${pages}-page PDF: drop to ready ${(median(rows.map((r) => r.pdf.ms)) / 1000).toFixed(2)} s; pdf-parse alone ${median(rows.map((r) => r.parseMs)).toFixed(0)} ms (${(median(rows.map((r) => r.pdf.ms)) / median(rows.map((r) => r.parseMs))).toFixed(1)}× the parse)`);
console.log(`  screenshot (${(screenshot.length / 1024).toFixed(0)} KB PNG, OCR): drop to ready ${(median(rows.map((r) => r.png.ms)) / 1000).toFixed(2)} s`);
await shutdown();
process.exit(0);
