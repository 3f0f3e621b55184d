import { z } from 'zod';

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

export const IdParams = z.object({ id: z.uuid({ error: 'must be a UUID' }) });

/** Paging shared by every list endpoint: `?page=1&pageSize=25&sort=createdAt&order=desc&q=...`. */
export function listQuery<const S extends readonly [string, ...string[]]>(sortable: S, defaultSort: S[number]) {
  return z.object({
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(25),
    sort: z.enum(sortable).default(defaultSort),
    order: z.enum(['asc', 'desc']).default('desc'),
    q: z.string().trim().max(200).optional(),
  });
}

export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z.object({ data: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }).meta({ id });
}

/** Email normalised once at the edge, so lookups never depend on letter case. */
export const Email = z
  .email({ error: 'must be an email address' })
  .max(254)
  .transform((e) => e.toLowerCase());
