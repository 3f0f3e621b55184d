import type { Assistant } from '../db/generated/client.js';
import type { RagDefaultsValue } from '../settings/settingSchemas.js';

/**
 * How many passages an assistant retrieves and how similar a passage must be:
 * the assistant's own values, else the system's RAG defaults (an admin
 * setting), else the threshold calibrated for the embedder in use.
 */
export function retrievalParameters(
  assistant: Pick<Assistant, 'topK' | 'similarityThreshold'>,
  defaults: Pick<RagDefaultsValue, 'topK' | 'similarityThreshold'>,
  embedderMinScore: number,
): { topK: number; minScore: number } {
  return {
    topK: assistant.topK ?? defaults.topK,
    minScore: assistant.similarityThreshold ?? defaults.similarityThreshold ?? embedderMinScore,
  };
}
