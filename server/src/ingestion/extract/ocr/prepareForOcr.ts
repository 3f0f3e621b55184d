import sharp from 'sharp';
import { ExtractionError, describeCause } from '../extractionError.js';

// Tesseract reads best from upright, grayscale text on a white background with
// letters at least ~20 px tall. We apply the EXIF orientation (phone photos are
// stored sideways), flatten transparency onto white (transparent pixels would
// otherwise turn black), enlarge small images and shrink huge ones, whose extra
// pixels cost time without helping recognition.

const enlargeBelowPx = 1000;
const shrinkAbovePx = 4000;

export interface PrepareForOcrOptions {
  maxImagePixels: number;
  /** Page of a multi-page image (TIFF), 0-based. */
  page?: number;
}

export function imageReadError(error: unknown): ExtractionError {
  const reason = describeCause(error);
  if (/pixel limit/i.test(reason)) return new ExtractionError('too_large', 'The image has too many pixels to process');
  return new ExtractionError('corrupt', `The image is damaged or unreadable (${reason})`);
}

export async function prepareForOcr(image: Buffer, options: PrepareForOcrOptions): Promise<Buffer> {
  try {
    const input = sharp(image, { limitInputPixels: options.maxImagePixels, page: options.page ?? 0 });
    const { width = 0, height = 0, orientation = 1 } = await input.metadata();
    // EXIF orientations 5-8 swap the axes once the image is turned upright.
    const uprightWidth = orientation >= 5 ? height : width;
    const longest = Math.max(width, height);
    let pipeline = input.rotate().flatten({ background: '#ffffff' }).grayscale();
    if (longest > 0 && longest < enlargeBelowPx) {
      const factor = Math.min(2, enlargeBelowPx / longest);
      pipeline = pipeline.resize({ width: Math.round(uprightWidth * factor), kernel: 'lanczos3' });
    } else if (longest > shrinkAbovePx) {
      pipeline = pipeline.resize(shrinkAbovePx, shrinkAbovePx, { fit: 'inside' });
    }
    return await pipeline.png({ compressionLevel: 1 }).toBuffer();
  } catch (error) {
    throw imageReadError(error);
  }
}

export async function rotateImage(image: Buffer, degrees: number): Promise<Buffer> {
  return sharp(image).rotate(degrees).png({ compressionLevel: 1 }).toBuffer();
}

// Blank pages (separator sheets, empty scans) are common in scanned PDFs; a
// near-uniform image has nothing to read and is not worth a Tesseract pass.
export async function isBlank(image: Buffer): Promise<boolean> {
  const { channels } = await sharp(image).stats();
  return channels.every((channel) => channel.stdev < 2);
}
