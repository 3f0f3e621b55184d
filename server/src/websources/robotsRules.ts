import { createRequire } from 'node:module';
import { safeFetch, type SafeFetchOptions } from './safeFetch.js';
import { WebSourceError, isWebSourceError } from './webSourceError.js';

// robots.txt as RFC 9309 reads it: a 4xx answer (no file) allows everything; a
// 5xx answer or no answer at all means the site may not be crawled now, which
// stops the sync rather than guessing (and so never removes pages on a hiccup).

export interface RobotsRules {
  isAllowed(url: string): boolean;
  /** Seconds the site asks between requests, if it says. */
  crawlDelaySeconds?: number;
  sitemaps: string[];
}

const robotsMaxBytes = 512 * 1024;

interface ParsedRobots {
  isAllowed(url: string, userAgent?: string): boolean | undefined;
  getCrawlDelay(userAgent?: string): number | undefined;
  getSitemaps(): string[];
}

// robots-parser is CommonJS (module.exports = function) while its typings claim
// an ES default export, which no import form satisfies under NodeNext.
const robotsParser = createRequire(import.meta.url)('robots-parser') as (url: string, contents: string) => ParsedRobots;

const allowEverything: RobotsRules = { isAllowed: () => true, sitemaps: [] };

export async function fetchRobotsRules(origin: string, userAgent: string, fetchOptions: SafeFetchOptions): Promise<RobotsRules> {
  const robotsUrl = new URL('/robots.txt', origin).href;
  let response;
  try {
    response = await safeFetch(robotsUrl, { ...fetchOptions, maxBytes: Math.min(robotsMaxBytes, fetchOptions.maxBytes ?? robotsMaxBytes), accept: 'text/plain' });
  } catch (error) {
    // A refused address is the source's own problem, said as such.
    if (isWebSourceError(error) && ['blocked_address', 'invalid_url', 'dns_failed'].includes(error.code)) throw error;
    // RFC 9309 would read an oversized robots.txt up to a limit; refusing the
    // site is the simpler safe reading.
    const reason = isWebSourceError(error) ? error.message : String(error);
    throw new WebSourceError('robots_unavailable', `robots.txt could not be fetched: ${reason}`);
  }
  if (response.status >= 500) {
    throw new WebSourceError('robots_unavailable', `robots.txt answered HTTP ${response.status}; the site is not crawled until it answers`, response.status);
  }
  if (response.status < 200 || response.status >= 300) return allowEverything;
  const robots = robotsParser(robotsUrl, response.body.toString('utf8'));
  const delay = robots.getCrawlDelay(userAgent);
  return {
    // robots-parser answers undefined for URLs of another origin; those are judged by their own robots.txt.
    isAllowed: (url) => robots.isAllowed(url, userAgent) !== false,
    ...(delay !== undefined && Number.isFinite(delay) && delay > 0 ? { crawlDelaySeconds: delay } : {}),
    sitemaps: robots.getSitemaps(),
  };
}
