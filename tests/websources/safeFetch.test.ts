import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createAddressPolicy, safeFetch, WebSourceError, type SafeFetchOptions } from '../../server/src/websources/index.js';
import { bytes, html, page, redirect, startTestSite, stall, withEtag, type TestSite } from './support/testSite.js';

// safeFetch against a real server on loopback. The allow-list opens 127.0.0.1
// only, the way an intranet setting would; every other private range must stay shut.

let site: TestSite;
const allowLoopback = (extra: Partial<SafeFetchOptions> = {}): SafeFetchOptions => ({
  policy: createAddressPolicy(['127.0.0.1/32']),
  userAgent: 'AtriumBot',
  ...extra,
});

async function refusal(promise: Promise<unknown>): Promise<WebSourceError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WebSourceError);
  return error as WebSourceError;
}

beforeAll(async () => {
  site = await startTestSite();
  site.routes.set('/hello', html(page('Hello', '<p>hi</p>')));
  site.routes.set('/to-ten', redirect('http://10.0.0.1/admin'));
  site.routes.set('/to-metadata', redirect('http://169.254.169.254/latest/meta-data/', 301));
  site.routes.set('/to-mapped', redirect('http://[::ffff:10.0.0.1]/'));
  site.routes.set('/to-hello', redirect('/hello', 307));
  site.routes.set('/loop', redirect('/loop'));
  site.routes.set('/big', bytes(Buffer.alloc(200 * 1024, 'a'), 'text/html'));
  site.routes.set('/big-chunked', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    for (let i = 0; i < 20; i += 1) response.write(Buffer.alloc(16 * 1024, 'b'));
    response.end();
  });
  site.routes.set('/gzip-bomb', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(4 * 1024 * 1024, ' ')));
  });
  site.routes.set('/gzipped', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipSync(page('Zipped', '<p>compressed</p>')));
  });
  site.routes.set('/stall', stall);
  site.routes.set('/tagged', withEtag('"v1"', page('Tagged', '<p>t</p>')));
});

afterAll(async () => {
  await site.close();
});

describe('addresses', () => {
  it('refuses loopback without the allow-list, by address and by name', async () => {
    const noAllowList = { policy: createAddressPolicy(), userAgent: 'AtriumBot' };
    const byAddress = await refusal(safeFetch(site.url('/hello'), noAllowList));
    expect(byAddress.code).toBe('blocked_address');
    expect(byAddress.message).toMatch(/loopback/);
    const byName = await refusal(safeFetch(site.url('/hello').replace('127.0.0.1', 'localhost'), noAllowList));
    expect(byName.code).toBe('blocked_address');
    expect(site.requestsTo('/hello')).toHaveLength(0);
  });

  it('fetches loopback once allow-listed by range or by host name', async () => {
    const response = await safeFetch(site.url('/hello'), allowLoopback());
    expect(response.status).toBe(200);
    expect(response.body.toString()).toContain('<title>Hello</title>');
    const byHost = await safeFetch(site.url('/hello').replace('127.0.0.1', 'localhost'), { policy: createAddressPolicy(['localhost']), userAgent: 'AtriumBot' });
    expect(byHost.status).toBe(200);
  });

  it.each([
    ['/to-ten', /private/],
    ['/to-metadata', /linkLocal/],
    ['/to-mapped', /private/],
  ])('refuses a redirect from an allowed host to a private address (%s)', async (path, range) => {
    const error = await refusal(safeFetch(site.url(path), allowLoopback()));
    expect(error.code).toBe('blocked_address');
    expect(error.message).toMatch(range);
  });

  it.each(['http://[::1]/', 'http://0.0.0.0/', 'http://100.64.0.1/', 'http://224.0.0.1/', 'http://[fd00::1]/', 'http://[fe80::1]/'])(
    'refuses %s even with 127.0.0.1/32 allowed',
    async (url) => {
      expect((await refusal(safeFetch(url, allowLoopback()))).code).toBe('blocked_address');
    },
  );

  it('refuses schemes other than http(s) and URLs with credentials', async () => {
    expect((await refusal(safeFetch('file:///etc/passwd', allowLoopback()))).code).toBe('invalid_url');
    expect((await refusal(safeFetch('ftp://example.com/', allowLoopback()))).code).toBe('invalid_url');
    expect((await refusal(safeFetch(site.url('/hello').replace('//', '//user:pw@'), allowLoopback()))).code).toBe('invalid_url');
  });
});

