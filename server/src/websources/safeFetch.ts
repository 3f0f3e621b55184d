import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { decoderFor } from '../lib/contentDecoder.js';
import type { AddressPolicy, ResolvedAddress } from './addressPolicy.js';
import { WebSourceError } from './webSourceError.js';

// One HTTP GET under the web sources' safety rules:
//   - http and https only, no credentials in the URL;
//   - the host is resolved once, every address checked by the AddressPolicy, and
//     the connection made to the checked address (the request's `lookup` answers
//     with it), so a second DNS answer cannot point the socket elsewhere;
//   - redirects followed by hand, each hop re-checked, at most maxRedirects;
//   - a total time limit for the whole chain and an idle limit between reads;
//   - the body (after decompression) capped at maxBytes, the request aborted the
//     moment it passes;
//   - validators sent for conditional requests; a 304 comes back as such.
// Statuses other than redirects are returned, not thrown: what a 404 means is
// the caller's business. Bodies are read only for 2xx answers.

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  idleTimeoutMs: number;
  maxRedirects: number;
}

export const defaultFetchLimits: FetchLimits = {
  maxBytes: 10 * 1024 * 1024,
  timeoutMs: 30_000,
  idleTimeoutMs: 10_000,
  maxRedirects: 5,
};

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface SafeFetchOptions extends Partial<FetchLimits> {
  policy: AddressPolicy;
  userAgent: string;
  accept?: string;
  /** Sent as If-None-Match / If-Modified-Since on the first hop only (they belong to that URL). */
  validators?: Validators;
  /** Keep-alive agents shared by the requests of one crawl. */
  agents?: { http: http.Agent; https: https.Agent };
  signal?: AbortSignal;
}

export interface FetchedResponse {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** The decoded body for 2xx answers; empty otherwise. */
  body: Buffer;
  etag?: string;
  lastModified?: string;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

export function parseWebUrl(input: string, base?: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    throw new WebSourceError('invalid_url', `"${input.slice(0, 200)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebSourceError('invalid_url', `Only http and https URLs can be fetched (got ${url.protocol.replace(/:$/, '')})`);
  }
  if (url.username || url.password) throw new WebSourceError('invalid_url', 'URLs with credentials in them are not fetched');
  return url;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

function tooLarge(url: URL, limit: number): WebSourceError {
  return new WebSourceError('too_large', `${url.href} is larger than the ${formatBytes(limit)} limit`);
}

function pinnedLookup(resolved: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: resolved.address, family: resolved.family }]);
    else callback(null, resolved.address, resolved.family);
  }) as LookupFunction;
}

function readBody(response: IncomingMessage, url: URL, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  const encoding = response.headers['content-encoding'];
  if (!encoding && Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    return Promise.reject(tooLarge(url, maxBytes));
  }
  const decoder = decoderFor(encoding);
  const source = decoder ? response.pipe(decoder) : response;
  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let received = 0;
    const fail = (error: Error) => {
      response.destroy();
      decoder?.destroy();
      reject(error);
    };
    source.on('data', (part: Buffer) => {
      received += part.length;
      // Counted after decompression, so a small gzip bomb trips the same limit.
      if (received > maxBytes) fail(tooLarge(url, maxBytes));
      else parts.push(part);
    });
    source.on('end', () => resolve(Buffer.concat(parts)));
    source.on('error', (error: Error) =>
      fail(error instanceof WebSourceError ? error : new WebSourceError('network', `Reading ${url.href} failed (${error.message})`)),
    );
    response.on('error', (error: Error) =>
      fail(error instanceof WebSourceError ? error : new WebSourceError('network', `Reading ${url.href} failed (${error.message})`)),
    );
  });
}

interface HopOptions {
  headers: Record<string, string>;
  resolved: ResolvedAddress;
  options: SafeFetchOptions;
  limits: FetchLimits;
  deadline: number;
}

function requestHop(url: URL, { headers, resolved, options, limits, deadline }: HopOptions): Promise<FetchedResponse & { location?: string }> {
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  const agent = options.agents ? (secure ? options.agents.https : options.agents.http) : undefined;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const request = transport.request(
      url,
      {
        method: 'GET',
        headers,
        lookup: pinnedLookup(resolved),
        ...(agent ? { agent } : { agent: false }),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const etag = response.headers.etag;
        const lastModified = response.headers['last-modified'];
        const base = { url: url.href, status, headers: response.headers, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
        if (status < 200 || status >= 300) {
          response.resume();
          const location = redirectStatuses.has(status) ? response.headers.location : undefined;
          finish(() => resolve({ ...base, body: Buffer.alloc(0), ...(location ? { location } : {}) }));
          return;
        }
        readBody(response, url, limits.maxBytes).then(
          (body) => finish(() => resolve({ ...base, body })),
          (error: Error) => finish(() => reject(error)),
        );
      },
    );
    const abortWith = (error: Error) => {
      request.destroy(error);
      finish(() => reject(error));
    };
    const timer = setTimeout(
      () => abortWith(new WebSourceError('timeout', `${url.href} did not answer within ${limits.timeoutMs / 1000} s`)),
      Math.max(0, deadline - Date.now()),
    );
    function onAbort() {
      abortWith(options.signal?.reason instanceof Error ? options.signal.reason : new Error('fetch aborted'));
    }
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // Socket inactivity, whether waiting for headers or between body reads.
    request.setTimeout(limits.idleTimeoutMs, () =>
      abortWith(new WebSourceError('idle_timeout', `${url.href} sent nothing for ${limits.idleTimeoutMs / 1000} s`)),
    );
    request.on('error', (error: Error) => {
      finish(() => reject(error instanceof WebSourceError ? error : new WebSourceError('network', `Requesting ${url.href} failed (${error.message})`)));
    });
    request.end();
  });
}

export async function safeFetch(input: string | URL, options: SafeFetchOptions): Promise<FetchedResponse> {
  const limits: FetchLimits = {
    maxBytes: options.maxBytes ?? defaultFetchLimits.maxBytes,
    timeoutMs: options.timeoutMs ?? defaultFetchLimits.timeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? defaultFetchLimits.idleTimeoutMs,
    maxRedirects: options.maxRedirects ?? defaultFetchLimits.maxRedirects,
  };
  const deadline = Date.now() + limits.timeoutMs;
  let url = parseWebUrl(String(input));
  for (let hop = 0; ; hop += 1) {
    const headers: Record<string, string> = {
      'user-agent': options.userAgent,
      accept: options.accept ?? '*/*',
      'accept-encoding': 'gzip, deflate, br',
    };
    if (hop === 0 && options.validators?.etag) headers['if-none-match'] = options.validators.etag;
    if (hop === 0 && options.validators?.lastModified) headers['if-modified-since'] = options.validators.lastModified;
    const resolved = await options.policy.resolve(url.hostname);
    if (Date.now() >= deadline) throw new WebSourceError('timeout', `${url.href} did not answer within ${limits.timeoutMs / 1000} s`);
    const response = await requestHop(url, { headers, resolved, options, limits, deadline });
    if (response.location === undefined) {
      const { location: _none, ...answer } = response;
      return answer;
    }
    if (hop >= limits.maxRedirects) {
      throw new WebSourceError('too_many_redirects', `${String(input)} redirected more than ${limits.maxRedirects} times`);
    }
    url = parseWebUrl(response.location, url);
  }
}
