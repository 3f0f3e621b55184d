import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Response } from 'supertest';
import { createGroupRecord } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

type Session = Awaited<ReturnType<TestApp['signIn']>>;

// Reads any response body as raw bytes, whatever its type (superagent hands the parser the raw stream).
const asBytes = (res: Response, done: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

describe(`assistant avatars (${engineName})`, () => {
  let t: TestApp;
  let uploadsDir: string;
  let manager: Session;
  let member: Session;
  let outsider: Session;
  let assistantId: string;
  const auth = (session: Session) => ({ Authorization: `Bearer ${session.token}` });

  beforeAll(async () => {
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-avatars-'));
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000', UPLOADS_DIR: uploadsDir });
    manager = await t.signIn({ role: 'manager' });
    member = await t.signIn({ role: 'user' });
    outsider = await t.signIn({ role: 'user' });
    const group = await createGroupRecord(t.prisma, undefined, [{ userId: manager.user.id, role: 'manager' }, { userId: member.user.id }]);
    const res = await t.http.post('/api/v1/assistants').set(auth(manager)).send({ name: 'Pictured', groupIds: [group.id] }).expect(201);
    assistantId = res.body.id;
    // A fresh database and three sign-ins; slow when the machine is busy.
  }, 60_000);
  afterAll(async () => {
    await t.close();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
  });

  const put = (content: Buffer, name: string, session = manager) =>
    t.http.put(`/api/v1/assistants/${assistantId}/avatar`).set(auth(session)).attach('avatar', content, { filename: name });
  const getAvatar = (session = member) => t.http.get(`/api/v1/assistants/${assistantId}/avatar`).set(auth(session)).buffer(true).parse(asBytes);
  const storedAvatar = async () => (await t.prisma.assistant.findUniqueOrThrow({ where: { id: assistantId } })).avatarPath;
  const avatarFiles = () => (fs.existsSync(path.join(uploadsDir, 'avatars')) ? fs.readdirSync(path.join(uploadsDir, 'avatars')) : []);

  async function expectServedAvatar(res: Response) {
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/webp');
    expect(res.headers['cache-control']).toBe('private, max-age=300');
    expect(res.headers.etag).toMatch(/^"[0-9a-f]+"$/);
    const meta = await sharp(res.body as Buffer).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'webp', width: 256, height: 256 });
    return meta;
  }

  it('turns a PNG into a 256×256 WebP that members can fetch with a strong ETag, and outsiders cannot', async () => {
    const png = await sharp({ create: { width: 900, height: 300, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 1 } } }).png().toBuffer();
    const res = await put(png, 'logo.png').expect(200);
    expect(res.body.avatarUrl).toMatch(new RegExp(`^/api/v1/assistants/${assistantId}/avatar\\?v=[0-9a-f]+$`));
    const stored = await storedAvatar();
    expect(stored).toMatch(new RegExp(`^avatars/${assistantId}-[0-9a-f]+\\.webp$`));
    expect(avatarFiles()).toEqual([path.basename(stored!)]);

    const served = await getAvatar();
    await expectServedAvatar(served);
    // The URL's version and the ETag change together with the file.
    expect(res.body.avatarUrl.endsWith(`v=${served.headers.etag!.replaceAll('"', '')}`)).toBe(true);
    await t.http.get(`/api/v1/assistants/${assistantId}/avatar`).set(auth(member)).set('If-None-Match', served.headers.etag!).expect(304);
    await t.http.get(`/api/v1/assistants/${assistantId}/avatar`).set(auth(outsider)).expect(404);
    await t.http.get(`/api/v1/assistants/${assistantId}/avatar`).expect(401);

    const [entry] = await t.prisma.auditLog.findMany({ where: { resourceId: assistantId, action: 'assistant.avatar.set' } });
    expect(entry).toMatchObject({ actorId: manager.user.id, oldValues: { avatarPath: null }, newValues: { avatarPath: stored } });
  });

  it('replaces the avatar with a JPEG, drops its metadata, and deletes the old file from disk', async () => {
    const before = (await storedAvatar())!;
    const beforeTag = (await getAvatar()).headers.etag;
    const jpeg = await sharp({ create: { width: 300, height: 800, channels: 3, background: '#2277aa' } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'Someone', ImageDescription: 'secret location' } })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();

    const res = await put(jpeg, 'photo.jpeg').expect(200);
    const after = (await storedAvatar())!;
    expect(after).not.toBe(before);
    expect(fs.existsSync(path.join(uploadsDir, before))).toBe(false);
    expect(avatarFiles()).toEqual([path.basename(after)]);

    const served = await getAvatar();
    const meta = await expectServedAvatar(served);
    expect(meta.exif).toBeUndefined();
    expect((served.body as Buffer).includes(Buffer.from('secret location'))).toBe(false);
    expect(served.headers.etag).not.toBe(beforeTag);
    expect(res.body.avatarUrl).toContain(`v=${served.headers.etag!.replaceAll('"', '')}`);
    // No temporary upload is left behind.
    expect(fs.readdirSync(path.join(uploadsDir, '.incoming'))).toEqual([]);
  });

  it('refuses a text file named .png and a corrupt image with a clear error, keeping the old avatar', async () => {
    const kept = await storedAvatar();
    const text = await put(Buffer.from('definitely not an image, just words\n'.repeat(20)), 'evil.png').expect(400);
    expect(text.body.error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/PNG, JPEG, WebP or GIF/) });

    const png = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#00ff00' } }).png().toBuffer();
    const corrupt = Buffer.concat([png.subarray(0, 64), Buffer.alloc(2000, 0x5a)]);
    const broken = await put(corrupt, 'broken.png').expect(400);
    expect(broken.body.error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/could not be read/) });

    const tiff = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } }).tiff().toBuffer();
    await put(tiff, 'scan.tiff').expect(400);
    const huge = Buffer.concat([png.subarray(0, 64), Buffer.alloc(5 * 1024 * 1024 + 1)]);
    expect((await put(huge, 'huge.png').expect(413)).body.error.code).toBe('payload_too_large');

    expect(await storedAvatar()).toBe(kept);
    expect(avatarFiles()).toEqual([path.basename(kept!)]);
    await expectServedAvatar(await getAvatar());
    expect(fs.readdirSync(path.join(uploadsDir, '.incoming'))).toEqual([]);
    expect(await t.prisma.auditLog.count({ where: { resourceId: assistantId, action: 'assistant.avatar.set' } })).toBe(2);
  });

  it('takes a GIF and a WebP too, and refuses staff and a missing file field', async () => {
    for (const format of ['gif', 'webp'] as const) {
      const image = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#884400' } })[format]().toBuffer();
      await put(image, `avatar.${format}`).expect(200);
      await expectServedAvatar(await getAvatar());
    }
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } }).png().toBuffer();
    await put(png, 'mine.png', member).expect(403);
    await put(png, 'mine.png', outsider).expect(404);
    const wrongField = await t.http.put(`/api/v1/assistants/${assistantId}/avatar`).set(auth(manager)).attach('picture', png, { filename: 'a.png' }).expect(400);
    expect(wrongField.body.error.code).toBe('validation_failed');
    expect(avatarFiles()).toHaveLength(1);
  });

  it('removes the avatar: the file goes, the URL is null and the image is gone', async () => {
    const last = (await storedAvatar())!;
    await t.http.delete(`/api/v1/assistants/${assistantId}/avatar`).set(auth(manager)).expect(204);
    expect(fs.existsSync(path.join(uploadsDir, last))).toBe(false);
    expect(avatarFiles()).toEqual([]);
    expect((await t.http.get(`/api/v1/assistants/${assistantId}`).set(auth(member)).expect(200)).body.avatarUrl).toBeNull();
    await t.http.get(`/api/v1/assistants/${assistantId}/avatar`).set(auth(member)).expect(404);
    // Removing none again is fine and writes no second entry.
    await t.http.delete(`/api/v1/assistants/${assistantId}/avatar`).set(auth(manager)).expect(204);
    const removals = await t.prisma.auditLog.findMany({ where: { resourceId: assistantId, action: 'assistant.avatar.remove' } });
    expect(removals).toHaveLength(1);
    expect(removals[0]).toMatchObject({ oldValues: { avatarPath: last }, newValues: { avatarPath: null } });
  });

  it('hides a deleted assistant’s avatar', async () => {
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#123456' } }).png().toBuffer();
    await put(png, 'again.png').expect(200);
    await t.http.delete(`/api/v1/assistants/${assistantId}`).set(auth(manager)).expect(204);
    await t.http.get(`/api/v1/assistants/${assistantId}/avatar`).set(auth(member)).expect(404);
    await put(png, 'again.png').expect(404);
    await t.http.post(`/api/v1/assistants/${assistantId}/restore`).set(auth(manager)).expect(200);
    await expectServedAvatar(await getAvatar());
  });
});
