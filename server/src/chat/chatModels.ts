import type { Model } from '../db/generated/client.js';
import { AppError } from '../errors/appError.js';
import { resolveChatModel } from '../governance/modelAccess.js';
import type { Services } from '../services.js';
import type { ProviderEndpoint } from './llm/chatProvider.js';

type Resolved = { model: Model; endpoint: ProviderEndpoint };

// Every message needs its assistant's model, provider and decrypted key: three
// reads and a decryption that change only when an admin edits them. They are
// kept for a few seconds, so a busy server does that work a few times a
// minute instead of once a message; an admin's change (a disabled model, a
// rotated key) applies within that time.
const TTL_MS = 5000;

export class ChatModels {
  private readonly resolved = new Map<string, { at: number; value: Promise<Resolved> }>();
  private defaultId: { at: number; value: Promise<string> } | null = null;

  constructor(private readonly s: Pick<Services, 'prisma' | 'keyVault' | 'audit'>) {}

  /** The assistant's model, or the default one when it names none. */
  async forAssistant(modelId: string | null): Promise<Resolved> {
    return this.resolve(modelId ?? (await this.defaultModelId()));
  }

  /** A named model (an assistant's fallback), checked to be usable like the assistant's own. */
  forModel(modelId: string): Promise<Resolved> {
    return this.resolve(modelId);
  }

  private resolve(modelId: string): Promise<Resolved> {
    const cached = this.resolved.get(modelId);
    if (cached && Date.now() - cached.at < TTL_MS) return cached.value;
    const value = resolveChatModel(this.s, modelId).then(({ model, endpoint }) => ({ model, endpoint }));
    this.resolved.set(modelId, { at: Date.now(), value });
    // A failure is not remembered: the next message asks again.
    value.catch(() => this.resolved.delete(modelId));
    return value;
  }

  /** The model for assistants that name none: the oldest enabled chat model of an enabled provider. */
  private defaultModelId(): Promise<string> {
    if (this.defaultId && Date.now() - this.defaultId.at < TTL_MS) return this.defaultId.value;
    const value = this.s.prisma.model
      .findFirst({
        where: { kind: 'chat', enabled: true, provider: { enabled: true } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { id: true },
      })
      .then((model) => {
        if (!model) throw new AppError('conflict', 'No chat model is configured yet; an administrator needs to add a provider and a model');
        return model.id;
      });
    this.defaultId = { at: Date.now(), value };
    value.catch(() => (this.defaultId = null));
    return value;
  }

  /** Forgets everything (tests that change models directly in the database). */
  clear(): void {
    this.resolved.clear();
    this.defaultId = null;
  }
}
