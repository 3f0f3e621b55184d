// The explicit cue: a message that starts with "remember that …",
// "remember: …" / "remember this: …", or "remember I / my / we / our …"
// (any case, optionally after "please"). "Remember to …" and "remember when …"
// are reminders and questions, not notes about the user, so they do not count,
// and neither does "remember" later in a message.

const CUE = /^\s*(?:please[,\s]+)?remember(?:\s+that\b|\s+this\s*:|\s*:|(?=\s+(?:i|i'm|i’m|my|we|we're|we’re|our|me)\b))\s*([\s\S]*)$/i;

/** The longest note kept; longer text is cut at a word boundary. */
export const MEMORY_MAX_CHARS = 1000;

/** The note a message asks Atrium to keep (the text after the cue, trimmed), or null. */
export function explicitMemory(message: string): string | null {
  const match = CUE.exec(message);
  const note = match?.[1]?.trim();
  if (!note) return null;
  return clipNote(note);
}

export function clipNote(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length <= MEMORY_MAX_CHARS) return trimmed;
  const cut = trimmed.slice(0, MEMORY_MAX_CHARS);
  const space = cut.lastIndexOf(' ');
  return (space > MEMORY_MAX_CHARS * 0.8 ? cut.slice(0, space) : cut).trimEnd();
}
