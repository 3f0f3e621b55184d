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
  probes: {
    'get /api/v1/identity/sso': { path: () => '/api/v1/identity/sso', expect: { user: 403, manager: 403, admin: 200 } },
    'put /api/v1/identity/sso': { path: () => '/api/v1/identity/sso', body: () => ssoSettings, expect: { user: 403, manager: 403, admin: 200 } },
    'post /api/v1/identity/sso/test': { path: () => '/api/v1/identity/sso/test', expect: { user: 403, manager: 403, admin: 200 } },
  },
} satisfies ProbeArea;
