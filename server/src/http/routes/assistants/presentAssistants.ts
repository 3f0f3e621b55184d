import { searchingAmong } from '../../../chat/searchMode.js';
import type { AssistantRecord } from '../../../commands/assistants/assistantAccess.js';
import type { Actor } from '../../../policies/actor.js';
import type { Services } from '../../../services.js';
import { presentAssistant } from '../../presenters/assistant.js';

/** Assistants as presented, each with whether it answers in search mode (the usable models as this process keeps them). */
export async function presentAssistants(s: Services, assistants: AssistantRecord[], actor: Actor) {
  const searching = assistants.length ? searchingAmong(await s.usableModels.ids(), assistants) : new Set<string>();
  return assistants.map((a) => presentAssistant(a, actor, searching.has(a.id)));
}

export async function presentOneAssistant(s: Services, assistant: AssistantRecord, actor: Actor) {
  return (await presentAssistants(s, [assistant], actor))[0]!;
}
