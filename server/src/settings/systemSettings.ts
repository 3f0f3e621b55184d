import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../lib/logger.js';
import type { EventBus } from '../realtime/eventBus.js';
import { settingDefaults, settingSchemas, type SettingKey, type SettingValue } from './settingSchemas.js';

// Settings are read on hot paths (every question reads the RAG defaults), so
// each process keeps them for a few seconds. A save drops the copy at once in
// every process that hears the `setting.changed` event (the saving process,
// and the others over Postgres NOTIFY); the time limit covers those that
// don't listen.
const TTL_MS = 5000;

export class SystemSettings {
  private readonly cache = new Map<SettingKey, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly prisma: PrismaClient,
    events: EventBus,
    private readonly logger: Logger,
  ) {
    events.on('setting.changed', ({ key }) => this.cache.delete(key as SettingKey));
  }

  /** The value in force: the saved one, or the default until one is saved; cached briefly. */
  get<K extends SettingKey>(key: K): Promise<SettingValue<K>> {
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < TTL_MS) return cached.value as Promise<SettingValue<K>>;
    const value = this.fresh(key);
    this.cache.set(key, { at: Date.now(), value });
    value.catch(() => this.cache.delete(key));
    return value;
  }

  /** The value in force, read now (for work that runs rarely and must see the latest save). */
  async fresh<K extends SettingKey>(key: K): Promise<SettingValue<K>> {
    const row = await this.prisma.setting.findUnique({ where: { key } });
    if (!row) return settingDefaults[key];
    const parsed = settingSchemas[key].safeParse(row.value);
    if (parsed.success) return parsed.data as SettingValue<K>;
    // A value saved under an older schema: the default serves until an admin saves again.
    this.logger.warn({ key, issues: parsed.error.issues.length }, 'stored setting no longer valid; using the default');
    return settingDefaults[key];
  }
}
