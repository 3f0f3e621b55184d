// OCR output differs from the ground truth by a character here and there, so OCR
// assertions compare with a similarity score instead of exact text.

export function normaliseForComparison(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** 1 for identical texts, 0 for nothing in common (case and whitespace ignored). */
export function similarity(expected: string, actual: string): number {
  const a = normaliseForComparison(expected);
  const b = normaliseForComparison(actual);
  if (a.length === 0 && b.length === 0) return 1;
  return 1 - levenshtein(a, b) / Math.max(a.length, b.length);
}

/** Best similarity of `needle` to any same-length window of `haystack`. */
export function fuzzyContainment(haystack: string, needle: string): number {
  const text = normaliseForComparison(haystack);
  const target = normaliseForComparison(needle);
  if (text.length <= target.length) return similarity(target, text);
  let best = 0;
  for (let start = 0; start + target.length <= text.length; start++) {
    best = Math.max(best, similarity(target, text.slice(start, start + target.length)));
    if (best === 1) break;
  }
  return best;
}

/** Share of the distinct words of `expected` that also occur in `actual`. */
export function wordRecall(expected: string, actual: string): number {
  const words = (text: string) => new Set(normaliseForComparison(text).match(/[\p{L}\p{N}]+/gu) ?? []);
  const expectedWords = words(expected);
  const actualWords = words(actual);
  if (expectedWords.size === 0) return 1;
  let found = 0;
  for (const word of expectedWords) if (actualWords.has(word)) found++;
  return found / expectedWords.size;
}
