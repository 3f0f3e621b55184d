import { z } from 'zod';
import type { Assistant, AssistantGroup } from '../../db/generated/client.js';

export const AssistantView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    instructions: z.string(),
    modelId: z.uuid().nullable(),
    temperature: z.number(),
    maxTokens: z.number().int(),
    retrieval: z.object({
      topK: z.number().int().nullable(),
      similarityThreshold: z.number().nullable(),
      chunkSize: z.number().int().nullable(),
      chunkOverlap: z.number().int().nullable(),
      knowledgeOnly: z.boolean(),
    }),
    groupIds: z.array(z.uuid()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Assistant' });

export function presentAssistant(a: Assistant & { groups: AssistantGroup[] }): z.infer<typeof AssistantView> {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    instructions: a.instructions,
    modelId: a.modelId,
    temperature: a.temperature,
    maxTokens: a.maxTokens,
    retrieval: { topK: a.topK, similarityThreshold: a.similarityThreshold, chunkSize: a.chunkSize, chunkOverlap: a.chunkOverlap, knowledgeOnly: a.knowledgeOnly },
    groupIds: a.groups.map((g) => g.groupId),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}
