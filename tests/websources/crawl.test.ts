import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { crawl, syncSource, WebSourceError, type WebSourceOptions } from '../../server/src/websources/index.js';
import { html, page, robots, startTestSite, status, type TestSite } from './support/testSite.js';

// Crawl bounds and politeness on a generated site: a chain of hub pages each
// linking to a few leaves, so depth and page limits cut it in known places.

const options: WebSourceOptions = { allowList: ['127.0.0.1/32'], limits: { timeoutMs: 30_000, idleTimeoutMs: 10_000 } };
let site: TestSite;

function pathsOf(urls: string[]): string[] {
  return urls.map((url) => new URL(url).pathname).sort();
}

beforeAll(async () => {
  site = await startTestSite();
  for (let hub = 0; hub < 6; hub += 1) {
    const leaves = [0, 1, 2].map((leaf) => `<a href="/hub/${hub}/leaf/${leaf}">leaf ${leaf}</a>`).join(' ');
    const next = `<a href="/hub/${hub + 1}">next hub</a>`;
    site.routes.set(`/hub/${hub}`, html(page(`Hub ${hub}`, `<p>Hub ${hub}</p>${leaves}${next}`)));
    for (let leaf = 0; leaf < 3; leaf += 1) {
      site.routes.set(`/hub/${hub}/leaf/${leaf}`, html(page(`Leaf ${hub}.${leaf}`, `<p>Leaf ${leaf} of hub ${hub}</p>`)));
    }
  }
});

afterAll(async () => {
  await site.close();
});

describe('crawl limits', () => {
  it('follows links breadth-first down to the depth limit', async () => {
    const result = await crawl({ url: site.url('/hub/0'), mode: 'site', maxDepth: 2 }, options);
    const fetched = result.outcomes.filter((outcome) => outcome.type === 'content').map((outcome) => outcome.url);
    expect(pathsOf(fetched)).toEqual(
      ['/hub/0', '/hub/0/leaf/0', '/hub/0/leaf/1', '/hub/0/leaf/2', '/hub/1', '/hub/1/leaf/0', '/hub/1/leaf/1', '/hub/1/leaf/2', '/hub/2'].sort(),
    );
    expect(result.outcomes.find((outcome) => outcome.url.endsWith('/hub/2'))?.depth).toBe(2);
    expect(result).toMatchObject({ truncated: false, complete: true });
  });

  it('stops at the page limit, and then removes nothing it did not reach', async () => {
    const source = { url: site.url('/hub/0'), mode: 'site' as const, maxDepth: 10, maxPages: 5 };
    const result = await crawl(source, options);
    expect(result.outcomes).toHaveLength(5);
    expect(result).toMatchObject({ truncated: true, complete: false });

    const previous = [{ url: site.url('/hub/5/leaf/2'), contentHash: 'kept from an earlier, longer crawl' }];
    const sync = await syncSource(source, previous, options);
    expect(sync.removed).toEqual([]);
    expect(sync.notVisited).toEqual([site.url('/hub/5/leaf/2')]);
  });

  it('fetches only the URL itself for a single-page source', async () => {
    site.resetLog();
    const result = await syncSource({ url: site.url('/hub/3'), mode: 'page' }, [], options);
    expect(result.added.map((entry) => entry.url)).toEqual([site.url('/hub/3')]);
    expect(result.added[0]!.links).toContain(site.url('/hub/3/leaf/0'));
    expect(site.requested().filter((path) => path !== '/robots.txt')).toEqual(['/hub/3']);
  });
});

