import type { Services } from '../../services.js';

// Atrium's configured embedder behind OpenAI's /embeddings. The OpenAI SDK
// asks for base64 unless told otherwise: little-endian float32, as OpenAI sends.

export async function embedForApi(s: Pick<Services, 'embedder'>, body: { input: string | string[]; encoding_format?: 'float' | 'base64' }) {
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  const vectors = await s.embedder.embed(inputs, 'document');
  // The embedder does not report tokens; about four characters make one.
  const promptTokens = inputs.reduce((total, text) => total + Math.ceil(text.length / 4), 0);
  return {
    object: 'list' as const,
    data: vectors.map((vector, index) => ({ object: 'embedding' as const, index, embedding: body.encoding_format === 'base64' ? float32Base64(vector) : vector })),
    model: s.embedder.name,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}
