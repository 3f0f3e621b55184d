import { loadSquadSubset, squadCases } from '../../bench/qa/squadSubset.js';
import { cosineSimilarity, createEmbedder, EmbeddingError, LocalHashEmbedder, localHashEmbedderName } from '../../server/src/ingestion/embed/index.js';
import { porterStem } from '../../server/src/ingestion/embed/local/porterStemmer.js';
import { tokenize } from '../../server/src/ingestion/embed/local/textTokens.js';
import { vectorNorm } from '../../server/src/ingestion/embed/vectorMath.js';

const oxygen = 'Oxygen is a chemical element with symbol O and atomic number 8. Plants release oxygen during photosynthesis.';
const warsaw = 'Warsaw is the capital and largest city of Poland. It stands on the Vistula River in east-central Poland.';

async function embedOne(embedder: LocalHashEmbedder, text: string): Promise<number[]> {
  const [vector] = await embedder.embed([text], 'document');
  return vector!;
}

describe('local hash embedder', () => {
  const embedder = new LocalHashEmbedder();

  it('is named for its algorithm and defaults to 384 dimensions', async () => {
    expect(embedder.name).toBe(localHashEmbedderName);
    expect(embedder.name).toBe('local-hash-v1');
    expect(embedder.dimension).toBe(384);
    expect(await embedOne(embedder, oxygen)).toHaveLength(384);
  });

  it('honours a configured dimension and refuses one the database has no index for', async () => {
    const wide = createEmbedder({ kind: 'local', dimension: 768 });
    expect(wide.dimension).toBe(768);
    const [vector] = await wide.embed([oxygen], 'document');
    expect(vector).toHaveLength(768);
    expect(() => createEmbedder({ kind: 'local', dimension: 300 })).toThrow(expect.objectContaining({ name: 'EmbeddingError', code: 'invalid_config' }));
  });

  it('is deterministic: same text, same vector, across calls and instances', async () => {
    const first = await embedOne(embedder, oxygen);
    const again = await embedOne(embedder, oxygen);
    const otherInstance = await embedOne(new LocalHashEmbedder(), oxygen);
    expect(again).toEqual(first);
    expect(otherInstance).toEqual(first);
  });

  it('returns unit vectors, also for empty and punctuation-only text', async () => {
    const vectors = await embedder.embed([oxygen, '', '  ...!?  ', 'a'], 'document');
    for (const vector of vectors) {
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(vectorNorm(vector)).toBeCloseTo(1, 10);
    }
  });

  it('embeds queries and documents the same way', async () => {
    const [asQuery] = await embedder.embed([warsaw], 'query');
    const [asDocument] = await embedder.embed([warsaw], 'document');
    expect(asQuery).toEqual(asDocument);
  });

  it('keeps input order, and a batch equals the texts embedded one by one', async () => {
    const texts = [oxygen, warsaw, 'The Vistula flows through Warsaw.', ...Array.from({ length: 40 }, (_, i) => `filler passage number ${i}`)];
    const batch = await embedder.embed(texts, 'document');
    const single = await Promise.all(texts.map((text) => embedOne(embedder, text)));
    expect(batch).toEqual(single);
  });

  it('scores related texts above unrelated ones', async () => {
    const [question, aboutOxygen, aboutWarsaw] = await embedder.embed(['What gas do plants release during photosynthesis?', oxygen, warsaw], 'document');
    expect(cosineSimilarity(question!, aboutOxygen!)).toBeGreaterThan(cosineSimilarity(question!, aboutWarsaw!) + 0.1);

    const [river, riverPassage, gasPassage] = await embedder.embed(['Which river runs through the Polish capital?', warsaw, oxygen], 'document');
    expect(cosineSimilarity(river!, riverPassage!)).toBeGreaterThan(cosineSimilarity(river!, gasPassage!) + 0.1);
  });

  it('matches inflected forms, folded accents and near spellings', async () => {
    const [connected, connection, unrelated] = await embedder.embed(['the cables were connected', 'a connection between cables', 'tomatoes grow in summer'], 'document');
    expect(cosineSimilarity(connected!, connection!)).toBeGreaterThan(0.4);
    expect(cosineSimilarity(connected!, unrelated!)).toBeLessThan(0.2);

    const [accented, plain] = await embedder.embed(['Kraków and Łódź', 'Krakow and Lodz'], 'document');
    expect(accented).toEqual(plain);

    // A typo leaves most character n-grams intact.
    const [typo, correct, other] = await embedder.embed(['photosynthesis', 'photosyntesis', 'parliament'], 'document');
    expect(cosineSimilarity(typo!, correct!)).toBeGreaterThan(0.3);
    expect(cosineSimilarity(typo!, other!)).toBeLessThan(0.15);
  });

  it('finds the answer paragraph among all SQuAD subset paragraphs for most questions', async () => {
    const subset = await loadSquadSubset();
    const paragraphs = subset.articles.flatMap((article) => article.paragraphs);
    const cases = squadCases(subset);
    const paragraphVectors = await embedder.embed(paragraphs.map((paragraph) => paragraph.text), 'document');
    const questionVectors = await embedder.embed(cases.map((item) => item.question.question), 'query');

    let inTopFive = 0;
    cases.forEach((item, i) => {
      const scores = paragraphVectors.map((vector, j) => ({ id: paragraphs[j]!.id, score: cosineSimilarity(questionVectors[i]!, vector) }));
      scores.sort((a, b) => b.score - a.score);
      if (scores.slice(0, 5).some((scored) => scored.id === item.paragraphId)) inTopFive++;
    });
    // 88.5% when this was written (845 questions, 175 paragraphs); the floor catches regressions, not noise.
    expect(inTopFive / cases.length).toBeGreaterThan(0.84);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(embedder.embed([oxygen], 'document', controller.signal)).rejects.toThrow(EmbeddingError);
    await expect(embedder.embed([oxygen], 'document', controller.signal)).rejects.toMatchObject({ code: 'aborted' });
  });
});

describe('local embedder text handling', () => {
  it('stems like Porter (1980)', () => {
    const expected: Record<string, string> = {
      caresses: 'caress', ponies: 'poni', cats: 'cat', agreed: 'agre', plastered: 'plaster', motoring: 'motor',
      conflated: 'conflat', hopping: 'hop', falling: 'fall', filing: 'file', happy: 'happi', relational: 'relat',
      conditional: 'condit', digitizer: 'digit', operator: 'oper', hopefulness: 'hope', formalize: 'formal',
      electrical: 'electr', allowance: 'allow', adjustable: 'adjust', adoption: 'adopt', effective: 'effect',
      generalizations: 'gener', oscillators: 'oscil', controll: 'control', yelling: 'yell',
    };
    for (const [word, stem] of Object.entries(expected)) expect(`${word} -> ${porterStem(word)}`).toBe(`${word} -> ${stem}`);
  });

  it('tokenizes Unicode text: folds accents, keeps numbers whole, drops possessives', () => {
    expect(tokenize("Warsaw's 1,300,000 people and 6.04 mL — Zürich, Ærø, straße")).toEqual(['warsaw', '1,300,000', 'people', 'and', '6.04', 'ml', 'zurich', 'aero', 'strasse']);
    // Scripts without spaces become overlapping character pairs.
    expect(tokenize('東京都')).toEqual(['東京', '京都']);
    // Indic vowel signs are marks, but part of the word: they are kept.
    expect(tokenize('हिन्दी भाषा')).toEqual(['हिन्दी', 'भाषा']);
  });
});
