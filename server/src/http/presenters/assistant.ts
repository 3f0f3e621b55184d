import { z } from 'zod';
import { FlowStep, flowStepsOf } from '../../chat/flows/flowStep.js';
import type { AssistantRecord } from '../../commands/assistants/assistantAccess.js';
import { avatarVersion } from '../../commands/assistants/avatarImage.js';
import { assistantResource, can } from '../../policies/index.js';
import type { Actor } from '../../policies/actor.js';

export const AssistantView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    avatarUrl: z.string().nullable().describe('Changes whenever the avatar changes'),
    model: z.object({ id: z.uuid(), name: z.string(), displayName: z.string().nullable() }).nullable(),
    knowledgeOnly: z.boolean(),
    flow: z.boolean().describe('It answers in several steps (a flow); the steps show collapsed above the answer'),
    attachmentsEnabled: z.boolean(),
    searchMode: z.boolean().describe('No chat model can answer for it yet, so it answers with the best passages of its knowledge (search mode)'),
    can: z.object({ manage: z.boolean() }).describe('What the caller may do with this assistant'),
    createdAt: z.string(),
    updatedAt: z.string(),
    deletedAt: z.string().nullable(),
    // Only for those who may manage the assistant:
    instructions: z.string().optional(),
    modelId: z.uuid().nullable().optional(),
    fallbackModelId: z.uuid().nullable().optional(),
    builtinTools: z.array(z.string()).optional().describe('Built-in tools the model may call'),
    flowSteps: z.array(FlowStep).nullable().optional().describe('Its flow steps in order; null: one model answers'),
    temperature: z.number().optional(),
    maxTokens: z.number().int().optional(),
    retrieval: z
      .object({
        topK: z.number().int().nullable(),
        similarityThreshold: z.number().nullable(),
        chunkSize: z.number().int().nullable(),
        chunkOverlap: z.number().int().nullable(),
      })
      .optional()
      .describe('null: the system default'),
    groupIds: z.array(z.uuid()).optional(),
    knowledgeBases: z.array(z.object({ knowledgeBaseId: z.uuid(), tags: z.array(z.string()) })).optional().describe('The knowledge bases it searches, with their tag filters'),
  })
  .meta({ id: 'Assistant' });

type AssistantJson = z.infer<typeof AssistantView>;

/** Staff see what they need to pick and chat; the prompt, tuning and sharing only those who may manage it. */
export function presentAssistant(a: AssistantRecord, actor: Actor, searchMode: boolean): AssistantJson {
  const manage = can(actor, 'assistant.manage', assistantResource(a));
  const flowSteps = flowStepsOf(a.flowSteps);
  const view: AssistantJson = {
    id: a.id,
    name: a.name,
    description: a.description,
    avatarUrl: a.avatarPath ? `/api/v1/assistants/${a.id}/avatar?v=${avatarVersion(a.avatarPath)}` : null,
    model: a.model,
    knowledgeOnly: a.knowledgeOnly,
    flow: flowSteps !== null,
    attachmentsEnabled: a.attachmentsEnabled,
    searchMode,
    can: { manage },
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    deletedAt: a.deletedAt?.toISOString() ?? null,
  };
  if (!manage) return view;
  return {
    ...view,
    instructions: a.instructions,
    modelId: a.modelId,
    fallbackModelId: a.fallbackModelId,
    builtinTools: a.builtinTools,
    flowSteps,
    temperature: a.temperature,
    maxTokens: a.maxTokens,
    retrieval: { topK: a.topK, similarityThreshold: a.similarityThreshold, chunkSize: a.chunkSize, chunkOverlap: a.chunkOverlap },
    groupIds: a.groups.map((g) => g.groupId),
    knowledgeBases: a.knowledgeBases.map((k) => ({ knowledgeBaseId: k.knowledgeBaseId, tags: k.tags })),
  };
}
