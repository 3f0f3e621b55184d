import { Parser } from 'htmlparser2';
import { normaliseUrl } from './webUrls.js';

// What the crawler needs from a page's markup besides its text: the title, the
// links to follow (<a href>, <link rel=canonical>, honouring <base href>), and
// whether the page asks that its links not be followed (<meta name=robots
// content=nofollow>).
// The text itself comes from the ingestion HTML extractor.

const maxLinksPerPage = 1000;

export interface HtmlDocumentLinks {
  title?: string;
  canonical?: string;
  links: string[];
  nofollow: boolean;
}

export function readHtmlDocument(html: string, pageUrl: string): HtmlDocumentLinks {
  const rawLinks: string[] = [];
  let baseHref: string | undefined;
  let canonicalHref: string | undefined;
  let title = '';
  let inTitle = false;
  let titleDone = false;
  let nofollow = false;

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'a' || name === 'area') {
          const rel = (attributes.rel ?? '').toLowerCase();
          if (attributes.href && !/\bnofollow\b/.test(rel)) rawLinks.push(attributes.href);
        } else if (name === 'link' && attributes.href && /\bcanonical\b/i.test(attributes.rel ?? '')) {
          canonicalHref ??= attributes.href;
        } else if (name === 'base' && attributes.href) {
          baseHref ??= attributes.href;
        } else if (name === 'meta' && (attributes.name ?? '').toLowerCase() === 'robots') {
          const content = (attributes.content ?? '').toLowerCase();
          if (/\b(nofollow|none)\b/.test(content)) nofollow = true;
        } else if (name === 'title' && !titleDone) {
          inTitle = true;
        }
      },
      ontext(text) {
        if (inTitle) title += text;
      },
      onclosetag(name) {
        if (name === 'title' && inTitle) {
          inTitle = false;
          titleDone = true;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);

  let base = pageUrl;
  try {
    if (baseHref) base = new URL(baseHref, pageUrl).href;
  } catch {
    // An unusable <base> is ignored, as browsers do.
  }
  const resolve = (href: string): string | undefined => {
    try {
      return normaliseUrl(href.trim(), base);
    } catch {
      return undefined; // mailto:, javascript:, malformed...
    }
  };
  const links = new Set<string>();
  const canonical = canonicalHref ? resolve(canonicalHref) : undefined;
  if (canonical) links.add(canonical);
  for (const href of rawLinks) {
    // A generated page with endless links must not grow the crawl's memory without bound.
    if (links.size >= maxLinksPerPage) break;
    const link = resolve(href);
    if (link) links.add(link);
  }
  const cleanTitle = title.replace(/\s+/g, ' ').trim();
  return {
    ...(cleanTitle ? { title: cleanTitle } : {}),
    ...(canonical ? { canonical } : {}),
    links: [...links],
    nofollow,
  };
}
