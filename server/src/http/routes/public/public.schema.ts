import { z } from 'zod';

/** Everything a sign-in page needs before anyone signs in, and nothing more (no domain list, no roles, no groups). */
export const SignInConfig = z
  .object({
    productName: z.string(),
    accentColor: z.string().describe('#rrggbb'),
    logoUrl: z.string().nullable(),
    registration: z.object({ open: z.boolean().describe('Whether the public sign-up page is offered') }),
  })
  .meta({ id: 'SignInConfig' });

export const LogoParams = z.object({ name: z.string().regex(/^[0-9a-f]{16}\.webp$/, 'must be a logo file name') });
