import type { Passage } from './retrievePassages.js';

export interface Reranker {
  rerank(query: string, passages: Passage[]): Promise<Passage[]>;
}

export interface RerankerConfig {
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
}

/**
 * Calls a rerank endpoint in the shape shared by Cohere, Jina, vLLM and
 * LiteLLM: POST { model, query, documents } → { results: [{ index, relevance_score }] }.
 * A failing reranker must not fail retrieval: the fused order is kept.
 */
export class HttpReranker implements Reranker {
  constructor(
    private readonly config: RerankerConfig,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async rerank(query: string, passages: Passage[]): Promise<Passage[]> {
    try {
      const res = await fetch(this.config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}) },
        body: JSON.stringify({ model: this.config.model, query, documents: passages.map((p) => p.text) }),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw new Error(`rerank endpoint answered ${res.status}`);
      const body = (await res.json()) as { results?: { index: number; relevance_score: number }[] };
      const order = (body.results ?? []).filter((r) => Number.isInteger(r.index) && passages[r.index]);
      if (order.length === 0) throw new Error('rerank endpoint returned no results');
      const ranked = order.sort((a, b) => b.relevance_score - a.relevance_score).map((r) => passages[r.index]!);
      const seen = new Set(ranked);
      return [...ranked, ...passages.filter((p) => !seen.has(p))];
    } catch (error) {
      this.onError(error);
      return passages;
    }
  }
}
