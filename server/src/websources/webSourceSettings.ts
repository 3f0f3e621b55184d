import { z } from 'zod';
import { createAddressPolicy } from './addressPolicy.js';

/**
 * How web sources reach the web, edited in the console's settings: the
 * private hosts, addresses and CIDR ranges that may be crawled (intranets;
 * everything private is refused otherwise) and the name sent as User-Agent
 * and matched against robots.txt.
 */
export const WebSourceSettings = z
  .object({
    allowList: z
      .array(z.string().trim().min(1).max(255))
      .max(100)
      // Checked as a whole so the message lands on the field and names the entry.
      .superRefine((entries, ctx) => {
        for (const entry of entries) {
          try {
            createAddressPolicy([entry]);
          } catch {
            ctx.addIssue({ code: 'custom', message: `"${entry}" is not a host name, an address or a CIDR range (10.20.0.0/16)` });
          }
        }
      })
      .describe('Private hosts, addresses and CIDR ranges web sources may reach (intranets); all others stay refused'),
    userAgent: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,60}$/, 'must be one product token such as AtriumBot')
      .describe('Sent as User-Agent and matched against robots.txt groups'),
  })
  .strict()
  .meta({ id: 'WebSourceSettings' });
export type WebSourceSettings = z.infer<typeof WebSourceSettings>;

export const defaultWebSourceSettings: WebSourceSettings = { allowList: [], userAgent: 'AtriumBot' };
