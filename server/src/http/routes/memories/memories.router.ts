import { z } from 'zod';
import { addMemory, deleteAllMemories, deleteMemory, keepMemory, listMemories, ownMemory, setMemoryEnabled, updateMemory } from '../../../commands/memories/manageMemories.js';
import { memoryState } from '../../../memory/memoryAccess.js';
import { exportMemories } from '../../../memory/memoryExport.js';
import { requestMeta, type Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams } from '../../schemas/common.js';
import {
  MemoryCreate,
  MemoryExportQuery,
  MemoryList,
  MemoryListQuery,
  MemorySettingsUpdate,
  MemorySettingsView,
  MemoryUpdate,
  MemoryView,
  presentMemory,
  presentMemorySettings,
} from './memories.schema.js';

// Memory: the caller's own notes, under /me (nobody else's memories are
// reachable through any route; an admin has no view of them either).
export function memoryRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/me/memory',
    summary: 'Whether memory is on for you: your switch, and whether your groups allow it',
    tags: ['memory'],
    responses: { 200: { description: 'Your memory settings', schema: MemorySettingsView } },
    handler: async ({ actor }) => ({ body: presentMemorySettings(await memoryState(s.db, actor.id)) }),
  });

  routes.add({
    method: 'put',
    path: '/me/memory',
    summary: 'Turn your memory on or off (turning it off keeps your memories; they are just not used)',
    tags: ['memory'],
    body: MemorySettingsUpdate,
    responses: { 200: { description: 'Your memory settings', schema: MemorySettingsView } },
    handler: async ({ actor, body, req }) => ({ body: presentMemorySettings(await setMemoryEnabled(s, { actor, meta: requestMeta(req) }, body.enabled)) }),
  });

  routes.add({
    method: 'get',
    path: '/me/memories',
    summary: 'Your memories, newest first: kept ones and proposals',
    tags: ['memory'],
    query: MemoryListQuery,
    responses: { 200: { description: 'Your memories', schema: MemoryList } },
    handler: async ({ actor, query }) => {
      const rows = await listMemories(s, { actor }, query.status);
      const proposed = query.status === 'kept' ? await s.prisma.memory.count({ where: { userId: actor.id, status: 'proposed' } }) : rows.filter((m) => m.status === 'proposed').length;
      return { body: { data: rows.map(presentMemory), proposed } };
    },
  });

  routes.add({
    method: 'post',
    path: '/me/memories',
    summary: 'Add a memory (memory must be on); the same note twice is one memory',
    tags: ['memory'],
    body: MemoryCreate,
    responses: { 201: { description: 'Kept', schema: MemoryView } },
    handler: async ({ actor, body, req }) => ({ status: 201, body: presentMemory(await addMemory(s, { actor, meta: requestMeta(req) }, body.text)) }),
  });

  routes.add({
    method: 'delete',
    path: '/me/memories',
    summary: 'Delete all your memories and proposals',
    tags: ['memory'],
    responses: { 200: { description: 'How many were deleted', schema: z.object({ deleted: z.number().int() }) } },
    handler: async ({ actor, req }) => ({ body: { deleted: await deleteAllMemories(s, { actor, meta: requestMeta(req) }) } }),
  });

  routes.add({
    method: 'get',
    path: '/me/memories/export',
    summary: 'Download your memories as JSON or Markdown',
    tags: ['memory'],
    query: MemoryExportQuery,
    responses: { 200: { description: 'Your memories as a file', schema: z.string(), contentType: 'application/json' } },
    handler: async ({ actor, query, res }) => {
      const file = exportMemories(await listMemories(s, { actor }), query.format);
      res.status(200).type(file.contentType).attachment(file.fileName).send(file.body);
    },
  });

  routes.add({
    method: 'get',
    path: '/me/memories/:id',
    summary: 'One of your memories',
    tags: ['memory'],
    params: IdParams,
    responses: { 200: { description: 'The memory', schema: MemoryView } },
    handler: async ({ actor, params }) => ({ body: presentMemory(await ownMemory(s, { actor }, params.id)) }),
  });

  routes.add({
    method: 'patch',
    path: '/me/memories/:id',
    summary: 'Change the text of one of your memories or proposals',
    tags: ['memory'],
    params: IdParams,
    body: MemoryUpdate,
    responses: { 200: { description: 'The memory', schema: MemoryView } },
    handler: async ({ actor, params, body, req }) => ({ body: presentMemory(await updateMemory(s, { actor, meta: requestMeta(req) }, params.id, body.text)) }),
  });

  routes.add({
    method: 'post',
    path: '/me/memories/:id/keep',
    summary: 'Keep a proposed memory (memory must be on)',
    tags: ['memory'],
    params: IdParams,
    responses: { 200: { description: 'The kept memory', schema: MemoryView } },
    handler: async ({ actor, params, req }) => ({ body: presentMemory(await keepMemory(s, { actor, meta: requestMeta(req) }, params.id)) }),
  });

  routes.add({
    method: 'delete',
    path: '/me/memories/:id',
    summary: 'Delete one of your memories, or discard a proposal',
    tags: ['memory'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteMemory(s, { actor, meta: requestMeta(req) }, params.id);
      return { status: 204 };
    },
  });
}
