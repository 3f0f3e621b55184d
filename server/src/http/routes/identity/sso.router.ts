import { saveSsoSettings } from '../../../identity/oidc/saveSsoSettings.js';
import { presentSsoSettings } from '../../../identity/oidc/ssoSettings.js';
import { authorize } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';
import { redirectUriFor } from './oidc.router.js';
import { SsoSettingsBody, SsoSettingsView, SsoTestResult } from './oidc.schema.js';

export function ssoSettingsRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/identity/sso',
    summary: 'Single sign-on settings in force (the client secret only as a hint)',
    tags: ['identity'],
    responses: { 200: { description: 'The settings', schema: SsoSettingsView } },
    handler: async ({ actor, req }) => {
      authorize(actor, 'identity.manage');
      return { body: { ...presentSsoSettings(await s.sso.settings.current()), redirectUri: redirectUriFor(s, req) } };
    },
  });

  routes.add({
    method: 'put',
    path: '/identity/sso',
    summary: 'Replace the single sign-on settings; the client secret is write-only (omit it to keep the stored one)',
    tags: ['identity'],
    body: SsoSettingsBody,
    responses: { 200: { description: 'Saved', schema: SsoSettingsView } },
    handler: async ({ actor, req, body }) => {
      const saved = await saveSsoSettings(s, { actor, meta: requestMeta(req) }, body);
      return { body: { ...presentSsoSettings(saved), redirectUri: redirectUriFor(s, req) } };
    },
  });

  routes.add({
    method: 'post',
    path: '/identity/sso/test',
    summary: "Fetch the provider's discovery document with the settings in force and say what is wrong",
    tags: ['identity'],
    responses: { 200: { description: 'What discovery found', schema: SsoTestResult } },
    handler: async ({ actor }) => {
      authorize(actor, 'identity.manage');
      return { body: await s.sso.client.test(await s.sso.settings.current()) };
    },
  });
}
