import { parseWebUrl } from './safeFetch.js';

// One spelling per page, so the same page reached by two links is fetched and
// indexed once: no fragment, no tracking parameters, remaining parameters in a
// stable order, default ports and letter case of scheme and host left to the
// URL parser.

const trackingParameter = /^(utm_[a-z_]+|gclid|gbraid|wbraid|dclid|fbclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|igshid|ref_src)$/i;

// Links that name a file type we never read are not worth a request.
const skippedExtension = /\.(css|js|mjs|json|xml|rss|atom|ico|gif|jpe?g|png|webp|svg|bmp|tiff?|avif|mp[34]|m4a|mov|avi|webm|ogg|wav|flac|zip|gz|tgz|tar|rar|7z|exe|dmg|msi|apk|iso|woff2?|ttf|eot)$/i;

export function normaliseUrl(input: string, base?: string | URL): string {
  const url = parseWebUrl(input, base);
  url.hash = '';
  const kept = [...url.searchParams].filter(([name]) => !trackingParameter.test(name));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = kept.length > 0 ? new URLSearchParams(kept).toString() : '';
  return url.href;
}

/** Same site: the same host name, with or without a leading "www.". */
export function siteOf(url: string | URL): string {
  return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
}

export function isSameSite(a: string | URL, b: string | URL): boolean {
  return siteOf(a) === siteOf(b);
}

export function looksFetchable(url: string): boolean {
  return !skippedExtension.test(new URL(url).pathname);
}
