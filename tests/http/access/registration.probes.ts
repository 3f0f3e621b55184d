import sharp from 'sharp';
import { createUserRecord } from '../../support/factories.js';
import type { ProbeArea } from './probe.js';

// Self-registration and branding: approving a waiting account and uploading the logo are admin work;
// signing up, confirming an address and the sign-in configuration are public.
export default {
  public: ['post /api/v1/auth/register', 'post /api/v1/auth/verify-email', 'get /api/v1/public/sign-in', 'get /api/v1/public/logo/{name}'],
  async setup({ prisma }) {
    const pending = await createUserRecord(prisma);
    await prisma.user.update({ where: { id: pending.id }, data: { pending: 'approval' } });
    return { pendingUser: pending.id };
  },
  probes: {
    'post /api/v1/users/{id}/approve': { path: (i) => `/api/v1/users/${i.pendingUser}/approve`, expect: { user: 403, manager: 403, admin: 200 } },
    'put /api/v1/settings/branding/logo': {
      path: () => '/api/v1/settings/branding/logo',
      upload: 'logo',
      uploadFile: () => ({ content: tinyPng, name: 'logo.png' }),
      expect: { user: 403, manager: 403, admin: 200 },
    },
  },
} satisfies ProbeArea;

const tinyPng = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } }).png().toBuffer();
