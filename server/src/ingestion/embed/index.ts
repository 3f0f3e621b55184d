// Embedders turn chunk text and queries into vectors: one interface, a local
// feature-hashing model for offline use, and any OpenAI-compatible endpoint.
export { supportedDimensions, isSupportedDimension, type Embedder, type EmbeddingKind, type SupportedDimension } from './embedder.js';
export type { EmbedderConfig, EmbedderDependencies, EmbedderLogger, LocalEmbedderConfig, OpenAiEmbedderConfig } from './embedderConfig.js';
export { EmbeddingError, embeddingErrorCodes, isEmbeddingError, type EmbeddingErrorCode } from './embeddingError.js';
export { createEmbedder } from './registry.js';
export { LocalHashEmbedder, localHashEmbedderName } from './local/localHashEmbedder.js';
export { cosineSimilarity } from './vectorMath.js';
