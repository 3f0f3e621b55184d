import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileTypeFromFile } from 'file-type';
import sharp from 'sharp';
import { AppError } from '../../errors/appError.js';

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
export const AVATAR_SIZE = 256;
const acceptedTypes = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);
// A small file can still declare a huge canvas; refuse to decode beyond this.
const maxInputPixels = 40_000_000;

const refused = (message: string) => new AppError('validation_failed', message, { issues: [{ path: 'avatar', message }] });

/**
 * Turns an uploaded image into the stored avatar: the type is read from the
 * bytes (PNG, JPEG, WebP or GIF, whatever the name says), the picture is
 * turned upright, cropped to a 256×256 square and written as WebP without
 * any of the original's metadata (sharp drops EXIF, GPS, ICC text by default).
 */
export async function normaliseAvatar(file: string): Promise<Buffer> {
  const type = await fileTypeFromFile(file);
  if (!type || !acceptedTypes.has(type.mime)) throw refused('The avatar must be a PNG, JPEG, WebP or GIF image');
  try {
    return await sharp(file, { limitInputPixels: maxInputPixels })
      .rotate()
      .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover' })
      .webp({ quality: 85 })
      .toBuffer();
  } catch {
    throw refused(`The avatar could not be read as a ${type.ext.toUpperCase()} image (corrupt, truncated or too large)`);
  }
}

/** `avatars/<assistantId>-<random>.webp`: a new name for every upload, so caches never serve an old picture. */
export function newAvatarPath(assistantId: string): string {
  return `avatars/${assistantId}-${randomBytes(8).toString('hex')}.webp`;
}

/** The random part of an avatar's name: its version in URLs and its ETag. */
export function avatarVersion(avatarPath: string): string {
  return path.basename(avatarPath, '.webp').split('-').pop()!;
}
