import { storedSteps } from '../../chat/flows/flowStep.js';
import { sourceLabel } from '../../chat/prompt/buildPrompt.js';
import type { StoredSource } from '../../chat/sources.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';
import { presentConversation } from '../../http/presenters/conversation.js';
import { presentMessage } from '../../http/presenters/message.js';
import { storedToolCalls } from '../../tools/toolCallRecord.js';
import { readConversationThread } from './conversationBranch.js';

export type ExportFormat = 'md' | 'json';

/** The branch shown, as a file: Markdown for people, JSON for programs. */
export async function exportConversation(s: Services, actor: Actor, id: string, format: ExportFormat): Promise<{ fileName: string; contentType: string; body: string }> {
  const { conversation, path } = await readConversationThread(s, actor, id);
  const assistant = await s.prisma.assistant.findUnique({ where: { id: conversation.assistantId }, select: { name: true } });
  // Names only: the attachments' bytes stay downloadable on their own (docs/attachments.md).
  const attachments = (await s.prisma.conversationAttachment.findMany({ where: { conversationId: id }, orderBy: { createdAt: 'asc' } })).map((a) => ({
    name: a.originalName,
    mimeType: a.mimeType,
    sizeBytes: Number(a.sizeBytes),
  }));
  const base = `${slug(conversation.title) || 'conversation'}-${conversation.createdAt.toISOString().slice(0, 10)}`;
  if (format === 'json') {
    const body = { ...presentConversation(conversation), assistant: assistant?.name ?? null, exportedAt: new Date().toISOString(), attachments, messages: path.map((m) => presentMessage(m)) };
    return { fileName: `${base}.json`, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body, null, 2) };
  }
  const lines = [`# ${conversation.title}`, '', `Assistant: ${assistant?.name ?? 'deleted'} · started ${conversation.createdAt.toISOString()}`, ''];
  if (attachments.length) lines.push('Attachments:', ...attachments.map((a) => `- ${a.name} (${a.mimeType}, ${a.sizeBytes} bytes)`), '');
  for (const m of path) {
    lines.push(`## ${m.role === 'user' ? 'You' : (assistant?.name ?? 'Assistant')}`, '', m.content || (m.error ? `_(${m.error})_` : '_(no answer)_'), '');
    const sources = (m.sources as StoredSource[] | null) ?? [];
    const calls = storedToolCalls(m.toolCalls);
    // A flow's steps before the last (the last one wrote the answer above).
    const earlier = storedSteps(m.steps).slice(0, -1);
    if (earlier.length) lines.push('Earlier steps:', ...earlier.map((st) => `- ${st.label} (${st.model ?? 'not run'}, ${st.status}): ${st.text.replace(/\s+/g, ' ').trim() || '—'}`), '');
    if (calls.length) lines.push('Tools used:', ...calls.map((c) => `- ${c.displayName ?? c.tool}${c.server ? ` (${c.server})` : ''} ${JSON.stringify(c.arguments)}: ${c.status === 'done' ? 'done' : c.status === 'denied' ? `not run, denied by the user (${c.error})` : `failed (${c.error})`}`), '');
    if (sources.length) lines.push('Sources:', ...sources.map((src) => `${src.index}. ${src.kind === 'memory' ? `Your memory: ${src.text}` : sourceLabel(src)}`), '');
  }
  return { fileName: `${base}.md`, contentType: 'text/markdown; charset=utf-8', body: lines.join('\n') };
}

const slug = (title: string) =>
  title
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .slice(0, 60)
    .toLowerCase();
