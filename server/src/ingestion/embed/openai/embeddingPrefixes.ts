import { createHash } from 'node:crypto';
import type { EmbeddingKind } from '../embedder.js';

// Some embedding models were trained with an instruction before each input and
// lose much of their quality without it: queries and documents get different
// prefixes. OpenAI's models need none. These are the prefixes their model cards
// prescribe; EMBEDDING_QUERY_PREFIX / EMBEDDING_DOCUMENT_PREFIX override them.

export type EmbeddingPrefixes = Record<EmbeddingKind, string>;

const NONE: EmbeddingPrefixes = { query: '', document: '' };
const RETRIEVAL_INSTRUCTION = 'Represent this sentence for searching relevant passages: ';

const knownModels: { pattern: RegExp; prefixes: EmbeddingPrefixes }[] = [
  { pattern: /nomic-embed-text/i, prefixes: { query: 'search_query: ', document: 'search_document: ' } },
  { pattern: /(^|[/:-])(multilingual-)?e5-/i, prefixes: { query: 'query: ', document: 'passage: ' } },
  { pattern: /bge-(small|base|large)-(en|zh)/i, prefixes: { query: RETRIEVAL_INSTRUCTION, document: '' } },
  { pattern: /mxbai-embed-large|snowflake-arctic-embed/i, prefixes: { query: RETRIEVAL_INSTRUCTION, document: '' } },
];

/** The prefixes a model's card prescribes, or none. */
export function knownPrefixes(model: string): EmbeddingPrefixes {
  return knownModels.find((m) => m.pattern.test(model))?.prefixes ?? NONE;
}

/**
 * The name stored with every chunk: the model, plus a short fingerprint of the
 * prefixes when there are any, since the same model with other prefixes makes
 * other vectors (a change re-indexes, like a change of model).
 */
export function embedderName(model: string, prefixes: EmbeddingPrefixes): string {
  if (!prefixes.query && !prefixes.document) return `openai:${model}`;
  const fingerprint = createHash('sha256').update(`${prefixes.query}\u0000${prefixes.document}`).digest('hex').slice(0, 8);
  return `openai:${model}+prefix-${fingerprint}`;
}
