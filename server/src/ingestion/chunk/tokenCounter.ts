import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';

/**
 * Tokens as the common OpenAI-compatible models count them (cl100k), a fair
 * estimate for the others. gpt-tokenizer ships its ranks (no download) and
 * counts about ten times faster than js-tiktoken with identical results, which
 * matters because the recursive splitter measures every piece it tries.
 */
export function countTokens(text: string): number {
  return countCl100k(text);
}
