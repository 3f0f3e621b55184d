import type { Database, PrismaClient } from '../db/database.js';
import { usableChatModelIds } from './searchMode.js';

/** Where a change to models or providers is announced (a trigger, migration 20270114001700). */
export const MODELS_CHANGED_CHANNEL = 'atrium_models_changed';

/**
 * The usable chat models, for the search-mode flag every assistant read
 * carries: one more query per read for a list that changes when an admin
 * edits a model or a provider. Each process keeps it for `ttlMs`; a trigger
 * on models and providers notifies on commit, whoever made the change
 * (Atrium in any process, or SQL straight in the database), and every
 * listening process drops its copy. The time limit covers a notification
 * lost with the listening connection. The chat path does not use this: it
 * reads the models it answers with (chat/chatModels.ts).
 */
export class UsableChatModels {
  private cached: { at: number; ids: Promise<ReadonlySet<string>> } | null = null;

  constructor(
    private readonly prisma: Pick<PrismaClient, 'model'>,
    private readonly ttlMs: number,
  ) {}

  ids(): Promise<ReadonlySet<string>> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.ids;
    const ids = usableChatModelIds(this.prisma);
    if (this.ttlMs === 0) return ids;
    // Kept from the moment the read starts: a change notified while it runs drops it too.
    const entry = { at: Date.now(), ids };
    this.cached = entry;
    ids.catch(() => {
      if (this.cached === entry) this.cached = null;
    });
    return ids;
  }

  forget(): void {
    this.cached = null;
  }

  /** Drops the copy whenever models or providers change; resolves to a stop function. */
  async listen(db: Pick<Database, 'listen'>): Promise<() => Promise<void>> {
    if (this.ttlMs === 0) return async () => undefined;
    return db.listen(MODELS_CHANGED_CHANNEL, () => this.forget());
  }
}
