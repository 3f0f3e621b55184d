import { EmbeddingError } from '../embeddingError.js';
import { normaliseInPlace } from '../vectorMath.js';

// Checks and decodes an /embeddings answer without trusting its shape: servers
// that call themselves OpenAI-compatible differ in the details (some ignore
// encoding_format and send floats when base64 was asked for, some omit
// `index`). Whatever the wire format, the caller gets one unit vector per
// input, in input order, or an EmbeddingError.

export function decodeEmbeddingResponse(response: unknown, expectedCount: number, dimension: number): number[][] {
  const data = (response as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new EmbeddingError('bad_response', 'The embedding provider answered without a data list');
  if (data.length !== expectedCount) {
    throw new EmbeddingError('bad_response', `The embedding provider returned ${data.length} vectors for ${expectedCount} inputs`);
  }

  const vectors = new Array<number[] | undefined>(expectedCount);
  data.forEach((item: unknown, position) => {
    const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
    const slot = index === undefined ? position : index;
    if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0 || slot >= expectedCount || vectors[slot] !== undefined) {
      throw new EmbeddingError('bad_response', `The embedding provider returned an invalid or repeated index: ${String(index)}`);
    }
    vectors[slot] = toUnitVector(embedding, dimension);
  });
  return vectors as number[][];
}

function toUnitVector(embedding: unknown, dimension: number): number[] {
  const vector = typeof embedding === 'string' ? decodeFloat32Base64(embedding) : embedding;
  if (!Array.isArray(vector)) throw new EmbeddingError('bad_response', 'The embedding provider returned an embedding that is neither a list nor base64');
  if (vector.length !== dimension) {
    throw new EmbeddingError('dimension_mismatch', `The embedding provider returned vectors of ${vector.length} dimensions; ${dimension} are configured`);
  }
  const values = vector.map((value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new EmbeddingError('bad_response', 'The embedding provider returned a non-numeric value');
    return value;
  });
  // Most providers already normalise, not all do; cosine ranking needs it.
  if (!normaliseInPlace(values)) throw new EmbeddingError('bad_response', 'The embedding provider returned an all-zero vector');
  return values;
}

/** OpenAI's base64 format: little-endian float32, back to back. */
export function decodeFloat32Base64(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length % 4 !== 0) throw new EmbeddingError('bad_response', 'The embedding provider returned base64 that is not a float32 array');
  const values = new Array<number>(bytes.length / 4);
  // readFloatLE, not a Float32Array view: pooled Buffers need not be 4-byte aligned.
  for (let i = 0; i < values.length; i++) values[i] = bytes.readFloatLE(i * 4);
  return values;
}
