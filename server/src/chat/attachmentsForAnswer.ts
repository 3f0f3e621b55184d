import type { ConversationAttachment, Model, Prisma } from '../db/generated/client.js';
import type { Passage } from '../retrieval/retrievePassages.js';
import type { Services } from '../services.js';

// How a conversation's attachments reach an answer (docs/attachments.md):
//   - images go to a vision model as image parts; for a model without vision
//     their OCR text is used like a document's, and the answer says so;
//   - documents (and OCR'd images) whose text fits go into the prompt whole:
//     taken oldest first while their tokens add up to at most
//     WHOLE_DOCUMENT_SHARE of the model's context window left after the
//     answer's reservation;
//   - the others are searched together with the assistant's knowledge, their
//     passages' scores multiplied by ATTACHMENT_BOOST.
// Only ready attachments count; one still being read is left out of this answer.

/** Share of (context window − answer tokens) whole documents may take; the rest stays for instructions, knowledge, memory and history. */
export const WHOLE_DOCUMENT_SHARE = 0.5;
/** Score multiplier of attachment passages in a search with the assistant's knowledge. */
export const ATTACHMENT_BOOST = 1.5;

export interface AttachmentPlan {
  /** Passages of the documents that go in whole, in document and reading order (cited like knowledge passages). */
  wholePassages: Passage[];
  /** Attachments searched with the knowledge. */
  searchedIds: string[];
  /** Images the model is sent as image parts. */
  images: ConversationAttachment[];
  /** Images read by OCR because the model cannot see: the answer tells the user. */
  ocrImages: ConversationAttachment[];
}

export const noAttachments: AttachmentPlan = { wholePassages: [], searchedIds: [], images: [], ocrImages: [] };

/** A conversation's attachments an answer reads, oldest first; a question's first read (turnToAnswerIn) selects the same in SQL. */
export const READY_ATTACHMENTS = { where: { status: 'ready' }, orderBy: { createdAt: 'asc' } } satisfies Prisma.Conversation$attachmentsArgs;

export function readyAttachments(s: Pick<Services, 'prisma'>, conversationId: string): Promise<ConversationAttachment[]> {
  return s.prisma.conversationAttachment.findMany({ where: { conversationId, ...READY_ATTACHMENTS.where }, orderBy: READY_ATTACHMENTS.orderBy });
}

/**
 * The plan for one answer. `model` is null in search mode (no model: every
 * document is searched, images only through their OCR text).
 */
export async function planAttachments(
  s: Pick<Services, 'prisma'>,
  attachments: ConversationAttachment[],
  model: Pick<Model, 'contextWindow' | 'vision'> | null,
  answerTokens: number,
): Promise<AttachmentPlan> {
  if (attachments.length === 0) return noAttachments;
  const images = model?.vision ? attachments.filter((a) => a.kind === 'image') : [];
  const ocrImages = model && !model.vision ? attachments.filter((a) => a.kind === 'image') : [];
  const texts = attachments.filter((a) => a.chunkCount > 0 && !images.includes(a));
  const budget = model ? Math.floor(WHOLE_DOCUMENT_SHARE * Math.max(0, model.contextWindow - answerTokens)) : 0;
  const whole: ConversationAttachment[] = [];
  const searchedIds: string[] = [];
  let used = 0;
  for (const a of texts) {
    if (used + a.tokenCount <= budget) {
      whole.push(a);
      used += a.tokenCount;
    } else {
      searchedIds.push(a.id);
    }
  }
  return { wholePassages: await wholeDocumentPassages(s, whole), searchedIds, images, ocrImages };
}

/** Every chunk of each document in reading order, as passages: cited by file and page like retrieved ones. */
async function wholeDocumentPassages(s: Pick<Services, 'prisma'>, attachments: ConversationAttachment[]): Promise<Passage[]> {
  if (attachments.length === 0) return [];
  const chunks = await s.prisma.chunk.findMany({
    where: { attachmentId: { in: attachments.map((a) => a.id) } },
    select: { id: true, attachmentId: true, ordinal: true, page: true, section: true, text: true, tokenCount: true },
    orderBy: [{ attachmentId: 'asc' }, { ordinal: 'asc' }],
  });
  const order = new Map(attachments.map((a, i) => [a.id, i]));
  const names = new Map(attachments.map((a) => [a.id, a.originalName]));
  return chunks
    .sort((a, b) => order.get(a.attachmentId!)! - order.get(b.attachmentId!)! || a.ordinal - b.ordinal)
    .map((c) => ({
      chunkId: c.id.toString(),
      fileId: c.attachmentId!,
      attachmentId: c.attachmentId!,
      fileName: names.get(c.attachmentId!)!,
      page: c.page,
      section: c.section,
      text: c.text,
      tokens: c.tokenCount,
      score: 1,
      fusedScore: 1,
    }));
}

/** Said before the answer when images were read as text because the model cannot see them. */
export function ocrNotice(images: Pick<ConversationAttachment, 'originalName'>[]): string {
  const names = images.map((i) => i.originalName).join(', ');
  return `_This model cannot see images, so ${names} ${images.length === 1 ? 'was' : 'were'} read as text (OCR) instead._\n\n`;
}
