import type { TextSpan } from '../ingestion/extract/index.js';
import { crawl, type PageFailure, type PageOutcome, type PreviousPage, type WebSource, type WebSourceOptions } from './crawl.js';
import type { DocumentKind } from '../ingestion/extract/index.js';

// One sync of a web source against what the caller kept from the last one,
// as a list of changes to apply. Nothing is stored here: the caller writes the
// pages, re-indexes added and changed ones and drops removed ones.
//
// What keeps a page: it answered 304, or its text hashes as before ("unchanged");
// or it failed this time (an error): a timeout or a 500 must not delete
// knowledge. What removes a page: 404/410 ("gone"), robots.txt now disallowing it,
// a redirect onto another page the source already has, or, only when the crawl
// was complete, not being reachable any more (no longer linked, dropped from the
// sitemap). When the crawl was not complete those pages are listed as notVisited
// and kept.

export interface SyncedPage {
  /** The page's URL (after redirects, normalised): the key to store it under. */
  url: string;
  title?: string;
  kind: DocumentKind;
  mime: string;
  /** Text with its headings (HTML) or page numbers (PDF), for chunking and citations. */
  spans: TextSpan[];
  contentHash: string;
  etag?: string;
  lastModified?: string;
  /** Store these with the page: they keep its descendants reachable on a 304. */
  links: string[];
  depth: number;
}

export interface UnchangedPage {
  url: string;
  reason: 'not_modified' | 'same_content';
  contentHash: string;
  /** Current validators (a server may send new ones for the same content). */
  etag?: string;
  lastModified?: string;
  links?: string[];
}

export interface RemovedPage {
  url: string;
  reason: 'gone' | 'disallowed' | 'redirected' | 'unreachable';
  httpStatus?: number;
}

export interface PageError extends PageFailure {
  url: string;
}

export interface SyncResult {
  startUrl: string;
  added: SyncedPage[];
  changed: SyncedPage[];
  unchanged: UnchangedPage[];
  removed: RemovedPage[];
  errors: PageError[];
  /** Previous pages this sync did not get to (crawl incomplete): keep them as they are. */
  notVisited: string[];
  complete: boolean;
  truncated: boolean;
  sitemap: { used: boolean; urls: number; problems: string[] };
  counts: { added: number; changed: number; unchanged: number; removed: number; errors: number; requested: number };
}

function syncedPage(outcome: Extract<PageOutcome, { type: 'content' }>): SyncedPage {
  const { content } = outcome;
  return {
    url: outcome.finalUrl,
    ...(content.title ? { title: content.title } : {}),
    kind: content.kind,
    mime: content.mime,
    spans: content.spans,
    contentHash: content.contentHash,
    ...(outcome.etag ? { etag: outcome.etag } : {}),
    ...(outcome.lastModified ? { lastModified: outcome.lastModified } : {}),
    links: content.links,
    depth: outcome.depth,
  };
}

/**
 * Syncs a web source: crawls it (conditional requests from `previousPages`) and
 * classifies every page. Rejects with WebSourceError when the source as a whole
 * cannot be crawled now (start URL refused, robots.txt unavailable); the caller
 * then keeps every page and records the failure.
 */
export async function syncSource(source: WebSource, previousPages: readonly PreviousPage[], options: WebSourceOptions = {}): Promise<SyncResult> {
  const result = await crawl(source, options, previousPages);
  const previousByUrl = new Map(previousPages.map((page) => [page.url, page]));
  const added: SyncedPage[] = [];
  const changed: SyncedPage[] = [];
  const unchanged: UnchangedPage[] = [];
  const removed: RemovedPage[] = [];
  const errors: PageError[] = [];
  const accounted = new Set<string>();

  for (const outcome of result.outcomes) {
    const previous = previousByUrl.get(outcome.url);
    switch (outcome.type) {
      case 'content': {
        const page = syncedPage(outcome);
        const before = previousByUrl.get(page.url);
        accounted.add(page.url);
        if (!before) added.push(page);
        else if (before.contentHash !== page.contentHash) changed.push(page);
        else unchanged.push({ url: page.url, reason: 'same_content', contentHash: page.contentHash, links: page.links, ...validatorsOf(page) });
        break;
      }
      case 'same_bytes':
        accounted.add(outcome.finalUrl);
        unchanged.push({ url: outcome.finalUrl, reason: 'same_content', contentHash: outcome.contentHash, ...validatorsOf(outcome) });
        break;
      case 'not_modified':
        accounted.add(outcome.url);
        // A 304 comes only to a conditional request, which only a previous page gets.
        unchanged.push({
          url: outcome.url,
          reason: 'not_modified',
          contentHash: previous!.contentHash,
          ...(previous?.links ? { links: previous.links } : {}),
          ...validatorsOf({ ...previous, ...validatorsOf(outcome) }),
        });
        break;
      case 'gone':
        if (previous) removed.push({ url: outcome.url, reason: 'gone', httpStatus: outcome.httpStatus });
        accounted.add(outcome.url);
        break;
      case 'disallowed':
        if (previous) removed.push({ url: outcome.url, reason: 'disallowed' });
        accounted.add(outcome.url);
        break;
      case 'redirected':
        if (previous) removed.push({ url: outcome.url, reason: 'redirected' });
        accounted.add(outcome.url);
        break;
      case 'error':
        errors.push({ url: outcome.url, ...outcome.failure });
        accounted.add(outcome.url);
        break;
    }
  }

  const notVisited: string[] = [];
  for (const page of previousPages) {
    if (accounted.has(page.url)) continue;
    if (result.complete) removed.push({ url: page.url, reason: 'unreachable' });
    else notVisited.push(page.url);
  }

  return {
    startUrl: result.startUrl,
    added,
    changed,
    unchanged,
    removed,
    errors,
    notVisited,
    complete: result.complete,
    truncated: result.truncated,
    sitemap: result.sitemap,
    counts: { added: added.length, changed: changed.length, unchanged: unchanged.length, removed: removed.length, errors: errors.length, requested: result.outcomes.length },
  };
}

function validatorsOf(page: { etag?: string; lastModified?: string }): { etag?: string; lastModified?: string } {
  return { ...(page.etag ? { etag: page.etag } : {}), ...(page.lastModified ? { lastModified: page.lastModified } : {}) };
}
