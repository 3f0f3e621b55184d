import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import type { Actor } from '../../policies/actor.js';
import { EVERYONE } from './everyoneGroup.js';

// The first admin's setup steps, each ticked by what exists (never by a flag
// someone must remember to set), with the console screen that does it.

export interface ChecklistStep {
  id: 'provider' | 'assistant' | 'knowledge' | 'shared' | 'people';
  title: string;
  done: boolean;
  /** The console route (hash path) of the screen that does the step. */
  link: string;
  hint?: string;
}

const OLLAMA_TIMEOUT_MS = 800;

/** An Ollama answering on this machine, and the models it has pulled; undefined when none answers. */
async function detectOllama(url: string | undefined): Promise<{ url: string; models: string[] } | undefined> {
  if (!url) return undefined;
  try {
    const res = await fetch(`${url}/api/tags`, { signal: AbortSignal.timeout(OLLAMA_TIMEOUT_MS) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { models?: { name?: unknown }[] };
    return { url, models: (body.models ?? []).map((m) => m.name).filter((n): n is string => typeof n === 'string') };
  } catch {
    return undefined;
  }
}

export async function firstRunChecklist(s: Services, actor: Actor) {
  authorize(actor, 'settings.manage');
  const p = s.prisma;
  const [models, assistants, readyFiles, shares, people, sso, scimTokens, ollama, everyone] = await Promise.all([
    p.model.count({ where: { enabled: true, kind: 'chat', provider: { enabled: true } } }),
    p.assistant.count({ where: { deletedAt: null } }),
    p.knowledgeFile.count({ where: { status: 'ready', knowledgeBase: { deletedAt: null, attachments: { some: { assistant: { deletedAt: null } } } } } }),
    p.assistantGroup.count({ where: { assistant: { deletedAt: null } } }),
    p.user.count({ where: { active: true } }),
    s.sso.settings.current(),
    p.scimToken.count({ where: { revokedAt: null } }),
    detectOllama(s.config.ollamaUrl),
    p.group.findUnique({ where: { name: EVERYONE }, select: { id: true, name: true, joinByDefault: true } }),
  ]);
  const steps: ChecklistStep[] = [
    {
      id: 'provider',
      title: 'Connect a model provider',
      done: models > 0,
      link: '/providers/create',
      hint: ollama ? `An Ollama answers at ${ollama.url}${ollama.models.length ? ` with ${ollama.models.join(', ')}` : ''}: add it as an OpenAI-compatible provider with base URL ${ollama.url}/v1.` : undefined,
    },
    { id: 'assistant', title: 'Create the first assistant', done: assistants > 0, link: '/assistants/create' },
    { id: 'knowledge', title: 'Add knowledge to an assistant', done: readyFiles > 0, link: '/assistants' },
    {
      id: 'shared',
      title: 'Share an assistant with a group',
      done: shares > 0,
      link: '/assistants',
      hint: everyone ? undefined : 'Create the “Everyone” group (all accounts, new ones too) and share the assistant with it.',
    },
    { id: 'people', title: 'Invite people or connect single sign-on', done: people > 1 || sso.enabled || scimTokens > 0, link: '/users/create' },
  ];
  return { steps, complete: steps.every((step) => step.done), ollama: ollama ?? null, everyone };
}
