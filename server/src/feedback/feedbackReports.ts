import type { PrismaClient } from '../db/database.js';
import type { Prisma } from '../db/generated/client.js';
import { fileSources } from '../chat/sources.js';
import { daysOf, type UsageRange } from '../governance/usage/usageRange.js';
import type { Embedder } from '../ingestion/embed/embedder.js';
import { cosineSimilarity } from '../ingestion/embed/vectorMath.js';

// Reports for the people who maintain an assistant: answers staff marked as
// bad, and the questions the knowledge did not cover ("knowledge gaps"). The
// scope (which assistants) comes from policies/manageableAssistants.

export interface FeedbackFilter {
  range: UsageRange;
  /** The assistants the reader may manage. */
  assistants: Prisma.AssistantWhereInput;
  assistantId?: string;
  /** Only answers of assistants that search this knowledge base. */
  knowledgeBaseId?: string;
}

export interface NegativeAnswer {
  id: string;
  messageId: string;
  assistant: { id: string; name: string };
  question: string;
  answer: string;
  sources: { fileName: string; page: number | null; section: string | null; score: number }[];
  reasons: string[];
  comment: string | null;
  createdAt: string;
}

export interface GapQuestion {
  messageId: string;
  assistant: { id: string; name: string };
  question: string;
  passageCount: number;
  topScore: number | null;
  askedAt: string;
}

export interface GapGroup {
  /** The first question asked of the group, standing for the others. */
  question: string;
  count: number;
  lastAskedAt: string;
  questions: GapQuestion[];
}

export interface GapOptions {
  /** A best passage below this similarity counts as weak. */
  weakBelow: number;
  /** Questions at least this similar to a group's first question join it. */
  similarity: number;
}

// The gap report embeds at most this many questions (the most recent), so one report stays cheap.
const MAX_GAP_QUESTIONS = 500;

/**
 * Defaults that suit each embedder: the local hashing embedder scores related
 * text much lower than OpenAI-style models (see services.ts defaultMinScore).
 * Paraphrases of one question score 0.46–0.86 against each other with the
 * local embedder and unrelated questions below 0.15 (measured in
 * tests/http/feedback.test.ts), so 0.4 groups the first and not the second.
 */
export function defaultGapOptions(embedderName: string, minScore: number): GapOptions {
  return { weakBelow: minScore + 0.05, similarity: embedderName.startsWith('local-') ? 0.4 : 0.8 };
}

const inRange = (f: FeedbackFilter) => ({ gte: f.range.start, lt: f.range.end });

/** Answers of the assistants in scope. */
const answersInScope = (f: FeedbackFilter): Prisma.MessageWhereInput => ({
  role: 'assistant',
  conversation: {
    ...(f.assistantId ? { assistantId: f.assistantId } : {}),
    assistant: f.knowledgeBaseId ? { AND: [f.assistants, { knowledgeBases: { some: { knowledgeBaseId: f.knowledgeBaseId } } }] } : f.assistants,
  },
});

/** Answers of the range whose retrieval found nothing, or only passages below `weakBelow`. */
const gapAnswers = (f: FeedbackFilter, weakBelow: number): Prisma.MessageWhereInput => ({
  ...answersInScope(f),
  createdAt: inRange(f),
  status: { not: 'streaming' },
  OR: [{ retrievalPassages: 0 }, { retrievalTopScore: { lt: weakBelow } }],
});

const withQuestion = {
  parent: { select: { content: true } },
  conversation: { select: { assistant: { select: { id: true, name: true } } } },
} as const;

