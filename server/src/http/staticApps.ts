import express, { type Router } from 'express';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors/appError.js';

/**
 * Serves a built single-page app: hashed assets cached for a year, the
 * index.html never cached, and unknown paths falling back to it so the app's
 * own router can handle them.
 */
export function singlePageApp(distDir: string, name: string): Router {
  const router = express.Router();
  const indexFile = path.join(distDir, 'index.html');
  router.use(
    express.static(distDir, {
      index: false,
      setHeaders(res, file) {
        const hashed = /[/\\]assets[/\\]/.test(file);
        res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  router.get('/{*rest}', (req, res, next) => {
    if (!req.accepts('html')) return next();
    if (!fs.existsSync(indexFile)) {
      return next(new AppError('not_ready', `The ${name} is not built yet; run \`npm run build\``));
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}