describe('redirects', () => {
  it('follows an allowed redirect and reports where it ended', async () => {
    const response = await safeFetch(site.url('/to-hello'), allowLoopback());
    expect(response.status).toBe(200);
    expect(response.url).toBe(site.url('/hello'));
  });

  it('stops after the redirect limit', async () => {
    const error = await refusal(safeFetch(site.url('/loop'), allowLoopback({ maxRedirects: 3 })));
    expect(error.code).toBe('too_many_redirects');
    expect(site.requestsTo('/loop')).toHaveLength(4);
  });
});

describe('limits', () => {
  it('refuses a body over the size limit, declared or streamed', async () => {
    const declared = await refusal(safeFetch(site.url('/big'), allowLoopback({ maxBytes: 64 * 1024 })));
    expect(declared.code).toBe('too_large');
    expect(declared.message).toContain('64 KiB');
    expect((await refusal(safeFetch(site.url('/big-chunked'), allowLoopback({ maxBytes: 64 * 1024 })))).code).toBe('too_large');
  });

  it('counts the size after decompression', async () => {
    expect((await refusal(safeFetch(site.url('/gzip-bomb'), allowLoopback({ maxBytes: 1024 * 1024 })))).code).toBe('too_large');
    const zipped = await safeFetch(site.url('/gzipped'), allowLoopback());
    expect(zipped.body.toString()).toContain('compressed');
  });

  it('gives up on a server that stops sending (idle limit) and on a slow whole (time limit)', async () => {
    expect((await refusal(safeFetch(site.url('/stall'), allowLoopback({ idleTimeoutMs: 300, timeoutMs: 30_000 })))).code).toBe('idle_timeout');
    expect((await refusal(safeFetch(site.url('/stall'), allowLoopback({ idleTimeoutMs: 30_000, timeoutMs: 300 })))).code).toBe('timeout');
  });
});

describe('conditional requests', () => {
  it('sends the validators and returns a 304 as such', async () => {
    const first = await safeFetch(site.url('/tagged'), allowLoopback());
    expect(first.etag).toBe('"v1"');
    const second = await safeFetch(site.url('/tagged'), allowLoopback({ validators: { etag: first.etag! } }));
    expect(second.status).toBe(304);
    expect(second.body).toHaveLength(0);
  });
});

describe('https', () => {
  // A real TLS server with a certificate made for the test by openssl: the
  // connection goes to the pinned address while the certificate is still
  // checked against the host name.
  let server: https.Server;
  let port: number;
  let ca: Buffer;
  let directory: string;

  beforeAll(async () => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'atrium-tls-'));
    const key = path.join(directory, 'key.pem');
    const cert = path.join(directory, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
    ca = readFileSync(cert);
    server = https.createServer({ key: readFileSync(key), cert: ca }, (_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(page('Secure', '<p>tls</p>')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(directory, { recursive: true, force: true });
  });

  it('fetches over TLS with the certificate checked against the host name', async () => {
    const agents = { http: new http.Agent(), https: new https.Agent({ ca }) };
    const response = await safeFetch(`https://localhost:${port}/`, { policy: createAddressPolicy(['localhost']), userAgent: 'AtriumBot', agents });
    expect(response.status).toBe(200);
    expect(response.body.toString()).toContain('tls');
    agents.https.destroy();
  });

  it('refuses a certificate it cannot verify', async () => {
    const error = await refusal(safeFetch(`https://localhost:${port}/`, { policy: createAddressPolicy(['localhost']), userAgent: 'AtriumBot' }));
    expect(error.code).toBe('network');
    expect(error.message).toMatch(/certificate/);
  });
});
