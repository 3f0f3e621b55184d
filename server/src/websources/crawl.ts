import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DocumentKind } from '../ingestion/extract/index.js';
import { createAddressPolicy, type AddressPolicy } from './addressPolicy.js';
import { classifyBody, defaultAllowedKinds, readDocumentPage, readHtmlPage, sha256, type PageContent } from './pageContent.js';
import { fetchRobotsRules, type RobotsRules } from './robotsRules.js';
import { defaultFetchLimits, safeFetch, type FetchLimits, type SafeFetchOptions } from './safeFetch.js';
import { readSitemaps, type SitemapListing } from './sitemaps.js';
import { isWebSourceError, WebSourceError, type WebSourceErrorCode } from './webSourceError.js';
import { isSameSite, looksFetchable, normaliseUrl } from './webUrls.js';

// The crawl engine: one page, or a site breadth-first from its start URL (plus
// the pages its sitemaps list), bounded by depth, page count and a small
// concurrency, polite to robots.txt. It reports what happened to every URL it
// tried; syncSource turns that into added / changed / unchanged / removed.
// Nothing here touches the database.

export interface WebSource {
  url: string;
  /** 'page': the URL alone. 'site': same-site pages reachable from it. */
  mode: 'page' | 'site';
  /** Links followed from the start page (site mode). Default 3. */
  maxDepth?: number;
  /** Pages requested in one sync, errors included (site mode). Default 200. */
  maxPages?: number;
}

export interface WebSourceOptions {
  /** Sent as User-Agent and matched against robots.txt groups. Default "AtriumBot". */
  userAgent?: string;
  /** Hosts, addresses and CIDR ranges that may be private (e.g. "127.0.0.1/32", "intranet.example.com"). */
  allowList?: readonly string[];
  limits?: Partial<FetchLimits>;
  /** Requests in flight at once (1 whenever robots.txt asks for a crawl delay). Default 3. */
  concurrency?: number;
  /** The longest robots.txt Crawl-delay honoured; longer asks are shortened to this. Default 10 s. */
  maxCrawlDelayMs?: number;
  /** Document kinds indexed (by their bytes). Default html, pdf, docx, text, markdown, csv. */
  allowedKinds?: readonly DocumentKind[];
  /** Read sitemap.xml (site mode). Default true. */
  useSitemaps?: boolean;
  signal?: AbortSignal;
}

/** What the caller kept from the last sync of a page. */
export interface PreviousPage {
  url: string;
  etag?: string;
  lastModified?: string;
  contentHash: string;
  /** Links the page had; lets a 304 (or a failed fetch) keep the pages below it reachable. */
  links?: string[];
}

export interface PageFailure {
  code: WebSourceErrorCode;
  message: string;
  httpStatus?: number;
}

interface OutcomeBase {
  /** The URL requested (normalised). */
  url: string;
  depth: number;
}

export type PageOutcome =
  | (OutcomeBase & { type: 'content'; finalUrl: string; etag?: string; lastModified?: string; content: PageContent })
  /** A document whose bytes hash as before: not extracted again. */
  | (OutcomeBase & { type: 'same_bytes'; finalUrl: string; contentHash: string; etag?: string; lastModified?: string })
  | (OutcomeBase & { type: 'not_modified'; etag?: string; lastModified?: string })
  | (OutcomeBase & { type: 'gone'; httpStatus: number })
  | (OutcomeBase & { type: 'disallowed' })
  /** Redirected to a page this crawl already has. */
  | (OutcomeBase & { type: 'redirected'; finalUrl: string })
  | (OutcomeBase & { type: 'error'; failure: PageFailure });

export interface CrawlResult {
  startUrl: string;
  outcomes: PageOutcome[];
  /** The page limit stopped the crawl with URLs still queued. */
  truncated: boolean;
  /**
   * Every page reachable now was reached: the start page answered, no limit cut
   * the crawl short and the sitemaps were read whole. Only then may a page that
   * was not reached be called gone.
   */
  complete: boolean;
  sitemap: { used: boolean; urls: number; problems: string[] };
  crawlDelayMs: number;
}

const defaults = { userAgent: 'AtriumBot', maxDepth: 3, maxPages: 200, concurrency: 3, maxCrawlDelayMs: 10_000, maxSitemaps: 20 };

const acceptDocuments = 'text/html,application/xhtml+xml,application/pdf;q=0.9,text/*;q=0.8,*/*;q=0.5';

interface QueuedUrl {
  url: string;
  depth: number;
}

function failureOf(error: unknown): PageFailure {
  if (isWebSourceError(error)) return { code: error.code, message: error.message, ...(error.httpStatus ? { httpStatus: error.httpStatus } : {}) };
  return { code: 'network', message: error instanceof Error ? error.message : String(error) };
}

