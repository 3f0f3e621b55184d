import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { syncSource, type PreviousPage, type SyncResult, type WebSourceOptions } from '../../server/src/websources/index.js';
import { manifestSnippet, readFixture } from '../ingestion/support/documentFixtures.js';
import { normaliseForComparison } from '../ingestion/support/textSimilarity.js';
import { bytes, html, page, redirect, robots, sitemap, sitemapIndex, stall, startTestSite, status, withEtag, withLastModified, type TestSite } from './support/testSite.js';

// A whole site on loopback synced twice: the first sync finds pages by links and
// by the sitemap, the second sees changes, 304s and removals the way a
// scheduled re-sync would. Pages from the first sync are stored as a caller
// would store them (url, validators, hash, links).

const pdfFixture = 'pdf/pdfjs__pdfjs_wikipedia.pdf';
const options: WebSourceOptions = {
  allowList: ['127.0.0.1/32'],
  limits: { maxBytes: 512 * 1024, timeoutMs: 30_000, idleTimeoutMs: 10_000 },
};

let site: TestSite;
let first: SyncResult;

function urls(pages: Array<{ url: string }>): string[] {
  return pages.map((entry) => entry.url).sort();
}

function previousPagesOf(result: SyncResult): PreviousPage[] {
  return [...result.added, ...result.changed].map((entry) => ({
    url: entry.url,
    contentHash: entry.contentHash,
    links: entry.links,
    ...(entry.etag ? { etag: entry.etag } : {}),
    ...(entry.lastModified ? { lastModified: entry.lastModified } : {}),
  }));
}

function buildSite(): void {
  const u = site.url;
  site.routes.set('/robots.txt', robots(`User-agent: *\nDisallow: /private/\n\nUser-agent: OtherBot\nDisallow: /\n\nSitemap: ${u('/sitemap.xml')}\n`));
  site.routes.set('/sitemap.xml', sitemapIndex([u('/sitemap-pages.xml')]));
  site.routes.set('/sitemap-pages.xml', sitemap([u('/'), u('/listed-only'), u('/also-listed')]));
  site.routes.set(
    '/',
    html(
      page(
        'Handbook home',
        `<h1>Handbook</h1><p>Welcome to the company handbook.</p>
         <a href="/etag">etag</a> <a href="last-modified#top">lm</a> <a href="/changing?utm_source=mail&amp;b=2&amp;a=1">changing</a>
         <a href="/gone-404">a</a> <a href="/gone-410">b</a> <a href="/private/payroll">secret</a>
         <a href="/files/report.pdf">report</a> <a href="/deep/1">deep</a> <a href="https://elsewhere.example/">away</a>
         <a href="mailto:hr@example.com">mail</a> <a href="/logo.png">logo</a>`,
      ),
    ),
  );
  site.routes.set('/etag', withEtag('"e1"', page('ETag page', '<h2>Leave</h2><p>Twenty-five days of annual leave.</p>')));
  site.routes.set('/last-modified', withLastModified(new Date('2026-11-01T10:00:00Z'), page('Dated page', '<h2>Travel</h2><p>Book trains, not planes.</p>')));
  site.routes.set('/changing', html(page('Changing', '<h2>Expenses</h2><h3>Meals</h3><p>Meals up to 20 euros a day.</p>')));
  site.routes.set('/gone-404', html(page('Old policy', '<p>Soon to be deleted.</p>')));
  site.routes.set('/gone-410', html(page('Older policy', '<p>Soon to be gone for good.</p>')));
  site.routes.set('/private/payroll', html(page('Payroll', '<p>Salaries.</p>')));
  site.routes.set('/listed-only', html(page('Listed only', '<p>Only the sitemap knows this page.</p>')));
  site.routes.set('/also-listed', html(page('Also listed', '<p>Another page only in the sitemap.</p>')));
  site.routes.set('/files/report.pdf', bytes(readFixture(pdfFixture), 'application/pdf'));
  for (let level = 1; level <= 5; level += 1) {
    site.routes.set(`/deep/${level}`, html(page(`Level ${level}`, `<p>Depth ${level}.</p><a href="/deep/${level + 1}">next</a>`)));
  }
}

