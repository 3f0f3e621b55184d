import type { RecalledMemory } from '../memory/recallMemories.js';
import type { Passage } from '../retrieval/retrievePassages.js';

/** A passage an answer drew on, as stored with the message and shown under it. */
// Types, not interfaces, so they are assignable to Prisma's JSON input.
export type StoredFileSource = {
  /** Absent on answers stored before memory sources existed. */
  kind?: 'file';
  /** The number the answer cites it by: [1], [2] ... */
  index: number;
  chunkId: string;
  fileId: string;
  /** Set when the passage is from an attachment of the conversation (fileId is then the attachment's id too). */
  attachmentId?: string;
  fileName: string;
  page: number | null;
  section: string | null;
  /** The passage text (capped), for the preview under the answer. */
  text: string;
  /** Similarity to the question, 0..1. */
  score: number;
};

/** One of the user's own memories the answer's prompt held (numbered after the passages, never cited). */
export type StoredMemorySource = {
  kind: 'memory';
  index: number;
  memoryId: string;
  text: string;
  score: number;
};

export type StoredSource = StoredFileSource | StoredMemorySource;

const PREVIEW_CHARS = 1200;
const round = (score: number) => Math.round(score * 1000) / 1000;

export function storedSources(passages: Passage[], memories: RecalledMemory[] = []): StoredSource[] {
  const files = passages.map(
    (p, i): StoredFileSource => ({
      kind: 'file',
      index: i + 1,
      chunkId: p.chunkId,
      fileId: p.fileId,
      ...(p.attachmentId ? { attachmentId: p.attachmentId } : {}),
      fileName: p.fileName,
      page: p.page,
      section: p.section,
      text: p.text.length > PREVIEW_CHARS ? `${p.text.slice(0, PREVIEW_CHARS)}…` : p.text,
      score: round(p.score),
    }),
  );
  const notes = memories.map((m, i): StoredMemorySource => ({ kind: 'memory', index: passages.length + i + 1, memoryId: m.memoryId, text: m.text, score: round(m.score) }));
  return [...files, ...notes];
}

/**
 * The knowledge passages among an answer's stored sources. Memory sources are
 * the user's own notes, and attachment passages come from the user's own
 * files (docs/attachments.md): everything shown to anyone but that user
 * (reports, shared views, other integrations) reads sources through this.
 */
export function fileSources(stored: unknown): StoredFileSource[] {
  return ((stored as StoredSource[] | null) ?? []).filter((s): s is StoredFileSource => s.kind !== 'memory' && !('attachmentId' in s && s.attachmentId));
}
