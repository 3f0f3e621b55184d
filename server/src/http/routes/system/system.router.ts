import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Router } from 'express';
import { createRequire } from 'node:module';
import { migrationStatus } from '../../../db/migrator.js';
import type { Services } from '../../../services.js';
import type { HttpMetrics } from '../../middleware/metrics.js';

const require = createRequire(import.meta.url);

/** Liveness, readiness, metrics and the API description: outside /api/v1 so tools find them at fixed paths. */
export function systemRoutes(s: Services, registry: OpenAPIRegistry, metrics: HttpMetrics): Router {
  const router = express.Router();

  router.get('/api/health', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });

  router.get('/api/ready', async (_req, res) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    try {
      await s.prisma.$queryRawUnsafe('SELECT 1');
      checks.database = { ok: true };
      const status = await migrationStatus(s.db);
      checks.migrations = status.pending.length
        ? { ok: false, detail: `pending: ${status.pending.join(', ')}` }
        : { ok: true, detail: `${status.applied.length} applied` };
    } catch (error) {
      checks.database ??= { ok: false, detail: (error as Error).message };
    }
    const ok = Object.values(checks).every((c) => c.ok) && Object.keys(checks).length === 2;
    if (!ok) return void res.status(503).json({ status: 'not_ready', engine: s.db.engine, checks });
    if (!s.redis) return void res.json({ status: 'ready', engine: s.db.engine, checks });
    // Redis away is degraded, not unready: REST still works on the database, and answers run in the
    // process that took them. A 503 would make a load balancer drop every replica at once over a
    // shared dependency they can all live without for a while.
    const redis = await s.redis.ping();
    checks.redis = redis;
    res.json({ status: redis.ok ? 'ready' : 'degraded', engine: s.db.engine, redis: redis.ok ? 'up' : 'down', checks });
  });

  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  let document: unknown;
  const openApiDocument = () =>
    (document ??= new OpenApiGeneratorV31(registry.definitions).generateDocument({
      openapi: '3.1.0',
      info: { title: 'Atrium API', version: '1', description: 'Self-hosted team assistant platform' },
      servers: [{ url: '/' }],
    }));
  router.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });

  // Swagger UI from the npm package (no CDN); its start-up script is a file,
  // not inline, so the strict CSP holds.
  const swaggerDir = require('swagger-ui-dist').getAbsoluteFSPath() as string;
  router.get('/api/docs', (_req, res) => {
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Atrium API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head><body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script><script src="/api/docs/init.js"></script></body></html>`);
  });
  router.get('/api/docs/init.js', (_req, res) => {
    res.type('js').send(`window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui' });`);
  });
  router.use('/api/docs/assets', express.static(swaggerDir, { index: false, maxAge: '1d' }));

  return router;
}
