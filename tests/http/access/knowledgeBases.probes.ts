import fs from 'node:fs';
import path from 'node:path';
import type { ProbeArea, ProbeContext } from './probe.js';

// Knowledge bases and their files: each base maintained and read by the group
// the actor manages. Staff reach knowledge only through assistants (403 here).

const consoleOnly = (ok: number) => ({ user: 403, manager: ok, admin: ok });

async function storedFile({ prisma, uploadsDir }: ProbeContext, knowledgeBaseId: string, name: string, sha: string) {
  const storagePath = path.join(knowledgeBaseId, name);
  fs.mkdirSync(path.join(uploadsDir, knowledgeBaseId), { recursive: true });
  fs.writeFileSync(path.join(uploadsDir, storagePath), 'Handbook text');
  return prisma.knowledgeFile.create({
    data: { knowledgeBaseId, originalName: name, mimeType: 'text/plain', sizeBytes: 13n, sha256: sha.repeat(64), storagePath, status: 'ready', tags: ['hr'], folder: 'policies' },
  });
}

export default {
  order: 25,
  async setup(ctx) {
    const groups = { create: [{ groupId: ctx.ids.managedGroup }] };
    const kb = await ctx.prisma.knowledgeBase.create({ data: { name: 'Shared handbook', tags: ['hr'], maintainers: groups, readers: groups } });
    const kbToDelete = await ctx.prisma.knowledgeBase.create({ data: { name: 'Doomed', maintainers: groups, readers: groups } });
    const kbFile = await storedFile(ctx, kb.id, 'kept.txt', 'c');
    const kbFileToDelete = await storedFile(ctx, kb.id, 'doomed.txt', 'd');
    return { kb: kb.id, kbToDelete: kbToDelete.id, kbFile: kbFile.id, kbFileToDelete: kbFileToDelete.id };
  },
  probes: {
    'get /api/v1/knowledge-bases': { path: () => '/api/v1/knowledge-bases?tag=hr', expect: consoleOnly(200) },
    'get /api/v1/knowledge-bases/languages': { path: () => '/api/v1/knowledge-bases/languages', expect: consoleOnly(200) },
    'post /api/v1/knowledge-bases': {
      path: () => '/api/v1/knowledge-bases',
      body: (i) => ({ name: 'Probe base', language: 'german', maintainerGroupIds: [i.managedGroup], readerGroupIds: [i.managedGroup] }),
      expect: consoleOnly(201),
    },
    'get /api/v1/knowledge-bases/{id}': { path: (i) => `/api/v1/knowledge-bases/${i.kb}`, expect: consoleOnly(200) },
    'patch /api/v1/knowledge-bases/{id}': { path: (i) => `/api/v1/knowledge-bases/${i.kb}`, body: () => ({ description: 'The one handbook' }), expect: consoleOnly(200) },
    'post /api/v1/knowledge-bases/{id}/files': { path: (i) => `/api/v1/knowledge-bases/${i.kb}/files?folder=policies&tags=hr`, upload: 'files', expect: consoleOnly(201) },
    'get /api/v1/knowledge-bases/{id}/files': { path: (i) => `/api/v1/knowledge-bases/${i.kb}/files?tag=hr&folder=policies`, expect: consoleOnly(200) },
    'get /api/v1/knowledge-bases/{id}/files/{fileId}': { path: (i) => `/api/v1/knowledge-bases/${i.kb}/files/${i.kbFile}`, expect: consoleOnly(200) },
    'patch /api/v1/knowledge-bases/{id}/files/{fileId}': { path: (i) => `/api/v1/knowledge-bases/${i.kb}/files/${i.kbFile}`, body: () => ({ tags: ['hr', 'leave'] }), expect: consoleOnly(200) },
    'get /api/v1/knowledge-bases/{id}/files/{fileId}/download': { path: (i) => `/api/v1/knowledge-bases/${i.kb}/files/${i.kbFile}/download`, expect: consoleOnly(200) },
    'post /api/v1/knowledge-bases/{id}/files/{fileId}/retry': { path: (i) => `/api/v1/knowledge-bases/${i.kb}/files/${i.kbFile}/retry`, expect: consoleOnly(202) },
    'delete /api/v1/knowledge-bases/{id}/files/{fileId}': { path: (i) => `/api/v1/knowledge-bases/${i.kb}/files/${i.kbFileToDelete}`, expect: consoleOnly(204) },
    'put /api/v1/assistants/{id}/knowledge-bases/{knowledgeBaseId}': {
      path: (i) => `/api/v1/assistants/${i.assistant}/knowledge-bases/${i.kb}`,
      body: () => ({ tags: ['hr'] }),
      expect: consoleOnly(200),
    },
    'delete /api/v1/assistants/{id}/knowledge-bases/{knowledgeBaseId}': { path: (i) => `/api/v1/assistants/${i.assistant}/knowledge-bases/${i.kb}`, expect: consoleOnly(204) },
    'delete /api/v1/knowledge-bases/{id}': { path: (i) => `/api/v1/knowledge-bases/${i.kbToDelete}`, expect: consoleOnly(204) },
  },
} satisfies ProbeArea;
