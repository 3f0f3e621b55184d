// Splits texts into request-sized batches: at most `maxTexts` inputs and, so a
// few long chunks cannot exceed the provider's request limits, at most
// `maxCharacters` in total. A single text longer than the limit travels alone.

export interface BatchLimits {
  maxTexts: number;
  maxCharacters: number;
}

/** Half-open index ranges [start, end) into the input, in order. */
export interface BatchRange {
  start: number;
  end: number;
}

export function planBatches(texts: readonly string[], limits: BatchLimits): BatchRange[] {
  const batches: BatchRange[] = [];
  let start = 0;
  let characters = 0;
  for (let i = 0; i < texts.length; i++) {
    const length = texts[i]!.length;
    const full = i - start >= limits.maxTexts || (i > start && characters + length > limits.maxCharacters);
    if (full) {
      batches.push({ start, end: i });
      start = i;
      characters = 0;
    }
    characters += length;
  }
  if (start < texts.length) batches.push({ start, end: texts.length });
  return batches;
}
