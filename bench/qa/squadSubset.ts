import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

// Loads the SQuAD v1.1 dev subset kept in tests/fixtures/qa (see its README for
// source, licence and how it was cut). Independent of the server so the
// retrieval-quality test and benchmarks can share it.

export interface SquadQuestion {
  id: string;
  question: string;
  /** Distinct answer spans given by the annotators; each occurs verbatim in the paragraph text. */
  answers: string[];
}

export interface SquadParagraph {
  /** `<article title>#<paragraph index>`, stable across loads. */
  id: string;
  text: string;
  questions: SquadQuestion[];
}

export interface SquadArticle {
  title: string;
  paragraphs: SquadParagraph[];
}

export interface SquadSubset {
  source: { dataset: string; repo: string; path: string; commit: string; upstream: string; licence: string; attribution: string };
  articles: SquadArticle[];
}

/** A question with the paragraph that holds its answer, flattened for evaluation loops. */
export interface SquadCase {
  question: SquadQuestion;
  article: string;
  paragraphId: string;
}

export const squadSubsetPath = fileURLToPath(new URL('../../tests/fixtures/qa/squad-dev-subset.json', import.meta.url));

export async function loadSquadSubset(path = squadSubsetPath): Promise<SquadSubset> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  assertSquadSubset(parsed);
  return parsed;
}

export function squadCases(subset: SquadSubset): SquadCase[] {
  return subset.articles.flatMap((article) =>
    article.paragraphs.flatMap((paragraph) => paragraph.questions.map((question) => ({ question, article: article.title, paragraphId: paragraph.id }))),
  );
}

// A hand-edited fixture that lost a field should fail here, loudly, rather
// than skew a hit rate.
function assertSquadSubset(value: unknown): asserts value is SquadSubset {
  const subset = value as SquadSubset;
  if (!subset || typeof subset !== 'object' || !Array.isArray(subset.articles) || typeof subset.source?.licence !== 'string') {
    throw new Error('not a SQuAD subset: expected { source, articles[] }');
  }
  for (const article of subset.articles) {
    for (const paragraph of article.paragraphs ?? []) {
      if (typeof paragraph.id !== 'string' || typeof paragraph.text !== 'string' || !Array.isArray(paragraph.questions)) {
        throw new Error(`malformed paragraph in article ${article.title}`);
      }
      for (const question of paragraph.questions) {
        if (typeof question.id !== 'string' || typeof question.question !== 'string' || !Array.isArray(question.answers) || question.answers.length === 0) {
          throw new Error(`malformed question in paragraph ${paragraph.id}`);
        }
      }
    }
  }
}
