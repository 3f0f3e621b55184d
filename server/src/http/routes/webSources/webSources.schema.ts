import { z } from 'zod';

// Schedules the console offers; any whole number of minutes is accepted.
const ScheduleMinutes = z
  .number()
  .int()
  .min(0)
  .max(60 * 24 * 30)
  .describe('Minutes between scheduled syncs (60 hourly, 1440 daily, 10080 weekly); 0: only on demand');

const Limits = {
  maxDepth: z.number().int().min(0).max(10).describe('Site mode: links followed from the start page (default 3)'),
  maxPages: z.number().int().min(1).max(5000).describe('Site mode: URLs tried per sync, failures included (default 200)'),
  scheduleMinutes: ScheduleMinutes,
};

export const CreateWebSourceBody = z
  .object({
    url: z.string().trim().min(1).max(2000).describe('An http(s) URL: the page, or the start page of the site'),
    mode: z.enum(['page', 'site']).describe('page: this URL only; site: a same-site crawl from it'),
    maxDepth: Limits.maxDepth.optional(),
    maxPages: Limits.maxPages.optional(),
    scheduleMinutes: Limits.scheduleMinutes.optional(),
  })
  .strict()
  .meta({ id: 'WebSourceCreate' });

export const UpdateWebSourceBody = z
  .object(Limits)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update')
  .meta({ id: 'WebSourceUpdate' });

export const WebSourceListParams = z.object({ id: z.uuid({ error: 'must be a UUID' }) });
export const WebSourceParams = z.object({ id: z.uuid({ error: 'must be a UUID' }), sourceId: z.uuid({ error: 'must be a UUID' }) });
