import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { FeedbackFilter, FeedbackReports, GapOptions } from './feedbackReports.js';

const BATCH = 500;

/**
 * The negative answers or the grouped knowledge gaps of a report as CSV. Staff
 * wrote the questions and comments, so cells a spreadsheet would run as a
 * formula (= + - @ tab CR) are escaped with a leading quote, as in the usage export.
 */
export async function exportFeedbackCsv(reports: FeedbackReports, f: FeedbackFilter, kind: 'negative' | 'gaps', gapOptions: GapOptions, out: Writable): Promise<void> {
  const columns =
    kind === 'negative'
      ? ['time', 'assistant', 'question', 'answer', 'sources', 'reasons', 'comment']
      : ['group', 'groupSize', 'groupQuestion', 'question', 'assistant', 'askedAt', 'passages', 'topScore'];
  const csv = stringify({ header: true, columns, escape_formulas: true });
  const delivered = pipeline(csv, out);
  delivered.catch(() => undefined);
  if (kind === 'negative') {
    for (let skip = 0; !out.destroyed; skip += BATCH) {
      const { rows } = await reports.negativeAnswers(f, { skip, take: BATCH });
      for (const r of rows) {
        csv.write({
          time: r.createdAt,
          assistant: r.assistant.name,
          question: r.question,
          answer: r.answer,
          sources: r.sources.map((s) => (s.page === null ? s.fileName : `${s.fileName} p.${s.page}`)).join('; '),
          reasons: r.reasons.join('; '),
          comment: r.comment ?? '',
        });
      }
      if (rows.length < BATCH) break;
    }
  } else {
    const groups = await reports.knowledgeGaps(f, gapOptions);
    groups.forEach((g, i) => {
      for (const q of g.questions) {
        csv.write({ group: i + 1, groupSize: g.count, groupQuestion: g.question, question: q.question, assistant: q.assistant.name, askedAt: q.askedAt, passages: q.passageCount, topScore: q.topScore ?? '' });
      }
    });
  }
  csv.end();
  await delivered.catch((error: unknown) => {
    if (!out.destroyed) throw error;
  });
}
