import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Request, Response } from 'express';
import multer from 'multer';
import { AppError } from '../../errors/appError.js';

export interface ReceivedFile {
  path: string;
  originalName: string;
  size: number;
}

/**
 * Streams a multipart upload to disk under generated names (never the
 * client's file name), enforcing the per-file size and the file count. On
 * any failure the files already written are removed.
 */
export function receiveFiles(req: Request, res: Response, options: { dir: string; field: string; maxBytes: number; maxFiles: number }): Promise<ReceivedFile[]> {
  const upload = multer({
    storage: multer.diskStorage({ destination: options.dir, filename: (_req, _file, cb) => cb(null, randomUUID()) }),
    limits: { fileSize: options.maxBytes, files: options.maxFiles, fields: 10, fieldSize: 10_000, parts: options.maxFiles + 10 },
  }).array(options.field, options.maxFiles);

  return new Promise((resolve, reject) => {
    upload(req, res, (error: unknown) => {
      const files = (req.files as Express.Multer.File[] | undefined) ?? [];
      if (error) {
        void Promise.all(files.map((f) => fs.rm(f.path, { force: true }))).finally(() => reject(toAppError(error, options)));
        return;
      }
      if (!req.is('multipart/form-data')) return reject(new AppError('unsupported_media_type', `Send the files as multipart/form-data in the field "${options.field}"`));
      if (files.length === 0) return reject(new AppError('validation_failed', `No files in the field "${options.field}"`, { issues: [{ path: options.field, message: 'at least one file is required' }] }));
      // Browsers send file names as latin1 on the wire; multer hands them over undecoded.
      resolve(files.map((f) => ({ path: f.path, originalName: Buffer.from(f.originalname, 'latin1').toString('utf8'), size: f.size })));
    });
  });
}

function toAppError(error: unknown, options: { field: string; maxBytes: number; maxFiles: number }): AppError {
  if (error instanceof multer.MulterError) {
    switch (error.code) {
      case 'LIMIT_FILE_SIZE':
        return new AppError('payload_too_large', `A file is larger than the limit of ${Math.round(options.maxBytes / 1024 / 1024)} MB`, { limitBytes: options.maxBytes });
      case 'LIMIT_FILE_COUNT':
        return new AppError('payload_too_large', `At most ${options.maxFiles} files per upload`);
      case 'LIMIT_UNEXPECTED_FILE':
        return new AppError('validation_failed', `Files must be sent in the field "${options.field}"`, { issues: [{ path: error.field ?? '', message: 'unexpected file field' }] });
      default:
        return new AppError('bad_request', `Upload refused: ${error.message}`);
    }
  }
  return new AppError('bad_request', 'The upload could not be read (malformed multipart body)');
}
