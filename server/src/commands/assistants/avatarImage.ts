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

/** How an accepted image is stored: its field (for errors), what it is called, and the box it is fitted to. */
export interface ImageShape {
  field: string;
  label: string;
  width: number;
  height: number;
  /** `cover` crops to the box (avatars); `inside` keeps the whole picture within it (logos). */
  fit: 'cover' | 'inside';
}

const avatarShape: ImageShape = { field: 'avatar', label: 'avatar', width: AVATAR_SIZE, height: AVATAR_SIZE, fit: 'cover' };

/**
 * Turns an uploaded image into the stored picture: the type is read from the
 * bytes (PNG, JPEG, WebP or GIF, whatever the name says), the picture is
 * turned upright, fitted to its box (an avatar: cropped to a 256×256 square)
 * and written as WebP without any of the original's metadata (sharp drops
 * EXIF, GPS, ICC text by default).
 */
export async function normaliseImage(file: string, shape: ImageShape): Promise<Buffer> {
  const refused = (message: string) => new AppError('validation_failed', message, { issues: [{ path: shape.field, message }] });
  const type = await fileTypeFromFile(file);
  if (!type || !acceptedTypes.has(type.mime)) throw refused(`The ${shape.label} must be a PNG, JPEG, WebP or GIF image`);
  try {
    return await sharp(file, { limitInputPixels: maxInputPixels })
      .rotate()
      .resize(shape.width, shape.height, { fit: shape.fit, withoutEnlargement: shape.fit === 'inside' })
      .webp({ quality: 85 })
      .toBuffer();
  } catch {
    throw refused(`The ${shape.label} could not be read as a ${type.ext.toUpperCase()} image (corrupt, truncated or too large)`);
  }
}

export const normaliseAvatar = (file: string): Promise<Buffer> => normaliseImage(file, avatarShape);

/** `avatars/<assistantId>-<random>.webp`: a new name for every upload, so caches never serve an old picture. */
export function newAvatarPath(assistantId: string): string {
  return `avatars/${assistantId}-${randomBytes(8).toString('hex')}.webp`;
}

/** The random part of an avatar's name: its version in URLs and its ETag. */
export function avatarVersion(avatarPath: string): string {
  return path.basename(avatarPath, '.webp').split('-').pop()!;
}
