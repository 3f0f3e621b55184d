import { isSupportedDimension, type Embedder, type SupportedDimension } from './embedder.js';
import type { EmbedderConfig, EmbedderDependencies, LocalEmbedderConfig, OpenAiEmbedderConfig } from './embedderConfig.js';
import { EmbeddingError } from './embeddingError.js';
import { LocalHashEmbedder } from './local/localHashEmbedder.js';
import { knownPrefixes } from './openai/embeddingPrefixes.js';
import { OpenAiEmbedder } from './openai/openAiEmbedder.js';

// One factory per kind of embedder. A new provider adds a kind to
// EmbedderConfig and an entry here; nothing else learns its name.
type EmbedderFactories = {
  [Kind in EmbedderConfig['kind']]: (config: Extract<EmbedderConfig, { kind: Kind }>, dependencies: EmbedderDependencies) => Embedder;
};

const embedderFactories: EmbedderFactories = {
  local: createLocalEmbedder,
  openai: createOpenAiEmbedder,
};

export function createEmbedder(config: EmbedderConfig, dependencies: EmbedderDependencies = {}): Embedder {
  const factory = embedderFactories[config.kind] as (config: EmbedderConfig, dependencies: EmbedderDependencies) => Embedder;
  if (!factory) throw new EmbeddingError('invalid_config', `Unknown embedder kind: ${String((config as { kind: unknown }).kind)}`);
  return factory(config, dependencies);
}

function createLocalEmbedder(config: LocalEmbedderConfig): Embedder {
  return new LocalHashEmbedder(checkedDimension(config.dimension ?? 384));
}

function createOpenAiEmbedder(config: OpenAiEmbedderConfig, dependencies: EmbedderDependencies): Embedder {
  if (!config.baseUrl?.trim()) throw new EmbeddingError('invalid_config', 'The embedding endpoint needs a base URL');
  if (!config.model?.trim()) throw new EmbeddingError('invalid_config', 'The embedding endpoint needs a model name');
  return new OpenAiEmbedder(
    config,
    {
      dimension: checkedDimension(config.dimension),
      limits: { maxTexts: checkedCount('batchSize', config.batchSize ?? 64, 1), maxCharacters: checkedCount('maxBatchChars', config.maxBatchChars ?? 200_000, 1) },
      maxRetries: checkedCount('maxRetries', config.maxRetries ?? 5, 0),
      timeoutMs: checkedCount('timeoutMs', config.timeoutMs ?? 60_000, 1),
      sendDimensions: config.sendDimensions ?? /^text-embedding-3/.test(config.model),
      encodingFormat: config.encodingFormat ?? 'base64',
      backoff: { baseMs: checkedCount('backoff.baseMs', config.backoff?.baseMs ?? 500, 0), maxMs: checkedCount('backoff.maxMs', config.backoff?.maxMs ?? 20_000, 0) },
      concurrency: checkedCount('concurrency', config.concurrency ?? 4, 1),
      prefixes: {
        query: config.queryPrefix ?? knownPrefixes(config.model).query,
        document: config.documentPrefix ?? knownPrefixes(config.model).document,
      },
    },
    dependencies.logger,
  );
}

function checkedDimension(dimension: number): SupportedDimension {
  if (!isSupportedDimension(dimension)) throw new EmbeddingError('invalid_config', `Embedding dimension ${dimension} is not one of 256, 384, 512, 768, 1024, 1536`);
  return dimension;
}

function checkedCount(field: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) throw new EmbeddingError('invalid_config', `${field} must be an integer of at least ${minimum}`);
  return value;
}