beforeAll(async () => {
  site = await startTestSite();
  buildSite();
  first = await syncSource({ url: site.url('/'), mode: 'site', maxDepth: 3, maxPages: 50 }, [], options);
}, 60_000);

afterAll(async () => {
  await site.close();
});

describe('first sync of a site', () => {
  it('finds pages by links and by the sitemap index, within the depth limit', () => {
    expect(first.errors).toEqual([]);
    expect(urls(first.added)).toEqual(
      [
        '/',
        '/also-listed',
        '/changing?a=1&b=2',
        '/deep/1',
        '/deep/2',
        '/deep/3',
        '/etag',
        '/files/report.pdf',
        '/gone-404',
        '/gone-410',
        '/last-modified',
        '/listed-only',
      ]
        .map(site.url)
        .sort(),
    );
    expect(first.sitemap).toMatchObject({ used: true, urls: 3, problems: [] });
    expect(first.complete).toBe(true);
    expect(first.counts).toMatchObject({ added: 12, changed: 0, removed: 0, errors: 0 });
  });

  it('respects robots.txt and never requests a disallowed page', () => {
    expect(site.requestsTo('/private/payroll')).toHaveLength(0);
    expect(site.requestsTo('/deep/4')).toHaveLength(0);
    expect(site.requested()).toContain('/changing?a=1&b=2');
    expect(site.requested().every((path) => !path.includes('utm_source'))).toBe(true);
    expect(site.requestsTo('/').every((request) => request.headers['user-agent'] === 'AtriumBot')).toBe(true);
  });

  it('keeps the title and the headings of a page for citations', () => {
    const changing = first.added.find((entry) => entry.url === site.url('/changing?a=1&b=2'))!;
    expect(changing.title).toBe('Changing');
    expect(changing.kind).toBe('html');
    expect(changing.spans).toEqual([{ text: 'Expenses\nMeals\nMeals up to 20 euros a day.', section: 'Expenses > Meals' }]);
  });

  it('extracts a linked PDF through the document extractor', () => {
    const report = first.added.find((entry) => entry.url === site.url('/files/report.pdf'))!;
    expect(report).toMatchObject({ kind: 'pdf', mime: 'application/pdf', title: 'report.pdf' });
    expect(report.spans[0]?.page).toBe(1);
    expect(normaliseForComparison(report.spans[0]!.text)).toContain(normaliseForComparison(manifestSnippet(pdfFixture)));
  });
});