export class FeedbackReports {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly embedder: Embedder,
  ) {}

  /** Thumbs-down feedback given in the range (on answers in scope), newest first. */
  async negativeAnswers(f: FeedbackFilter, page: { skip: number; take: number }): Promise<{ rows: NegativeAnswer[]; total: number }> {
    const where: Prisma.MessageFeedbackWhereInput = { rating: 'down', createdAt: inRange(f), message: answersInScope(f) };
    const [rows, total] = await Promise.all([
      this.prisma.messageFeedback.findMany({ where, include: { message: { include: withQuestion } }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], ...page }),
      this.prisma.messageFeedback.count({ where }),
    ]);
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        messageId: r.messageId,
        assistant: r.message.conversation.assistant,
        question: r.message.parent?.content ?? '',
        answer: r.message.content,
        // The user's memories never reach a report: knowledge passages only.
        sources: fileSources(r.message.sources).map((s) => ({ fileName: s.fileName, page: s.page, section: s.section, score: s.score })),
        reasons: r.reasons,
        comment: r.comment,
        createdAt: r.createdAt.toISOString(),
      })),
    };
  }

  /** Answers in the range whose retrieval found nothing, or only passages below `weakBelow`, oldest first. */
  async gapQuestions(f: FeedbackFilter, weakBelow: number, limit = MAX_GAP_QUESTIONS): Promise<GapQuestion[]> {
    const rows = await this.prisma.message.findMany({
      where: gapAnswers(f, weakBelow),
      include: withQuestion,
      orderBy: { createdAt: 'desc' },
      take: limit,
    });
    return rows.reverse().map((m) => ({
      messageId: m.id,
      assistant: m.conversation.assistant,
      question: m.parent?.content ?? '',
      passageCount: m.retrievalPassages ?? 0,
      topScore: m.retrievalTopScore,
      askedAt: m.createdAt.toISOString(),
    }));
  }

  /** The gap questions grouped by similar wording: largest groups first. */
  async knowledgeGaps(f: FeedbackFilter, options: GapOptions): Promise<GapGroup[]> {
    const questions = await this.gapQuestions(f, options.weakBelow);
    const vectors = questions.length ? await this.embedder.embed(questions.map((q) => q.question), 'query') : [];
    return groupSimilar(questions, vectors, options.similarity);
  }

  /** Per day of the range: thumbs up, thumbs down, and knowledge-gap questions. */
  async trend(f: FeedbackFilter, weakBelow: number): Promise<{ dates: string[]; up: number[]; down: number[]; gaps: number[] }> {
    const [feedback, gaps] = await Promise.all([
      this.prisma.messageFeedback.findMany({ where: { createdAt: inRange(f), message: answersInScope(f) }, select: { rating: true, createdAt: true } }),
      this.prisma.message.findMany({ where: gapAnswers(f, weakBelow), select: { createdAt: true } }),
    ]);
    const dates = daysOf(f.range);
    const dayOf = dayFormatter(f.range.timeZone);
    const count = (times: Date[]) => {
      const perDay = new Map<string, number>();
      for (const t of times) perDay.set(dayOf(t), (perDay.get(dayOf(t)) ?? 0) + 1);
      return dates.map((d) => perDay.get(d) ?? 0);
    };
    return {
      dates,
      up: count(feedback.filter((r) => r.rating === 'up').map((r) => r.createdAt)),
      down: count(feedback.filter((r) => r.rating === 'down').map((r) => r.createdAt)),
      gaps: count(gaps.map((g) => g.createdAt)),
    };
  }
}

/**
 * Greedy grouping: each question joins the first group whose first question
 * it is at least `threshold` similar to, or starts a new group. Cheap (one
 * embedding per question, one comparison per group) and stable: the same
 * questions in the same order always give the same groups.
 */
export function groupSimilar(questions: GapQuestion[], vectors: number[][], threshold: number): GapGroup[] {
  const groups: { leader: number[]; questions: GapQuestion[] }[] = [];
  questions.forEach((q, i) => {
    const vector = vectors[i]!;
    const home = groups.find((g) => cosineSimilarity(g.leader, vector) >= threshold);
    if (home) home.questions.push(q);
    else groups.push({ leader: vector, questions: [q] });
  });
  return groups
    .map((g) => ({ question: g.questions[0]!.question, count: g.questions.length, lastAskedAt: g.questions[g.questions.length - 1]!.askedAt, questions: g.questions }))
    .sort((a, b) => b.count - a.count || b.lastAskedAt.localeCompare(a.lastAskedAt));
}

/** The calendar day of an instant in the report's time zone, `YYYY-MM-DD`. */
function dayFormatter(timeZone: string): (t: Date) => string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (t) => f.format(t);
}
