import type { KnowledgeReader } from '../policies/knowledgeBases.js';
import { assistantPassages } from '../retrieval/assistantPassages.js';
import type { retrievalParameters } from '../retrieval/retrievalParameters.js';
import type { Services } from '../services.js';
import { ToolFailure, type AssistantTool, type BuiltinToolName } from './tool.js';

// The tools every Atrium has, switched on per assistant: searching its own
// knowledge again with the model's own query, and the time.

const MAX_SEARCH_RESULTS = 10;

type AssistantLike = Parameters<typeof retrievalParameters>[0] & { id: string };

/** A built-in tool for one answer: `reader` is the asking user, whose right to read each knowledge base the search keeps. */
export function builtinTool(s: Pick<Services, 'settings' | 'retriever'>, name: BuiltinToolName, assistant: AssistantLike, reader: KnowledgeReader): AssistantTool {
  return name === 'search_knowledge' ? searchKnowledgeTool(s, assistant, reader) : currentTimeTool();
}

function searchKnowledgeTool(s: Pick<Services, 'settings' | 'retriever'>, assistant: AssistantLike, reader: KnowledgeReader): AssistantTool {
  return {
    origin: { kind: 'builtin' },
    definition: {
      name: 'search_knowledge',
      description:
        "Searches this assistant's knowledge files with a query of your own (for a follow-up detail, a synonym, another language). Returns the best passages with their file and page.",
      parameters: {
        type: 'object',
        properties: {
          query: { type: 'string', description: 'What to look for, in a few words or a question' },
          top_k: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_RESULTS, description: 'How many passages (default 5)' },
        },
        required: ['query'],
        additionalProperties: false,
      },
    },
    async run(args) {
      const query = typeof args.query === 'string' ? args.query.trim() : '';
      if (!query) throw new ToolFailure('query must be a non-empty string');
      const topK = typeof args.top_k === 'number' && Number.isInteger(args.top_k) ? Math.min(Math.max(args.top_k, 1), MAX_SEARCH_RESULTS) : undefined;
      const passages = await assistantPassages(s, assistant, reader, query, topK);
      if (passages.length === 0) return 'No passage in the knowledge files matches this query.';
      return passages
        .map((p, i) => `[${i + 1}] ${p.fileName}${p.page ? `, page ${p.page}` : ''}${p.section ? ` (${p.section})` : ''}\n${p.text}`)
        .join('\n\n');
    },
  };
}

function currentTimeTool(): AssistantTool {
  return {
    origin: { kind: 'builtin' },
    definition: {
      name: 'current_time',
      description: 'The current date and time, in UTC and optionally in a time zone.',
      parameters: {
        type: 'object',
        properties: { time_zone: { type: 'string', description: 'An IANA time zone such as Europe/Berlin' } },
        additionalProperties: false,
      },
    },
    async run(args) {
      const now = new Date();
      const zone = typeof args.time_zone === 'string' && args.time_zone.trim() ? args.time_zone.trim() : 'UTC';
      let local: string;
      try {
        local = new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'full', timeStyle: 'long' }).format(now);
      } catch {
        throw new ToolFailure(`Unknown time zone "${zone}"; use an IANA name such as Europe/Berlin.`);
      }
      return `${now.toISOString()} (${local}, ${zone})`;
    },
  };
}