describe('second sync', () => {
  let second: SyncResult;

  beforeAll(async () => {
    site.routes.set('/changing', html(page('Changing', '<h2>Expenses</h2><h3>Meals</h3><p>Meals up to 25 euros a day.</p>')));
    site.routes.set('/gone-404', status(404));
    site.routes.set('/gone-410', status(410));
    site.routes.set('/sitemap-pages.xml', sitemap([site.url('/'), site.url('/listed-only')]));
    site.resetLog();
    second = await syncSource({ url: site.url('/'), mode: 'site', maxDepth: 3, maxPages: 50 }, previousPagesOf(first), options);
  }, 60_000);

  it('re-reports a changed page as changed, with its new text', () => {
    expect(urls(second.changed)).toEqual([site.url('/changing?a=1&b=2')]);
    expect(second.changed[0]!.spans[0]!.text).toContain('25 euros');
  });

  it('keeps unchanged pages through ETag and Last-Modified 304s without downloading them', () => {
    const byUrl = new Map(second.unchanged.map((entry) => [entry.url, entry]));
    expect(byUrl.get(site.url('/etag'))).toMatchObject({ reason: 'not_modified', etag: '"e1"' });
    expect(byUrl.get(site.url('/last-modified'))).toMatchObject({ reason: 'not_modified' });
    expect(site.requestsTo('/etag')[0]!.headers['if-none-match']).toBe('"e1"');
    expect(site.requestsTo('/last-modified')[0]!.headers['if-modified-since']).toBe('Sun, 01 Nov 2026 10:00:00 GMT');
    expect(byUrl.get(site.url('/'))).toMatchObject({ reason: 'same_content' });
    expect(byUrl.get(site.url('/files/report.pdf'))).toMatchObject({ reason: 'same_content' });
  });

  it('removes pages gone upstream (404, 410) and the page dropped from the sitemap', () => {
    const removed = Object.fromEntries(second.removed.map((entry) => [entry.url.replace(site.origin, ''), entry.reason]));
    expect(removed).toEqual({ '/gone-404': 'gone', '/gone-410': 'gone', '/also-listed': 'unreachable' });
    expect(second.removed.find((entry) => entry.url.endsWith('/gone-410'))?.httpStatus).toBe(410);
    expect(second.counts).toMatchObject({ added: 0, changed: 1, removed: 3, errors: 0, unchanged: 8 });
    expect(second.notVisited).toEqual([]);
  });
});

describe('pages that fail', () => {
  it('reports a slow, an oversized and a disguised binary page per page while the rest syncs', async () => {
    const other = await startTestSite();
    try {
      other.routes.set(
        '/',
        html(page('Start', '<p>start</p><a href="/slow">slow</a><a href="/huge">huge</a><a href="/binary">binary</a><a href="/fine">fine</a><a href="/to-metadata">meta</a>')),
      );
      other.routes.set('/slow', stall);
      other.routes.set('/huge', html(page('Huge', `<p>${'x'.repeat(600 * 1024)}</p>`)));
      other.routes.set('/binary', bytes(randomBytes(4096), 'text/html'));
      other.routes.set('/fine', html(page('Fine', '<p>All good.</p>')));
      other.routes.set('/to-metadata', redirect('http://169.254.169.254/latest/meta-data/'));
      // Only this sync has a short idle limit: the stalled page must end it, the others are small.
      const result = await syncSource({ url: other.url('/'), mode: 'site' }, [], { ...options, limits: { ...options.limits, idleTimeoutMs: 2_000 } });
      expect(urls(result.added)).toEqual([other.url('/'), other.url('/fine')]);
      const errors = Object.fromEntries(result.errors.map((entry) => [entry.url.replace(other.origin, ''), entry]));
      expect(errors['/slow']).toMatchObject({ code: 'idle_timeout' });
      expect(errors['/huge']).toMatchObject({ code: 'too_large', message: expect.stringContaining('512 KiB') });
      expect(errors['/binary']).toMatchObject({ code: 'unsupported_type', message: expect.stringContaining('served as text/html') });
      expect(errors['/to-metadata']).toMatchObject({ code: 'blocked_address' });
      expect(result.counts.errors).toBe(4);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('keeps a page that fails on re-sync, and the pages only it links to', async () => {
    const previous = previousPagesOf(first);
    site.routes.set('/deep/1', status(503));
    try {
      const result = await syncSource({ url: site.url('/'), mode: 'site', maxDepth: 3, maxPages: 50 }, previous, options);
      expect(result.errors).toEqual([{ url: site.url('/deep/1'), code: 'http_status', message: expect.stringContaining('HTTP 503'), httpStatus: 503 }]);
      expect(result.removed.map((entry) => entry.url)).not.toContain(site.url('/deep/2'));
      expect(result.unchanged.map((entry) => entry.url)).toEqual(expect.arrayContaining([site.url('/deep/2'), site.url('/deep/3')]));
    } finally {
      site.routes.set('/deep/1', html(page('Level 1', '<p>Depth 1.</p><a href="/deep/2">next</a>')));
    }
  }, 60_000);
});
