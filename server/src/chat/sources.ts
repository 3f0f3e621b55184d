import type { Passage } from '../retrieval/retrievePassages.js';

/** A passage an answer drew on, as stored with the message and shown under it. */
// A type, not an interface, so it is assignable to Prisma's JSON input.
export type StoredSource = {
  /** The number the answer cites it by: [1], [2] ... */
  index: number;
  chunkId: string;
  fileId: string;
  fileName: string;
  page: number | null;
  section: string | null;
  /** The passage text (capped), for the preview under the answer. */
  text: string;
  /** Similarity to the question, 0..1. */
  score: number;
};

const PREVIEW_CHARS = 1200;

export function storedSources(passages: Passage[]): StoredSource[] {
  return passages.map((p, i) => ({
    index: i + 1,
    chunkId: p.chunkId,
    fileId: p.fileId,
    fileName: p.fileName,
    page: p.page,
    section: p.section,
    text: p.text.length > PREVIEW_CHARS ? `${p.text.slice(0, PREVIEW_CHARS)}…` : p.text,
    score: Math.round(p.score * 1000) / 1000,
  }));
}
