import type { MemoryRecord } from './memoryStore.js';

/** A user's memories as a download: JSON for programs, Markdown for people. */
export function exportMemories(memories: MemoryRecord[], format: 'json' | 'md', now = new Date()): { fileName: string; contentType: string; body: string } {
  const day = now.toISOString().slice(0, 10);
  const kept = memories.filter((m) => m.status === 'kept');
  const proposed = memories.filter((m) => m.status === 'proposed');
  if (format === 'json') {
    const item = (m: MemoryRecord) => ({ id: m.id, text: m.text, status: m.status, origin: m.origin, createdAt: m.createdAt.toISOString(), updatedAt: m.updatedAt.toISOString() });
    return { fileName: `memory-${day}.json`, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ exportedAt: now.toISOString(), memories: memories.map(item) }, null, 2) };
  }
  const lines = ['# My memory', '', `Exported ${now.toISOString()}`, ''];
  lines.push('## Kept', '', ...(kept.length ? kept.map((m) => `- ${m.text.replace(/\s*\n\s*/g, ' ')}`) : ['_(none)_']), '');
  if (proposed.length) lines.push('## Proposed, not yet kept', '', ...proposed.map((m) => `- ${m.text.replace(/\s*\n\s*/g, ' ')}`), '');
  return { fileName: `memory-${day}.md`, contentType: 'text/markdown; charset=utf-8', body: lines.join('\n') };
}
