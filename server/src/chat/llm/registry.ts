import { createHash } from 'node:crypto';
import { AnthropicProvider } from './anthropic.js';
import type { ChatProvider, ProviderEndpoint } from './chatProvider.js';
import { OpenAiCompatibleProvider } from './openaiCompatible.js';

const adapters: Record<ProviderEndpoint['kind'], new (endpoint: ProviderEndpoint) => ChatProvider> = {
  openai_compatible: OpenAiCompatibleProvider,
  anthropic: AnthropicProvider,
};

// Clients are reused per endpoint so their connection pools are too; keyed by
// a hash so the plaintext key is not a Map key that heap dumps would show twice.
const cache = new Map<string, ChatProvider>();
const CACHE_LIMIT = 64;

export function createChatProvider(endpoint: ProviderEndpoint): ChatProvider {
  const key = createHash('sha256')
    .update(JSON.stringify([endpoint.kind, endpoint.baseUrl, endpoint.apiKey, endpoint.timeoutMs]))
    .digest('base64');
  let provider = cache.get(key);
  if (!provider) {
    provider = new adapters[endpoint.kind](endpoint);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, provider);
  }
  return provider;
}
