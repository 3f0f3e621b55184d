import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { searchKnowledge } from '../../commands/knowledge/searchKnowledge.js';
import { auditActor } from '../../commands/context.js';
import { AppError } from '../../errors/appError.js';
import type { RequestMeta } from '../../governance/auditLog.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';
import { askFromApi, finalAnswer, listUsableAssistants, presentSources } from '../apiConversations.js';

// Atrium as an MCP server: the person's assistants and knowledge as tools for
// their MCP client. One server per request (stateless Streamable HTTP), made
// for the actor the request's token belongs to, so every tool runs as them:
// the same policy checks, quotas and usage as the REST routes behind it, and
// each call audited with the token that made it.

export const MCP_SERVER_NAME = 'atrium';

export function createMcpServer(s: Services, actor: Actor, meta: RequestMeta): McpServer {
  const server = new McpServer({ name: MCP_SERVER_NAME, version: '1.0.0' });

  /** Runs a tool as the actor, audits it, and turns a refusal into a tool error the model can read. */
  async function run(tool: string, assistantId: string | null, detail: object, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
    let outcome = 'ok';
    try {
      return await body();
    } catch (error) {
      outcome = error instanceof AppError ? error.code : 'internal';
      if (!(error instanceof AppError)) throw error;
      return { isError: true, content: [{ type: 'text', text: error.message }] };
    } finally {
      await s.audit.record({
        actor: auditActor(actor),
        action: `mcp.${tool}`,
        resource: assistantId ? { type: 'assistant', id: assistantId } : undefined,
        newValues: { ...detail, outcome },
        meta,
      });
    }
  }

  const structured = <T extends object>(value: T, text: string): CallToolResult => ({ content: [{ type: 'text', text }], structuredContent: value as Record<string, unknown> });

  server.registerTool(
    'list_assistants',
    { title: 'List assistants', description: 'The assistants you may use: their ids (for the other tools), names and descriptions.', inputSchema: {} },
    () =>
      run('list_assistants', null, {}, async () => {
        const assistants = (await listUsableAssistants(s, actor)).map((a) => ({ id: a.id, name: a.name, description: a.description }));
        return structured({ assistants }, JSON.stringify(assistants, null, 2));
      }),
  );

  server.registerTool(
    'search_knowledge',
    {
      title: 'Search knowledge',
      description: "Finds the passages of an assistant's knowledge files that match a query, best first, with file, page and score.",
      inputSchema: {
        assistant: z.string().describe('The assistant id, from list_assistants'),
        query: z.string().min(1).max(2000),
        top_k: z.number().int().min(1).max(50).optional(),
      },
    },
    ({ assistant, query, top_k }) =>
      run('search_knowledge', assistant, { topK: top_k ?? null }, async () => {
        const passages = (await searchKnowledge(s, actor, { assistantId: uuidOrNotFound(assistant), query, topK: top_k })).map((p) => ({
          file: p.fileName,
          page: p.page,
          section: p.section,
          score: p.score,
          passage: p.text,
        }));
        const text = passages.length
          ? passages.map((p, i) => `[${i + 1}] ${p.file}${p.page ? `, page ${p.page}` : ''} (score ${p.score})\n${p.passage}`).join('\n\n')
          : 'No passage matches this query.';
        return structured({ passages }, text);
      }),
  );

  server.registerTool(
    'ask_assistant',
    {
      title: 'Ask an assistant',
      description: 'Asks an assistant a question; it answers from its knowledge files, with the sources it used. Counts against your quotas.',
      inputSchema: { assistant: z.string().describe('The assistant id, from list_assistants'), question: z.string().min(1).max(32_000) },
    },
    ({ assistant, question }, extra) =>
      run('ask_assistant', assistant, {}, async () => {
        const { generation } = await askFromApi(s, actor, { assistantId: assistant, turns: [{ role: 'user', content: question }], source: 'mcp' });
        // A client that cancels the call stops the answer; what was produced is kept and charged.
        extra.signal.addEventListener('abort', () => generation.controller.abort(), { once: true });
        const message = await finalAnswer(generation);
        const sources = presentSources(message);
        const cited = sources.map((src) => `[${src.index}] ${src.file}${src.page ? `, page ${src.page}` : ''}`).join('\n');
        return structured({ answer: message.content, sources, conversationId: message.conversationId }, cited ? `${message.content}\n\nSources:\n${cited}` : message.content);
      }),
  );

  return server;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function uuidOrNotFound(id: string): string {
  if (!UUID.test(id)) throw AppError.notFound('Assistant');
  return id;
}
