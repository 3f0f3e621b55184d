import { z } from 'zod';

import { TokenSettings } from '../../../integrations/tokens/tokenPolicy.js';
import { Branding, RagDefaults, RegistrationPolicy, settingKeys } from '../../../settings/settingSchemas.js';
import { ToolSettings } from '../../../tools/toolSettings.js';
import { WebSourceSettings } from '../../../websources/webSourceSettings.js';

export { settingDefaults, settingKeys, settingSchemas, type SettingKey } from '../../../settings/settingSchemas.js';

export const SettingParams = z.object({ key: z.enum(settingKeys) });

export const SettingView = z
  .object({
    key: z.enum(settingKeys),
    value: z.union([RagDefaults, RegistrationPolicy, Branding, TokenSettings, ToolSettings, WebSourceSettings]),
    /** False while the default applies. */
    saved: z.boolean(),
    updatedAt: z.iso.datetime().nullable(),
    updatedById: z.uuid().nullable(),
  })
  .meta({ id: 'Setting' });

export const SettingList = z.object({ data: z.array(SettingView), total: z.number().int() }).meta({ id: 'SettingList' });

export const SettingBody = z
  .record(z.string(), z.unknown())
  .describe('The new value: RagDefaults for rag.defaults, RegistrationPolicy for registration, Branding for branding, TokenSettings for tokens, ToolSettings for tools, WebSourceSettings for webSources')
  .meta({ id: 'SettingValue' });

const Chunking = z.object({ chunkSize: z.number().int(), chunkOverlap: z.number().int() });

export const OutdatedChunkingList = z
  .object({
    data: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        knowledgeBaseId: z.uuid(),
        knowledgeBaseName: z.string(),
        assistantId: z.uuid().nullable().describe("The assistant whose own base holds the file, whose chunking override applies"),
        assistantName: z.string().nullable(),
        indexedWith: z.object({ chunkSize: z.number().int().nullable(), chunkOverlap: z.number().int().nullable() }),
        wouldUse: Chunking,
      }),
    ),
    total: z.number().int(),
  })
  .meta({ id: 'OutdatedChunkingList' });

export const ReindexOutcome = z.object({ queued: z.number().int() }).meta({ id: 'ReindexOutcome' });
