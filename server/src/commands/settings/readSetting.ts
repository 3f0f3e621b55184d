import type { PrismaClient } from '../../db/database.js';
import { settingDefaults, settingSchemas, type SettingKey, type SettingValue } from '../../settings/settingSchemas.js';

/**
 * A setting's value as it applies now: the saved one, or the default until one
 * is saved (or when a value saved under an older schema no longer parses).
 */
export async function readSetting<K extends SettingKey>(prisma: PrismaClient, key: K): Promise<SettingValue<K>> {
  const row = await prisma.setting.findUnique({ where: { key } });
  if (!row) return settingDefaults[key];
  const parsed = settingSchemas[key].safeParse(row.value);
  return parsed.success ? (parsed.data as SettingValue<K>) : settingDefaults[key];
}
