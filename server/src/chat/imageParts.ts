import fs from 'node:fs/promises';
import sharp from 'sharp';
import type { ConversationAttachment } from '../db/generated/client.js';
import type { Logger } from '../lib/logger.js';
import type { Services } from '../services.js';
import type { ImagePart } from './llm/chatProvider.js';

// Both providers take images up to a size and scale larger ones down on their
// side (and charge for what they received): Anthropic recommends at most 1568
// px on the long edge and about 1.15 megapixels, and refuses more than 5 MB
// per image; OpenAI's high detail fits 2048 px, then 768 px on the short edge.
// One size that fits both is sent: long edge ≤ 1568 px, ≤ 1.15 MP, as JPEG
// (PNG when the image has transparency), so nothing is scaled twice or refused.
export const IMAGE_LIMITS = { longEdge: 1568, maxPixels: 1_150_000, maxBytes: 5 * 1024 * 1024 } as const;

// Larger inputs were refused by the extraction sandbox already (its pixel limit); this is a second guard.
const MAX_INPUT_PIXELS = 100_000_000;

/** One image as the providers take it: rotated upright (EXIF), scaled to IMAGE_LIMITS, re-encoded. */
export async function resizeForVision(bytes: Buffer): Promise<ImagePart> {
  const image = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).rotate();
  const meta = await image.metadata();
  const [width, height] = meta.orientation && meta.orientation >= 5 ? [meta.height ?? 0, meta.width ?? 0] : [meta.width ?? 0, meta.height ?? 0];
  const scale = Math.min(1, IMAGE_LIMITS.longEdge / Math.max(width, height, 1), Math.sqrt(IMAGE_LIMITS.maxPixels / Math.max(width * height, 1)));
  const resized = image.resize({ width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)), fit: 'inside' });
  const png = meta.hasAlpha === true;
  let out = png ? await resized.png({ compressionLevel: 9 }).toBuffer() : await resized.jpeg({ quality: 85 }).toBuffer();
  if (out.length > IMAGE_LIMITS.maxBytes) out = await sharp(out).jpeg({ quality: 70 }).toBuffer();
  return { mimeType: png && out[0] === 0x89 ? 'image/png' : 'image/jpeg', data: out.toString('base64') };
}

/** The images of an answer, read from storage and resized; one that cannot be read is left out (and logged), never fails the answer. */
export async function imageParts(s: Pick<Services, 'storage'>, images: ConversationAttachment[], logger: Logger): Promise<ImagePart[]> {
  const parts: ImagePart[] = [];
  for (const image of images) {
    try {
      parts.push(await resizeForVision(await fs.readFile(s.storage.resolve(image.storagePath))));
    } catch (error) {
      logger.warn({ err: error, attachmentId: image.id }, 'could not prepare an image for the model');
    }
  }
  return parts;
}
