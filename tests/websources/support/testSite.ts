import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A real web site on loopback for the web source tests: routes are plain
// functions that tests may replace between syncs, every request is logged, and
// helpers answer the way real servers do (ETag / Last-Modified with 304s).

export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface TestSite {
  origin: string;
  url(path: string): string;
  routes: Map<string, RouteHandler>;
  /** Paths requested, in order (query strings included). */
  requested(): string[];
  requestsTo(path: string): IncomingMessage[];
  /** Most requests in flight at once since the last reset. */
  peakConcurrency: number;
  resetLog(): void;
  close(): Promise<void>;
}

export async function startTestSite(): Promise<TestSite> {
  const routes = new Map<string, RouteHandler>();
  const log: IncomingMessage[] = [];
  let inFlight = 0;
  const site = {} as TestSite;
  const server = http.createServer((request, response) => {
    log.push(request);
    inFlight += 1;
    site.peakConcurrency = Math.max(site.peakConcurrency, inFlight);
    response.on('close', () => (inFlight -= 1));
    const path = new URL(request.url ?? '/', 'http://site').pathname;
    const handler = routes.get(path);
    if (handler) handler(request, response);
    else notFound(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(site, {
    origin,
    url: (path: string) => `${origin}${path}`,
    routes,
    requested: () => log.map((request) => request.url ?? ''),
    requestsTo: (path: string) => log.filter((request) => new URL(request.url ?? '/', 'http://site').pathname === path),
    peakConcurrency: 0,
    resetLog: () => {
      log.length = 0;
      site.peakConcurrency = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return site;
}

export const notFound: RouteHandler = (_request, response) => {
  response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
};

export function status(code: number): RouteHandler {
  return (_request, response) => response.writeHead(code, { 'content-type': 'text/plain' }).end(`status ${code}`);
}

export function html(body: string, headers: Record<string, string> = {}): RouteHandler {
  return (_request, response) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(body);
}

export function page(title: string, body: string): string {
  return `<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`;
}

/** Answers 304 when the client's If-None-Match matches the tag. */
export function withEtag(etag: string, body: string): RouteHandler {
  return (request, response) => {
    if (request.headers['if-none-match'] === etag) return void response.writeHead(304, { etag }).end();
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag }).end(body);
  };
}

/** Answers 304 when If-Modified-Since is at or after the page's date. */
export function withLastModified(date: Date, body: string): RouteHandler {
  const lastModified = date.toUTCString();
  return (request, response) => {
    const since = request.headers['if-modified-since'];
    if (since && Date.parse(since) >= Math.floor(date.getTime() / 1000) * 1000) return void response.writeHead(304, { 'last-modified': lastModified }).end();
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'last-modified': lastModified }).end(body);
  };
}

export function redirect(location: string, code = 302): RouteHandler {
  return (_request, response) => response.writeHead(code, { location }).end();
}

export function bytes(body: Buffer, contentType: string): RouteHandler {
  return (_request, response) => response.writeHead(200, { 'content-type': contentType, 'content-length': String(body.length) }).end(body);
}

/** Sends the headers and a little HTML, then nothing: only a client-side limit ends it. */
export const stall: RouteHandler = (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html' });
  response.write('<!doctype html><html><body><p>loading');
};

export function sitemap(urls: string[]): RouteHandler {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.map((url) => `<url><loc>${url}</loc></url>`).join('')}</urlset>`;
  return (_request, response) => response.writeHead(200, { 'content-type': 'application/xml' }).end(body);
}

export function sitemapIndex(urls: string[]): RouteHandler {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.map((url) => `<sitemap><loc>${url}</loc></sitemap>`).join('')}</sitemapindex>`;
  return (_request, response) => response.writeHead(200, { 'content-type': 'application/xml' }).end(body);
}

export function robots(text: string): RouteHandler {
  return (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(text);
}
