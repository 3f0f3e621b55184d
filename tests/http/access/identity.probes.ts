import { randomBytes } from 'node:crypto';
import type { ProbeArea } from './probe.js';

// Identity: single sign-on settings (and SCIM tokens) are for admins only.
const ssoSettings = {
  enabled: false,
  issuerUrl: '',
  clientId: '',
  displayName: 'Company sign-in',
  scopes: 'openid email profile',
  accountPolicy: 'anyone',
  allowedDomains: [],
  trustUnverifiedEmail: false,
  groupsClaim: 'groups',
  groupsByName: true,
  groupMapping: [],
  roleMapping: [],
  passwordLogin: 'everyone',
  breakGlassEmails: [],
};

export default {
  setup: async ({ prisma }) => {
    const token = await prisma.scimToken.create({ data: { name: 'Probe', tokenHash: `probe-${randomBytes(8).toString('hex')}`, hint: 'scim_…abcd' } });
    return { scimToken: token.id };
  },
  probes: {
    'get /api/v1/identity/sso': { path: () => '/api/v1/identity/sso', expect: { user: 403, manager: 403, admin: 200 } },
    'put /api/v1/identity/sso': { path: () => '/api/v1/identity/sso', body: () => ssoSettings, expect: { user: 403, manager: 403, admin: 200 } },
    'post /api/v1/identity/sso/test': { path: () => '/api/v1/identity/sso/test', expect: { user: 403, manager: 403, admin: 200 } },
    'get /api/v1/identity/scim-tokens': { path: () => '/api/v1/identity/scim-tokens', expect: { user: 403, manager: 403, admin: 200 } },
    'post /api/v1/identity/scim-tokens': { path: () => '/api/v1/identity/scim-tokens', body: () => ({ name: 'Entra ID' }), expect: { user: 403, manager: 403, admin: 201 } },
    'post /api/v1/identity/scim-tokens/{id}/rotate': { path: (ids) => `/api/v1/identity/scim-tokens/${ids.scimToken}/rotate`, expect: { user: 403, manager: 403, admin: 200 } },
    // First run: the setup checklist.
    'get /api/v1/setup/checklist': { path: () => '/api/v1/setup/checklist', expect: { user: 403, manager: 403, admin: 200 } },
    'put /api/v1/setup/everyone': { path: () => '/api/v1/setup/everyone', body: () => ({ joinByDefault: false }), expect: { user: 403, manager: 403, admin: 200 } },
    'delete /api/v1/identity/scim-tokens/{id}': { path: (ids) => `/api/v1/identity/scim-tokens/${ids.scimToken}`, expect: { user: 403, manager: 403, admin: 204 } },
  },
} satisfies ProbeArea;
