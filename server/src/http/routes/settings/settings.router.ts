import type { Setting } from '../../../db/generated/client.js';
import { listOutdatedChunking, reindexOutdatedChunking } from '../../../commands/knowledge/outdatedChunking.js';
import { setBrandingLogo } from '../../../commands/settings/brandingLogo.js';
import { saveSetting } from '../../../commands/settings/saveSetting.js';
import { AVATAR_MAX_BYTES } from '../../../commands/assistants/avatarImage.js';
import { receiveFiles } from '../../middleware/receiveFiles.js';
import { authorize } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import { parseOrFail, type RouteBuilder } from '../../route.js';
import {
  settingDefaults,
  OutdatedChunkingList,
  ReindexOutcome,
  SettingBody,
  SettingList,
  SettingParams,
  settingKeys,
  settingSchemas,
  SettingView,
  type SettingKey,
} from './settings.schema.js';

/** A key's value as it applies now: the saved one, or the default until one is saved. */
function presentSetting(key: SettingKey, row: Setting | undefined) {
  return {
    key,
    value: row ? row.value : settingDefaults[key],
    saved: Boolean(row),
    updatedAt: row?.updatedAt.toISOString() ?? null,
    updatedById: row?.updatedById ?? null,
  };
}

export function settingRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/settings',
    summary: 'System settings (RAG defaults, registration policy, branding) with their defaults filled in',
    tags: ['settings'],
    responses: { 200: { description: 'Every setting', schema: SettingList } },
    handler: async ({ actor }) => {
      authorize(actor, 'settings.read');
      const rows = await s.prisma.setting.findMany({ where: { key: { in: settingKeys } } });
      const byKey = new Map(rows.map((r) => [r.key, r]));
      const data = settingKeys.map((key) => presentSetting(key, byKey.get(key)));
      return { body: { data, total: data.length } };
    },
  });

  routes.add({
    method: 'get',
    path: '/settings/:key',
    summary: 'One system setting',
    tags: ['settings'],
    params: SettingParams,
    responses: { 200: { description: 'The setting', schema: SettingView } },
    handler: async ({ actor, params }) => {
      authorize(actor, 'settings.read');
      const row = await s.prisma.setting.findUnique({ where: { key: params.key } });
      return { body: presentSetting(params.key, row ?? undefined) };
    },
  });

  routes.add({
    method: 'put',
    path: '/settings/:key',
    summary: 'Replace one system setting; the body is the value, validated against the key’s schema',
    tags: ['settings'],
    params: SettingParams,
    // Any object here; the key's own schema below gives field-level errors (a union would not).
    body: SettingBody,
    responses: { 200: { description: 'Saved', schema: SettingView } },
    handler: async ({ actor, params, body, req }) => {
      authorize(actor, 'settings.manage');
      // The route accepts any setting's shape; the key decides which one is valid.
      const value = parseOrFail(settingSchemas[params.key], body, 'body');
      const row = await saveSetting(s, { actor, meta: requestMeta(req) }, params.key, value);
      return { body: presentSetting(params.key, row) };
    },
  });

  routes.add({
    method: 'get',
    path: '/settings/rag.defaults/outdated-files',
    summary: 'Knowledge files indexed with other chunking than they would get now (after a change to the RAG defaults or an assistant override)',
    tags: ['settings'],
    responses: { 200: { description: 'Files to re-index for the new chunking to apply', schema: OutdatedChunkingList } },
    handler: async ({ actor }) => {
      const data = await listOutdatedChunking(s, actor);
      return { body: { data, total: data.length } };
    },
  });

  routes.add({
    method: 'post',
    path: '/settings/rag.defaults/outdated-files/reindex',
    summary: 'Queue every file with outdated chunking for re-indexing (unavailable to retrieval until done)',
    tags: ['settings'],
    responses: { 202: { description: 'How many files were queued', schema: ReindexOutcome } },
    handler: async ({ actor, req }) => ({ status: 202, body: await reindexOutdatedChunking(s, { actor, meta: requestMeta(req) }) }),
  });

  routes.add({
    method: 'put',
    path: '/settings/branding/logo',
    summary: 'Upload the logo (multipart field "logo": PNG, JPEG, WebP or GIF up to 5 MB; stored as WebP within 512×160); sets branding.logoUrl',
    tags: ['settings'],
    multipart: { field: 'logo' },
    responses: { 200: { description: 'The branding setting with its new logoUrl', schema: SettingView } },
    handler: async ({ actor, req, res }) => {
      // Refused before any bytes are read from someone who may not change settings.
      authorize(actor, 'settings.manage');
      const [upload] = await receiveFiles(req, res, { dir: s.storage.incomingDir, field: 'logo', maxBytes: AVATAR_MAX_BYTES, maxFiles: 1 });
      return { body: presentSetting('branding', await setBrandingLogo(s, { actor, meta: requestMeta(req) }, upload!.path)) };
    },
  });
}