class Crawl {
  private readonly userAgent: string;
  private readonly policy: AddressPolicy;
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  private readonly fetchOptions: SafeFetchOptions;
  private readonly allowedKinds: readonly DocumentKind[];
  private readonly robotsByOrigin = new Map<string, Promise<RobotsRules>>();
  private readonly previousByUrl: Map<string, PreviousPage>;
  private readonly seen = new Set<string>();
  private readonly queue: QueuedUrl[] = [];
  private readonly outcomes: PageOutcome[] = [];
  private readonly maxDepth: number;
  private readonly maxPages: number;
  private concurrency: number;
  private crawlDelayMs = 0;
  private nextRequestAt = 0;

  constructor(
    private readonly source: WebSource,
    private readonly startUrl: string,
    private readonly options: WebSourceOptions,
    previous: readonly PreviousPage[],
  ) {
    this.userAgent = options.userAgent ?? defaults.userAgent;
    this.policy = createAddressPolicy(options.allowList ?? []);
    this.fetchOptions = {
      ...defaultFetchLimits,
      ...options.limits,
      policy: this.policy,
      userAgent: this.userAgent,
      agents: this.agents,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    this.allowedKinds = options.allowedKinds ?? defaultAllowedKinds;
    this.previousByUrl = new Map(previous.map((page) => [page.url, page]));
    const site = source.mode === 'site';
    this.maxDepth = site ? Math.max(0, source.maxDepth ?? defaults.maxDepth) : 0;
    this.maxPages = site ? Math.max(1, source.maxPages ?? defaults.maxPages) : 1;
    this.concurrency = Math.max(1, options.concurrency ?? defaults.concurrency);
  }

  async run(): Promise<CrawlResult> {
    try {
      const startRobots = await this.robotsFor(this.startUrl);
      if (startRobots.crawlDelaySeconds) {
        this.crawlDelayMs = Math.min(startRobots.crawlDelaySeconds * 1000, this.options.maxCrawlDelayMs ?? defaults.maxCrawlDelayMs);
        this.concurrency = 1;
      }
      this.enqueue(this.startUrl, 0);
      const sitemap = await this.seedFromSitemaps(startRobots);
      await this.drain();
      this.options.signal?.throwIfAborted();
      const truncated = this.queue.length > 0;
      const start = this.outcomes.find((outcome) => outcome.url === this.startUrl);
      const startAnswered = start !== undefined && ['content', 'same_bytes', 'not_modified'].includes(start.type);
      return {
        startUrl: this.startUrl,
        outcomes: this.outcomes,
        truncated,
        complete: startAnswered && !truncated && (sitemap?.complete ?? true),
        sitemap: { used: (sitemap?.read.length ?? 0) > 0, urls: sitemap?.urls.length ?? 0, problems: sitemap?.problems ?? [] },
        crawlDelayMs: this.crawlDelayMs,
      };
    } finally {
      this.agents.http.destroy();
      this.agents.https.destroy();
    }
  }

  private robotsFor(url: string): Promise<RobotsRules> {
    const origin = new URL(url).origin;
    let rules = this.robotsByOrigin.get(origin);
    if (!rules) {
      rules = fetchRobotsRules(origin, this.userAgent, this.fetchOptions);
      this.robotsByOrigin.set(origin, rules);
    }
    return rules;
  }

  private async seedFromSitemaps(robots: RobotsRules): Promise<SitemapListing | undefined> {
    if (this.source.mode !== 'site' || this.maxDepth < 1 || this.options.useSitemaps === false) return undefined;
    const listed = robots.sitemaps.length > 0 ? robots.sitemaps : [new URL('/sitemap.xml', this.startUrl).href];
    const sitemapUrls = listed.flatMap((url) => {
      try {
        const normalised = normaliseUrl(url);
        return isSameSite(normalised, this.startUrl) ? [normalised] : [];
      } catch {
        return [];
      }
    });
    const listing = await readSitemaps(sitemapUrls, this.startUrl, {
      fetchOptions: this.fetchOptions,
      maxSitemaps: defaults.maxSitemaps,
      maxUrls: Math.max(this.maxPages * 10, 1000),
    });
    for (const url of listing.urls) this.enqueue(url, 1);
    return listing;
  }

  private enqueue(url: string, depth: number): void {
    if (this.seen.has(url) || depth > this.maxDepth) return;
    if (depth > 0 && (!isSameSite(url, this.startUrl) || !looksFetchable(url))) return;
    this.seen.add(url);
    this.queue.push({ url, depth });
  }

  private enqueueLinks(links: readonly string[] | undefined, depth: number): void {
    if (this.source.mode !== 'site' || !links) return;
    for (const link of links) this.enqueue(link, depth + 1);
  }

  private drain(): Promise<void> {
    let attempted = 0;
    let active = 0;
    return new Promise<void>((resolve) => {
      const pump = () => {
        while (active < this.concurrency && this.queue.length > 0 && attempted < this.maxPages && !this.options.signal?.aborted) {
          const item = this.queue.shift()!;
          attempted += 1;
          active += 1;
          const settle = (outcome: PageOutcome) => {
            this.outcomes.push(outcome);
            active -= 1;
            pump();
          };
          // visit() reports failures as outcomes; a rejection would be a bug, and
          // must still free the lane or the crawl would never finish.
          void this.visit(item).then(settle, (error: unknown) => settle({ type: 'error', url: item.url, depth: item.depth, failure: failureOf(error) }));
        }
        if (active === 0) resolve();
      };
      pump();
    });
  }

  // Spaces request starts by the crawl delay (the crawl runs one at a time then).
  private async pace(): Promise<void> {
    if (this.crawlDelayMs <= 0) return;
    const wait = this.nextRequestAt - Date.now();
    this.nextRequestAt = Math.max(Date.now(), this.nextRequestAt) + this.crawlDelayMs;
    if (wait > 0) await sleep(wait, undefined, this.options.signal ? { signal: this.options.signal } : {});
  }

  private async visit({ url, depth }: QueuedUrl): Promise<PageOutcome> {
    const previous = this.previousByUrl.get(url);
    try {
      const robots = await this.robotsFor(url);
      if (!robots.isAllowed(url)) return { type: 'disallowed', url, depth };
      await this.pace();
      // Without the links it had, a 304 would hide the pages below this one.
      const conditional = previous && (this.source.mode === 'page' || previous.links !== undefined);
      const response = await safeFetch(url, {
        ...this.fetchOptions,
        accept: acceptDocuments,
        ...(conditional ? { validators: { ...(previous.etag ? { etag: previous.etag } : {}), ...(previous.lastModified ? { lastModified: previous.lastModified } : {}) } } : {}),
      });
      const validators = { ...(response.etag ? { etag: response.etag } : {}), ...(response.lastModified ? { lastModified: response.lastModified } : {}) };
      if (response.status === 304 && previous) {
        this.enqueueLinks(previous.links, depth);
        return { type: 'not_modified', url, depth, ...validators };
      }
      if (response.status === 404 || response.status === 410) return { type: 'gone', url, depth, httpStatus: response.status };
      if (response.status < 200 || response.status >= 300) {
        throw new WebSourceError('http_status', `${url} answered HTTP ${response.status}`, response.status);
      }

      const finalUrl = normaliseUrl(response.url);
      if (finalUrl !== url) {
        if (this.source.mode === 'site' && !isSameSite(finalUrl, this.startUrl)) {
          throw new WebSourceError('off_site', `${url} redirected to another site (${finalUrl})`);
        }
        if (!(await this.robotsFor(finalUrl)).isAllowed(finalUrl)) return { type: 'disallowed', url, depth };
        if (this.seen.has(finalUrl)) return { type: 'redirected', url, depth, finalUrl };
        this.seen.add(finalUrl);
      }

      const { fileType, fileName } = await classifyBody(finalUrl, response.body, response.headers['content-type'], this.allowedKinds);
      if (fileType.kind === 'html') {
        const content = await readHtmlPage(finalUrl, response.body, fileType);
        if (!content.nofollow) this.enqueueLinks(content.links, depth);
        return { type: 'content', url, depth, finalUrl, ...validators, content };
      }
      const bytesHash = sha256(response.body);
      if (this.previousByUrl.get(finalUrl)?.contentHash === bytesHash) {
        return { type: 'same_bytes', url, depth, finalUrl, contentHash: bytesHash, ...validators };
      }
      const content = await readDocumentPage(finalUrl, response.body, fileName, this.options.signal);
      return { type: 'content', url, depth, finalUrl, ...validators, content };
    } catch (error) {
      if (this.options.signal?.aborted) return { type: 'error', url, depth, failure: { code: 'network', message: 'The sync was cancelled' } };
      this.enqueueLinks(previous?.links, depth);
      return { type: 'error', url, depth, failure: failureOf(error) };
    }
  }
}

/**
 * Crawls a web source. Rejects with WebSourceError only when the source as a
 * whole cannot be crawled now (its URL is invalid or robots.txt is
 * unavailable); every page's problem is an outcome of its own.
 */
export async function crawl(source: WebSource, options: WebSourceOptions = {}, previous: readonly PreviousPage[] = []): Promise<CrawlResult> {
  const startUrl = normaliseUrl(source.url);
  return new Crawl(source, startUrl, options, previous).run();
}
