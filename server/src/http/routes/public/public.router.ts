import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { z } from 'zod';
import { registrationOpen } from '../../../auth/registrationPolicy.js';
import { logoStoragePath } from '../../../commands/settings/brandingLogo.js';
import { readSetting } from '../../../commands/settings/readSetting.js';
import { AppError } from '../../../errors/appError.js';
import type { Services } from '../../../services.js';
import { matchesETag } from '../../conditional.js';
import type { RouteBuilder } from '../../route.js';
import { LogoParams, SignInConfig } from './public.schema.js';

/** What the sign-in pages fetch anonymously: branding and whether sign-up is open. Cacheable by anyone. */
export function publicRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/public/sign-in',
    summary: 'Product name, accent colour, logo and whether sign-up is open, for the sign-in pages (public, cacheable, ETag)',
    tags: ['public'],
    access: 'public',
    responses: {
      200: { description: 'The sign-in configuration', schema: SignInConfig },
      304: { description: 'Not modified (If-None-Match)' },
    },
    handler: async ({ req }) => {
      const [branding, registration] = await Promise.all([readSetting(s.prisma, 'branding'), readSetting(s.prisma, 'registration')]);
      const body: z.infer<typeof SignInConfig> = {
        productName: branding.name,
        accentColor: branding.accentColor,
        logoUrl: branding.logoUrl ?? null,
        registration: { open: registrationOpen(registration) },
      };
      // Short max-age: a changed setting shows within a minute; revalidation is a cheap 304.
      const headers = { ETag: `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`, 'Cache-Control': 'public, max-age=60' };
      if (matchesETag(req.get('if-none-match'), headers.ETag)) return { status: 304, headers };
      return { body, headers };
    },
  });

  routes.add({
    method: 'get',
    path: '/public/logo/:name',
    summary: 'An uploaded logo (WebP); its name changes with every upload, so it is cached for good',
    tags: ['public'],
    access: 'public',
    params: LogoParams,
    responses: {
      200: { description: 'The image', schema: z.string().meta({ format: 'binary' }), contentType: 'image/webp' },
      304: { description: 'Not modified (If-None-Match)' },
    },
    handler: async ({ params, req, res }) => {
      const headers = { ETag: `"${params.name.slice(0, 16)}"`, 'Cache-Control': 'public, max-age=31536000, immutable' };
      if (matchesETag(req.get('if-none-match'), headers.ETag)) return { status: 304, headers };
      const image = await fs.readFile(s.storage.resolve(logoStoragePath(params.name))).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'ENOENT' ? AppError.notFound('Logo') : error;
      });
      res.set(headers).type('image/webp').send(image);
    },
  });
}
