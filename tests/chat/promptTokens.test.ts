import fs from 'node:fs';
import { buildPrompt, type PromptInput } from '../../server/src/chat/prompt/buildPrompt.js';
import { createChatProvider } from '../../server/src/chat/llm/registry.js';
import { chunkSpans } from '../../server/src/ingestion/chunk/chunkSpans.js';
import { countTokens, countTokensRemembered } from '../../server/src/ingestion/chunk/tokenCounter.js';
import type { Passage } from '../../server/src/retrieval/retrievePassages.js';
import { fixturesDir } from '../support/knowledge.js';

// The prompt counts its passages by the chunks' stored token counts instead of
// tokenising their texts on every answer; the estimate must stay close to a
// full count, and the stored counts must be what decides what fits.

const expected = `${fixturesDir}expected/misc/textract__wikipedia_countries_tables.html.expected.txt`;

async function passagesOf(text: string): Promise<Passage[]> {
  const chunks = await chunkSpans([{ text, section: 'Countries' }]);
  return chunks.slice(0, 8).map((c, i) => ({
    chunkId: String(i + 1),
    fileId: 'file-1',
    fileName: 'countries.html',
    page: null,
    section: c.section ?? null,
    text: c.text,
    tokens: c.tokenCount,
    score: 1 - i / 10,
    fusedScore: 1 - i / 10,
  }));
}

describe.each(['openai_compatible', 'anthropic'] as const)('prompt token estimate (%s)', (kind) => {
  const provider = createChatProvider({ kind, baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'unused' });
  let passages: Passage[];
  const input = (overrides: Partial<PromptInput> = {}): PromptInput => ({
    instructions: 'Answer from the company’s files.',
    knowledgeOnly: false,
    passages,
    history: [
      { role: 'user', content: 'Which country has the largest area?' },
      { role: 'assistant', content: 'Russia, by a wide margin [1].' },
    ],
    question: 'And the smallest by population?',
    contextWindow: 128_000,
    answerTokens: 1_000,
    countTokens: (messages, counted) => provider.countTokens(messages, counted),
    ...overrides,
  });

  beforeAll(async () => {
    passages = await passagesOf(fs.readFileSync(expected, 'utf8'));
    expect(passages.length).toBeGreaterThanOrEqual(4);
  });

  it('stays within two tokens a passage of counting the whole prompt', () => {
    const prompt = buildPrompt(input());
    expect(prompt.passages).toHaveLength(passages.length);
    const full = provider.countTokens(prompt.messages);
    expect(Math.abs(prompt.promptTokens - full)).toBeLessThanOrEqual(2 * passages.length);
    expect(prompt.promptTokens).toBeGreaterThan(passages.reduce((sum, p) => sum + p.tokens!, 0));
  });

  it('counts a passage by its stored count, and tokenises one without', () => {
    const base = buildPrompt(input()).promptTokens;
    const inflated = passages.map((p, i) => (i === 0 ? { ...p, tokens: p.tokens! + 1_000 } : p));
    const withInflated = buildPrompt(input({ passages: inflated })).promptTokens;
    expect(withInflated - base).toBeGreaterThanOrEqual(kind === 'anthropic' ? 1_050 : 1_000);
    expect(withInflated - base).toBeLessThanOrEqual(kind === 'anthropic' ? 1_150 : 1_000);

    const uncounted = passages.map(({ tokens: _tokens, ...p }) => p);
    const counted = buildPrompt(input({ passages: uncounted }));
    expect(counted.promptTokens).toBe(counted.messages.reduce((sum, m) => sum + provider.countTokens([m]), 0));
  });

  it('drops the lowest passages by their stored counts when the window is small', () => {
    const all = buildPrompt(input()).promptTokens;
    const last = passages.at(-1)!.tokens!;
    // Room for everything but the last passage (and the history, kept after it).
    const prompt = buildPrompt(input({ contextWindow: all - last + 1_000 - 1, history: [] }));
    expect(prompt.passages.map((p) => p.chunkId)).toEqual(passages.slice(0, -1).map((p) => p.chunkId));
    expect(prompt.messages[0]!.content).toContain(`[${passages.length - 1}] countries.html`);
    expect(prompt.messages[0]!.content).not.toContain(`[${passages.length}] countries.html`);
  });
});

describe('remembered token counts', () => {
  it('gives the counts a full count gives, again and again, past the size it keeps', () => {
    const text = fs.readFileSync(expected, 'utf8');
    // 150 texts of 30,000 characters pass the 4 million remembered, so the oldest are forgotten along the way;
    // one of 50,000 is too long to be remembered at all.
    const texts = Array.from({ length: 150 }, (_, i) => `${i} ${text}`.repeat(Math.ceil(30_000 / text.length)).slice(0, 30_000 - (i % 7)));
    texts.push(text.repeat(Math.ceil(50_000 / text.length)).slice(0, 50_000));
    texts.push('Which country has the largest area?', 'Russia, by a wide margin [1].', '');
    for (let round = 0; round < 2; round++) {
      for (const t of [...texts, ...texts.slice(0, 5)]) expect(countTokensRemembered(t)).toBe(countTokens(t));
    }
  });
});
