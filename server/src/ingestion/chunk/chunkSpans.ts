import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import type { TextSpan } from '../extract/index.js';
import { countTokens } from './tokenCounter.js';

export interface ChunkingOptions {
  /** Tokens per chunk (cl100k). */
  chunkSize: number;
  /** Tokens shared by consecutive chunks of the same span. */
  chunkOverlap: number;
}

export interface TextChunk {
  ordinal: number;
  text: string;
  tokenCount: number;
  page?: number;
  section?: string;
}

export const defaultChunking: ChunkingOptions = { chunkSize: 512, chunkOverlap: 50 };

/**
 * Token-aware recursive splitting (paragraphs, then lines, sentences, words).
 * Each span is split on its own, so every chunk keeps exactly one page or
 * section for its citation; consecutive small spans with the same place are
 * joined first so a page of short lines does not become many tiny chunks.
 */
export async function chunkSpans(spans: TextSpan[], options: ChunkingOptions = defaultChunking): Promise<TextChunk[]> {
  const chunkOverlap = Math.min(options.chunkOverlap, Math.floor(options.chunkSize / 2));
  const splitter = new RecursiveCharacterTextSplitter({
    chunkSize: options.chunkSize,
    chunkOverlap,
    lengthFunction: countTokens,
    separators: ['\n\n', '\n', '. ', '? ', '! ', '; ', ', ', ' ', ''],
    keepSeparator: true,
  });
  const chunks: TextChunk[] = [];
  for (const span of mergeSmallSpans(spans, options.chunkSize)) {
    for (const piece of await splitter.splitText(span.text)) {
      const text = piece.trim();
      if (!text) continue;
      chunks.push({ ordinal: chunks.length, text, tokenCount: countTokens(text), page: span.page, section: span.section });
    }
  }
  return chunks;
}

function mergeSmallSpans(spans: TextSpan[], chunkSize: number): TextSpan[] {
  const merged: TextSpan[] = [];
  let tokens = 0;
  for (const span of spans) {
    const last = merged[merged.length - 1];
    const spanTokens = countTokens(span.text);
    if (last && last.page === span.page && last.section === span.section && tokens + spanTokens <= chunkSize) {
      last.text = `${last.text}\n\n${span.text}`;
      tokens += spanTokens;
    } else {
      merged.push({ ...span });
      tokens = spanTokens;
    }
  }
  return merged;
}
