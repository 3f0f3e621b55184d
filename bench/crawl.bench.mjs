#!/usr/bin/env node
// Web source crawl throughput against a generated site on loopback.
//   npm run bench:crawl -- [--pages 500] [--concurrency 3]
// The site: a home page and N article pages (~6 KB of HTML each, headings,
// paragraphs, navigation), each linking to its neighbours and a few others, so
// a breadth-first crawl reaches all of them within a few levels; every page has
// an ETag. Run 1 is a first sync (everything fetched, parsed, extracted); run 2
// re-syncs with the stored pages (conditional requests, 304s); run 3 re-syncs
// after a tenth of the pages changed. Figures are pages per second of wall time
// for the whole sync, robots.txt and sitemap included, server in the same process.
import http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { syncSource } from '../server/dist/websources/index.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '3' } } });
const pageCount = Number(values.pages);
const concurrency = Number(values.concurrency);

const words = 'policy employee leave travel expense approval manager holiday contract benefit pension onboarding laptop security password badge office remote schedule payroll training'.split(' ');
function sentence(seed, length) {
  return Array.from({ length }, (_, i) => words[(seed * 7 + i * 13) % words.length]).join(' ');
}

const revision = new Map();
function article(index) {
  const rev = revision.get(index) ?? 0;
  const links = [index - 1, index + 1, index * 2, index * 2 + 1, (index * 7) % pageCount, (index * 13) % pageCount]
    .filter((target) => target >= 0 && target < pageCount && target !== index)
    .map((target) => `<li><a href="/articles/${target}?utm_source=nav#top">Article ${target}</a></li>`)
    .join('');
  const sections = [1, 2, 3]
    .map((section) => `<h2>Section ${section}</h2>${[0, 1, 2].map((p) => `<p>${sentence(index + section + p + rev, 60)}.</p>`).join('')}`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Article ${index} r${rev}</title><link rel="stylesheet" href="/site.css"></head><body><header><nav><ul>${links}</ul></nav></header><main><h1>Article ${index}</h1>${sections}</main><footer>Company handbook</footer></body></html>`;
}

function home() {
  const links = Array.from({ length: Math.min(20, pageCount) }, (_, i) => `<a href="/articles/${i}">Article ${i}</a>`).join(' ');
  return `<!doctype html><html><head><title>Handbook</title></head><body><h1>Handbook</h1><p>${sentence(1, 40)}</p>${links}</body></html>`;
}

let served = 0;
const server = http.createServer((request, response) => {
  served += 1;
  const { pathname } = new URL(request.url, 'http://bench');
  if (pathname === '/robots.txt') return void response.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private/\n');
  if (pathname === '/sitemap.xml') return void response.writeHead(404).end();
  let body;
  let etag;
  if (pathname === '/') {
    body = home();
    etag = '"home"';
  } else {
    const match = /^\/articles\/(\d+)$/.exec(pathname);
    const index = match ? Number(match[1]) : -1;
    if (index < 0 || index >= pageCount) return void response.writeHead(404).end();
    etag = `"a${index}-${revision.get(index) ?? 0}"`;
    if (request.headers['if-none-match'] === etag) return void response.writeHead(304, { etag }).end();
    body = article(index);
  }
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag }).end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const source = { url: `${origin}/`, mode: 'site', maxDepth: 20, maxPages: pageCount + 10 };
const options = { allowList: ['127.0.0.1/32'], concurrency };

function stored(result) {
  return [...result.added, ...result.changed].map((page) => ({ url: page.url, etag: page.etag, contentHash: page.contentHash, links: page.links }));
}

async function run(label, previous) {
  served = 0;
  const t = performance.now();
  const result = await syncSource(source, previous, options);
  const seconds = (performance.now() - t) / 1000;
  const { counts } = result;
  console.log(
    `${label}: ${counts.requested} pages in ${seconds.toFixed(2)} s = ${(counts.requested / seconds).toFixed(1)} pages/s ` +
      `(added ${counts.added}, changed ${counts.changed}, unchanged ${counts.unchanged}, removed ${counts.removed}, errors ${counts.errors}; ${served} HTTP requests)`,
  );
  if (counts.errors > 0) throw new Error(`errors: ${JSON.stringify(result.errors.slice(0, 3))}`);
  return result;
}

try {
  console.log(`crawl benchmark: ${pageCount + 1}-page generated site on loopback, concurrency ${concurrency}, ${os.cpus().length} cores, Node ${process.version}`);
  const first = await run('first sync (full fetch + HTML extraction)', []);
  let pages = stored(first);
  const second = await run('re-sync, nothing changed (ETag 304s)', pages);
  for (let index = 0; index < pageCount; index += 10) revision.set(index, 1);
  const byUrl = new Map(pages.map((page) => [page.url, page]));
  for (const page of second.unchanged) byUrl.set(page.url, { ...byUrl.get(page.url), etag: page.etag });
  pages = [...byUrl.values()];
  await run('re-sync, a tenth changed', pages);
} finally {
  server.closeAllConnections();
  server.close();
}
