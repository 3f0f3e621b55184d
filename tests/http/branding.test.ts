import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Response } from 'supertest';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// Reads any response body as raw bytes, whatever its type.
const asBytes = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

describe(`branding and the public sign-in configuration (${engineName})`, () => {
  let t: TestApp;
  let uploadsDir: string;
  let admin: { token: string };
  const auth = () => ({ Authorization: `Bearer ${admin.token}` });
  const signInConfig = () => t.http.get('/api/v1/public/sign-in').expect(200);

  beforeAll(async () => {
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-branding-'));
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000', UPLOADS_DIR: uploadsDir });
    admin = await t.signIn({ role: 'admin' });
  }, 60_000);
  afterAll(async () => {
    await t.close();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
  });

  it('serves the defaults anonymously, cacheable, with an ETag that answers 304 until something changes', async () => {
    const first = await signInConfig();
    expect(first.body).toEqual({ productName: 'Atrium', accentColor: '#1f6feb', logoUrl: null, registration: { open: false } });
    expect(first.headers['cache-control']).toBe('public, max-age=60');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    await t.http.get('/api/v1/public/sign-in').set('If-None-Match', etag).expect(304);

    await t.http.put('/api/v1/settings/branding').set(auth()).send({ name: 'Acme Help', accentColor: '#aa3300' }).expect(200);
    const changed = await t.http.get('/api/v1/public/sign-in').set('If-None-Match', etag).expect(200);
    expect(changed.body).toMatchObject({ productName: 'Acme Help', accentColor: '#aa3300' });
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('shows whether sign-up is open, never the domains, role or groups behind it', async () => {
    await t.http.put('/api/v1/settings/registration').set(auth()).send({ policy: 'domains', allowedDomains: ['secret-partner.example'], defaultRole: 'manager' }).expect(200);
    const res = await signInConfig();
    expect(res.body.registration).toEqual({ open: true });
    expect(Object.keys(res.body).sort()).toEqual(['accentColor', 'logoUrl', 'productName', 'registration']);
    expect(JSON.stringify(res.body)).not.toMatch(/secret-partner|manager/);
  });

  it('stores an uploaded logo through the avatar pipeline and serves it publicly under a name cached for good', async () => {
    const wide = await sharp({ create: { width: 1200, height: 300, channels: 3, background: '#aa3300' } }).png().toBuffer();
    const res = await t.http.put('/api/v1/settings/branding/logo').set(auth()).attach('logo', wide, 'logo.png').expect(200);
    const logoUrl = res.body.value.logoUrl as string;
    expect(logoUrl).toMatch(/^\/api\/v1\/public\/logo\/[0-9a-f]{16}\.webp$/);
    expect(res.body.value).toMatchObject({ name: 'Acme Help', accentColor: '#aa3300' });
    expect((await signInConfig()).body.logoUrl).toBe(logoUrl);

    const image = await t.http.get(logoUrl).buffer(true).parse(asBytes).expect(200);
    expect(image.headers['content-type']).toBe('image/webp');
    expect(image.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(await sharp(image.body as Buffer).metadata()).toMatchObject({ format: 'webp', width: 512, height: 128 });
    await t.http.get(logoUrl).set('If-None-Match', image.headers.etag as string).expect(304);

    // A new upload replaces the file; the old name is gone.
    const next = await t.http.put('/api/v1/settings/branding/logo').set(auth()).attach('logo', wide, 'again.png').expect(200);
    expect(next.body.value.logoUrl).not.toBe(logoUrl);
    expect((await t.http.get(logoUrl).expect(404)).body.error.code).toBe('not_found');
    expect(await t.prisma.auditLog.count({ where: { action: 'settings.update', resourceId: 'branding' } })).toBe(3);
  });

  it('refuses a logo that is not an image, whatever its name, and odd logo names', async () => {
    const before = (await signInConfig()).body.logoUrl;
    const res = await t.http.put('/api/v1/settings/branding/logo').set(auth()).attach('logo', Buffer.from('<svg onload="alert(1)"/>'), 'logo.png').expect(400);
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['logo']);
    expect((await signInConfig()).body.logoUrl).toBe(before);
    await t.http.get('/api/v1/public/logo/..%2F..%2Fsecret.webp').expect(400);
    await t.http.get('/api/v1/public/logo/0123456789abcdef.webp').expect(404);
  });

  it('keeps the accent colour a hex colour', async () => {
    const res = await t.http.put('/api/v1/settings/branding').set(auth()).send({ name: 'Acme', accentColor: 'red;background:url(x)' }).expect(400);
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain('accentColor');
  });
});
