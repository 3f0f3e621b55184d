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

/** Prisma's skip/take for a validated page request. */
export const pageWindow = (q: { page: number; pageSize: number }) => ({ skip: (q.page - 1) * q.pageSize, take: q.pageSize });

/** The body of every list response: `{ data, total, page, pageSize }`. */
export const pageBody = <T>(data: T[], total: number, q: { page: number; pageSize: number }) => ({ data, total, page: q.page, pageSize: q.pageSize });
