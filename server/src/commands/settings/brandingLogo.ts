import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Setting } from '../../db/generated/client.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { normaliseImage, type ImageShape } from '../assistants/avatarImage.js';
import type { CommandContext } from '../context.js';
import { readSetting } from './readSetting.js';
import { saveSetting } from './saveSetting.js';

const logoShape: ImageShape = { field: 'logo', label: 'logo', width: 512, height: 160, fit: 'inside' };

/** Stored logos are served under a name that never changes content, so browsers may cache them for good. */
export const LOGO_NAME = /^[0-9a-f]{16}\.webp$/;
const LOGO_URL_PREFIX = '/api/v1/public/logo/';
export const logoStoragePath = (name: string) => `branding/${name}`;

/**
 * Stores an uploaded logo (the avatar pipeline: type by bytes, metadata
 * dropped, fitted inside 512×160, WebP) and points the branding setting's
 * logoUrl at it, audited as any settings change. The previous uploaded logo
 * is removed once the new one is recorded.
 */
export async function setBrandingLogo(s: Services, ctx: CommandContext, uploadedFile: string): Promise<Setting> {
  authorize(ctx.actor, 'settings.manage');
  let image: Buffer;
  try {
    image = await normaliseImage(uploadedFile, logoShape);
  } finally {
    await s.storage.discard(uploadedFile);
  }
  const name = `${randomBytes(8).toString('hex')}.webp`;
  const stored = s.storage.resolve(logoStoragePath(name));
  await fs.mkdir(path.dirname(stored), { recursive: true });
  await fs.writeFile(stored, image, { flag: 'wx' });
  try {
    const before = await readSetting(s.prisma, 'branding');
    const row = await saveSetting(s, ctx, 'branding', { ...before, logoUrl: LOGO_URL_PREFIX + name });
    const previous = before.logoUrl?.startsWith(LOGO_URL_PREFIX) ? before.logoUrl.slice(LOGO_URL_PREFIX.length) : undefined;
    if (previous && LOGO_NAME.test(previous)) {
      await s.storage.remove(logoStoragePath(previous)).catch((err: unknown) => s.logger.warn({ err, previous }, 'old logo could not be removed'));
    }
    return row;
  } catch (error) {
    await s.storage.remove(logoStoragePath(name));
    throw error;
  }
}