describe('politeness', () => {
  afterAll(() => {
    site.routes.delete('/robots.txt');
  });

  it('honours a crawl delay one request at a time, shortened to the configured bound', async () => {
    site.routes.set('/robots.txt', robots('User-agent: AtriumBot\nCrawl-delay: 3600\n'));
    site.resetLog();
    const result = await crawl({ url: site.url('/hub/4'), mode: 'site', maxDepth: 1 }, { ...options, concurrency: 4, maxCrawlDelayMs: 20 });
    expect(result.crawlDelayMs).toBe(20);
    expect(result.outcomes).toHaveLength(5);
    expect(site.peakConcurrency).toBe(1);
  });

  it('uses its configured user agent name against robots.txt', async () => {
    site.routes.set('/robots.txt', robots('User-agent: IntranetIndexer\nDisallow: /hub/\n'));
    const result = await crawl({ url: site.url('/hub/1'), mode: 'page' }, { ...options, userAgent: 'IntranetIndexer' });
    expect(result.outcomes.map((outcome) => outcome.type)).toEqual(['disallowed']);
  });

  it('does not crawl a site whose robots.txt fails, and says why', async () => {
    site.routes.set('/robots.txt', status(503));
    const failure = await syncSource({ url: site.url('/hub/0'), mode: 'site' }, [{ url: site.url('/hub/0'), contentHash: 'x' }], options).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WebSourceError);
    expect(failure).toMatchObject({ code: 'robots_unavailable', httpStatus: 503 });
  });

  it('refuses a loopback source when loopback is not allow-listed', async () => {
    const failure = await syncSource({ url: site.url('/hub/0'), mode: 'site' }, [], { limits: options.limits! }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'blocked_address' });
  });
});

describe('links', () => {
  it('follows the canonical link and drops fragments and tracking parameters', async () => {
    site.routes.set('/variant', html(`<!doctype html><html><head><title>V</title><link rel="canonical" href="/canonical"></head><body><a href="/canonical#part?x">same</a><a href="/canonical?utm_campaign=z&amp;fbclid=1">same again</a></body></html>`));
    site.routes.set('/canonical', html(page('Canonical', '<p>The real page.</p>')));
    site.resetLog();
    const result = await crawl({ url: site.url('/variant'), mode: 'site', maxDepth: 1 }, options);
    expect(result.outcomes.map((outcome) => outcome.url).sort()).toEqual([site.url('/canonical'), site.url('/variant')]);
    expect(site.requestsTo('/canonical')).toHaveLength(1);
  });

  it('does not follow nofollow links or the links of a nofollow page', async () => {
    site.routes.set('/polite', html(page('Polite', '<a href="/followed">yes</a><a rel="nofollow" href="/not-followed">no</a>')));
    site.routes.set('/followed', html(`<!doctype html><html><head><title>F</title><meta name="robots" content="nofollow"></head><body><a href="/below-nofollow">x</a></body></html>`));
    site.routes.set('/not-followed', html(page('N', '<p>n</p>')));
    site.routes.set('/below-nofollow', html(page('B', '<p>b</p>')));
    const result = await crawl({ url: site.url('/polite'), mode: 'site' }, options);
    expect(pathsOf(result.outcomes.map((outcome) => outcome.url))).toEqual(['/followed', '/polite']);
  });

  it('reads a linked Markdown file as Markdown, with its headings', async () => {
    site.routes.set('/notes', html(page('Notes', '<a href="/notes/setup">setup</a>')));
    site.routes.set('/notes/setup', (_request, response) => response.writeHead(200, { 'content-type': 'text/markdown' }).end('# Setup\n\n## Laptop\n\nAsk IT for a laptop on day one.\n'));
    const result = await syncSource({ url: site.url('/notes'), mode: 'site' }, [], options);
    const setup = result.added.find((entry) => entry.url === site.url('/notes/setup'))!;
    expect(setup.kind).toBe('markdown');
    expect(setup.spans).toEqual([expect.objectContaining({ section: 'Setup > Laptop', text: expect.stringContaining('laptop on day one') })]);
  }, 30_000);
});

describe('cancelling', () => {
  it('stops a crawl when its signal is aborted and rejects with the reason', async () => {
    const controller = new AbortController();
    site.routes.set('/cancel', html(page('Cancel', [0, 1, 2, 3, 4, 5].map((i) => `<a href="/cancel/${i}">${i}</a>`).join(''))));
    for (let i = 0; i < 6; i += 1) site.routes.set(`/cancel/${i}`, html(page(`C${i}`, `<p>${i}</p>`)));
    // The site itself pulls the plug when the second level is first reached.
    site.routes.set('/cancel/0', (_request, response) => {
      controller.abort(new Error('sync cancelled by the operator'));
      response.writeHead(200, { 'content-type': 'text/html' }).end(page('C0', '<p>0</p>'));
    });
    site.resetLog();
    const failure = await crawl({ url: site.url('/cancel'), mode: 'site' }, { ...options, concurrency: 1, signal: controller.signal }).catch((error: unknown) => error);
    expect(failure).toEqual(new Error('sync cancelled by the operator'));
    expect(site.requestsTo('/cancel/5')).toHaveLength(0);
  });
});
