import { costOf } from '../../governance/quotas/index.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';

// Atrium's configured embedder behind OpenAI's /embeddings, under the caller's
// quotas like any model call: reserved before, settled (or released when the
// embedder fails) after, and recorded in usage with source `api`. The OpenAI
// SDK asks for base64 unless told otherwise: little-endian float32, as OpenAI sends.

export async function embedForApi(s: Services, actor: Actor, body: { input: string | string[]; encoding_format?: 'float' | 'base64' }) {
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  // The embedder does not report tokens; about four characters make one.
  const promptTokens = inputs.reduce((total, text) => total + Math.ceil(text.length / 4), 0);
  const priced = await embeddingModel(s);
  const cost = priced ? costOf(priced, promptTokens, 0) : 0;
  const reservation = await s.quotas.reserve({ userId: actor.id, groupIds: [...actor.groups.keys()], assistantId: null, token: actor.token }, { tokens: promptTokens, cost });
  const started = performance.now();
  const charge = (outcome: 'success' | 'error') =>
    s.usage.record({
      userId: actor.id,
      assistantId: null,
      conversationId: null,
      messageId: null,
      modelId: priced?.id ?? null,
      modelName: s.embedder.name,
      promptTokens: outcome === 'success' ? promptTokens : 0,
      completionTokens: 0,
      cost: outcome === 'success' ? cost : 0,
      latencyMs: Math.round(performance.now() - started),
      outcome,
      source: 'api',
      token: actor.token,
    });
  let vectors: number[][];
  try {
    vectors = await s.embedder.embed(inputs, 'document');
  } catch (error) {
    await reservation.release();
    await charge('error');
    throw error;
  }
  await reservation.settle({ tokens: promptTokens, cost });
  await charge('success');
  return {
    object: 'list' as const,
    data: vectors.map((vector, index) => ({ object: 'embedding' as const, index, embedding: body.encoding_format === 'base64' ? float32Base64(vector) : vector })),
    model: s.embedder.name,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

/**
 * The embedding model row that prices the configured embedder, when an admin
 * registered one under the same name; the local embedder costs nothing.
 */
async function embeddingModel(s: Pick<Services, 'prisma' | 'config'>) {
  if (s.config.embedder.kind !== 'openai') return null;
  return s.prisma.model.findFirst({ where: { kind: 'embedding', name: s.config.embedder.model }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}
