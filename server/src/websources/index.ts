/**
 * Web sources: web pages and same-site crawls turned into text for the
 * knowledge pipeline, kept in step with the site by repeated syncs.
 *
 *   syncSource({ url, mode: 'site', maxDepth, maxPages }, previousPages, options)
 *     -> { added, changed, unchanged, removed, errors, notVisited, counts, ... }
 *
 * Self-contained and free of the database: the caller (a knowledge base's web
 * source and its `websource.sync` job, see docs/web-sources.md) stores pages and
 * re-indexes them. Layers, bottom up:
 *   addressPolicy  which addresses may be reached (public unicast, or allow-listed)
 *   safeFetch      one GET under the rules: pinned address, manual redirects,
 *                  size / time / idle limits, conditional requests
 *   robotsRules, sitemaps, htmlDocument (links, title), webUrls (normalisation)
 *   pageContent    kind by bytes, text through the ingestion extractors
 *   crawl          breadth-first, bounded, polite; one outcome per URL
 *   syncSource     outcomes against the previous pages -> changes to apply
 */
export { createAddressPolicy, type AddressPolicy, type ResolvedAddress } from './addressPolicy.js';
export { crawl, type CrawlResult, type PageFailure, type PageOutcome, type PreviousPage, type WebSource, type WebSourceOptions } from './crawl.js';
export { defaultAllowedKinds, type PageContent } from './pageContent.js';
export { defaultFetchLimits, safeFetch, type FetchedResponse, type FetchLimits, type SafeFetchOptions, type Validators } from './safeFetch.js';
export { syncSource, type PageError, type RemovedPage, type SyncedPage, type SyncResult, type UnchangedPage } from './syncSource.js';
export { isWebSourceError, WebSourceError, webSourceErrorCodes, type WebSourceErrorCode } from './webSourceError.js';
export { normaliseUrl } from './webUrls.js';
