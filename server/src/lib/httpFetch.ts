import http from 'node:http';
import https from 'node:https';
import { pipeline, Readable } from 'node:stream';
import { decoderFor } from './contentDecoder.js';

/**
 * `fetch` over node:http(s), for the model providers' SDKs (their `fetch`
 * option). Node's own fetch costs about a third more CPU per streamed
 * answer: every body chunk goes through the Fetch standard's machinery before
 * the SDK sees it. `npm run bench:provider` (30 SSE events, 30 KB prompt)
 * measured 3.2–3.4 ms of CPU per answer through Node's fetch and 2.3–2.6 ms
 * through this. The SDK still builds every request and parses every response; this
 * only moves the bytes.
 *
 * It keeps what the SDKs rely on from fetch: the abort signal (before and
 * during the body), redirects (the standard's rules, credentials dropped
 * across origins), compressed bodies, and failures as `TypeError('fetch
 * failed')` with the cause. A request it does not take (a streamed or form
 * body, a Request object, a redirect mode other than follow) goes to Node's
 * fetch unchanged.
 */
export async function httpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  if (input instanceof Request || !isPlainBody(init.body) || (init.redirect && init.redirect !== 'follow')) return fetch(input, init);
  return send(new URL(input), (init.method ?? 'GET').toUpperCase(), headersOf(init.headers), init.body ?? undefined, init.signal ?? undefined, 0);
}

// Idle connections are dropped before a server's usual 5 s keep-alive runs
// out (Node then also honours a shorter Keep-Alive hint), so a request is not
// sent on a socket the server is closing.
const IDLE_SOCKET_MS = 4_000;
const agents: Record<string, http.Agent> = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
};
const MAX_REDIRECTS = 20;
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
// What the Fetch standard drops when a redirect leaves the origin, plus the
// key header of Anthropic's API.
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

type PlainBody = string | ArrayBuffer | ArrayBufferView | null | undefined;

const isPlainBody = (body: unknown): body is PlainBody =>
  body === undefined || body === null || typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body);

function headersOf(init: HeadersInit | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  new Headers(init).forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

function send(url: URL, method: string, headers: Record<string, string>, body: PlainBody, signal: AbortSignal | undefined, redirects: number): Promise<Response> {
  const agent = agents[url.protocol];
  if (!agent) return Promise.reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) }));
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, { method, headers, agent, signal }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (location && [301, 302, 303, 307, 308].includes(status)) {
        response.resume();
        resolve(redirect(url, location, status, method, headers, body, signal, redirects));
        return;
      }
      try {
        resolve(toResponse(response, method, signal));
      } catch (error) {
        response.destroy();
        reject(new TypeError('fetch failed', { cause: error }));
      }
    });
    request.on('error', (error) => reject(error.name === 'AbortError' ? error : new TypeError('fetch failed', { cause: error })));
    request.end(body instanceof ArrayBuffer ? new Uint8Array(body) : body && typeof body !== 'string' ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : body);
  });
}

function redirect(from: URL, location: string, status: number, method: string, headers: Record<string, string>, body: PlainBody, signal: AbortSignal | undefined, redirects: number): Promise<Response> {
  if (redirects >= MAX_REDIRECTS) return Promise.reject(new TypeError('fetch failed', { cause: new Error('too many redirects') }));
  const to = new URL(location, from);
  const next = { ...headers };
  if (to.origin !== from.origin) for (const name of CREDENTIAL_HEADERS) delete next[name];
  // 303, and 301/302 after a POST, become a GET without the body.
  if ((status === 303 && method !== 'GET' && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    for (const name of BODY_HEADERS) delete next[name];
    return send(to, 'GET', next, undefined, signal, redirects + 1);
  }
  return send(to, method, next, body, signal, redirects + 1);
}

function toResponse(response: http.IncomingMessage, method: string, signal: AbortSignal | undefined): Response {
  const status = response.statusCode ?? 0;
  const headers = new Headers();
  for (let i = 0; i < response.rawHeaders.length; i += 2) headers.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
  const init = { status, statusText: response.statusMessage, headers };
  if (method === 'HEAD' || NULL_BODY_STATUSES.has(status)) {
    response.resume();
    return new Response(null, init);
  }
  const body = decoded(response);
  if (signal) {
    // Node ends a body cut by the signal with ECONNRESET; fetch ends it with the abort's reason.
    const abort = () => body.destroy(signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError'));
    signal.addEventListener('abort', abort, { once: true });
    body.once('close', () => signal.removeEventListener('abort', abort));
  }
  return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, init);
}

/** The body as sent before any content-encoding, as fetch gives it. */
function decoded(response: http.IncomingMessage): Readable {
  const decoder = decoderFor(response.headers['content-encoding']);
  if (!decoder) return response;
  // Either end failing or closing early closes the other.
  pipeline(response, decoder, () => undefined);
  return decoder;
}
