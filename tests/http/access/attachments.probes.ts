import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ProbeArea } from './probe.js';

// Attachments belong to the conversation's owner, whatever the role: every
// role reaches its own and nobody else's (tests/attachments/attachments.test.ts
// checks 404 for other users and admins). The actor owns a conversation with
// an attachment to read and one to delete; an upload of a small text file is
// accepted and queued.
const everyone = (status: number) => ({ user: status, manager: status, admin: status });

export default {
  order: 41,
  async setup({ prisma, ids, uploadsDir }) {
    const assistant = await prisma.assistant.create({ data: { name: 'Probe attachments', groups: { create: [{ groupId: ids.managedGroup }] } } });
    const conversation = await prisma.conversation.create({ data: { userId: ids.self, assistantId: assistant.id } });
    const stored = async (name: string) => {
      const storagePath = path.join(conversation.id, randomUUID());
      fs.mkdirSync(path.join(uploadsDir, conversation.id), { recursive: true });
      fs.writeFileSync(path.join(uploadsDir, storagePath), 'Probe attachment text');
      return prisma.conversationAttachment.create({
        data: { conversationId: conversation.id, userId: ids.self, originalName: name, mimeType: 'text/plain', sizeBytes: 21n, sha256: 'c'.repeat(64), storagePath, status: 'ready' },
      });
    };
    const [kept, doomed] = await Promise.all([stored('notes.txt'), stored('old.txt')]);
    return { attachmentConversation: conversation.id, attachment: kept.id, doomedAttachment: doomed.id };
  },
  probes: {
    'post /api/v1/conversations/{id}/attachments': { path: (i) => `/api/v1/conversations/${i.attachmentConversation}/attachments`, upload: 'files', expect: everyone(201) },
    'get /api/v1/conversations/{id}/attachments': { path: (i) => `/api/v1/conversations/${i.attachmentConversation}/attachments`, expect: everyone(200) },
    'get /api/v1/conversations/{id}/attachments/{attachmentId}/download': {
      path: (i) => `/api/v1/conversations/${i.attachmentConversation}/attachments/${i.attachment}/download`,
      expect: everyone(200),
    },
    'delete /api/v1/conversations/{id}/attachments/{attachmentId}': {
      path: (i) => `/api/v1/conversations/${i.attachmentConversation}/attachments/${i.doomedAttachment}`,
      expect: everyone(204),
    },
  },
} satisfies ProbeArea;
