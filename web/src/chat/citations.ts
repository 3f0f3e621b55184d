// Answers cite their sources as [1], [2]. Outside code, a citation that names
// one of the answer's sources becomes a link to it (#source-N), which the
// Markdown view renders as a button that opens that source.

const FENCE = /^(```|~~~)/;

export const citationHref = (index: number) => `#source-${index}`;

export function parseCitationHref(href: string | undefined): number | null {
  const match = /^#(?:user-content-)?source-(\d+)$/.exec(href ?? '');
  return match ? Number(match[1]) : null;
}

export function linkCitations(markdown: string, indexes: ReadonlySet<number>): string {
  if (indexes.size === 0) return markdown;
  let inFence = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (FENCE.test(line.trimStart())) {
        inFence = !inFence;
        return line;
      }
      if (inFence) return line;
      // Inline code spans (odd-numbered parts between backticks) stay as written.
      return line
        .split('`')
        .map((part, i) =>
          i % 2 === 1
            ? part
            : part.replace(/(?<![!\\])\[(\d{1,3})\](?![(:])/g, (whole, n: string) => (indexes.has(Number(n)) ? `[${n}](${citationHref(Number(n))})` : whole)),
        )
        .join('`');
    })
    .join('\n');
}
