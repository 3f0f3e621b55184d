import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { safeFetch, type SafeFetchOptions } from './safeFetch.js';
import { isSameSite, normaliseUrl } from './webUrls.js';

// Page URLs listed by a site's sitemaps (sitemaps.org): <urlset> lists pages,
// <sitemapindex> lists further sitemaps, followed up to a bound. Only URLs of
// the same site are kept. A sitemap that does not exist is simply absent; one
// that fails (5xx, timeout, unreadable) makes the listing incomplete, which the
// sync must know: a page missing from an incomplete listing is not "dropped".

export interface SitemapListing {
  urls: string[];
  /** Sitemaps that answered 2xx and were read. */
  read: string[];
  /** False when a sitemap existed but could not be read completely. */
  complete: boolean;
  /** Why, for each sitemap that could not be read. */
  problems: string[];
}

export interface SitemapOptions {
  fetchOptions: SafeFetchOptions;
  maxSitemaps: number;
  maxUrls: number;
}

const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, processEntities: false, isArray: (name) => name === 'url' || name === 'sitemap' });

interface SitemapXml {
  urlset?: { url?: Array<{ loc?: unknown }> };
  sitemapindex?: { sitemap?: Array<{ loc?: unknown }> };
}

function locations(entries: Array<{ loc?: unknown }> | undefined): string[] {
  return (entries ?? []).map((entry) => (typeof entry.loc === 'string' ? entry.loc.trim() : '')).filter((loc) => loc !== '');
}

function decodeSitemap(body: Buffer, maxBytes: number): string {
  // Sitemaps are often served gzipped as files (sitemap.xml.gz), not as a transfer encoding.
  if (body[0] === 0x1f && body[1] === 0x8b) return gunzipSync(body, { maxOutputLength: maxBytes }).toString('utf8');
  return body.toString('utf8');
}

export async function readSitemaps(startUrls: string[], siteUrl: string, { fetchOptions, maxSitemaps, maxUrls }: SitemapOptions): Promise<SitemapListing> {
  const pending = [...startUrls];
  const visited = new Set<string>();
  const urls = new Set<string>();
  const read: string[] = [];
  const problems: string[] = [];
  while (pending.length > 0 && visited.size < maxSitemaps && urls.size < maxUrls) {
    const sitemapUrl = pending.shift()!;
    if (visited.has(sitemapUrl)) continue;
    visited.add(sitemapUrl);
    let parsed: SitemapXml;
    try {
      const response = await safeFetch(sitemapUrl, { ...fetchOptions, accept: 'application/xml, text/xml' });
      if (response.status === 404 || response.status === 410) continue;
      if (response.status < 200 || response.status >= 300) {
        problems.push(`${sitemapUrl} answered HTTP ${response.status}`);
        continue;
      }
      parsed = parser.parse(decodeSitemap(response.body, fetchOptions.maxBytes ?? 10 * 1024 * 1024)) as SitemapXml;
    } catch (error) {
      problems.push(`${sitemapUrl} could not be read (${(error as Error).message})`);
      continue;
    }
    read.push(sitemapUrl);
    for (const loc of locations(parsed.sitemapindex?.sitemap)) {
      try {
        const child = normaliseUrl(loc, sitemapUrl);
        if (isSameSite(child, siteUrl)) pending.push(child);
      } catch {
        // A malformed <loc> is skipped.
      }
    }
    for (const loc of locations(parsed.urlset?.url)) {
      try {
        const page = normaliseUrl(loc, sitemapUrl);
        if (isSameSite(page, siteUrl)) urls.add(page);
      } catch {
        // A malformed <loc> is skipped.
      }
      if (urls.size >= maxUrls) break;
    }
  }
  if (pending.some((url) => !visited.has(url))) problems.push(`more than ${maxSitemaps} sitemaps; the rest were not read`);
  if (urls.size >= maxUrls) problems.push(`more than ${maxUrls} URLs listed; the rest were not read`);
  return { urls: [...urls], read, complete: problems.length === 0, problems };
}
