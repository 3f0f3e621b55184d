import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ProbeArea, ProbeContext } from './probe.js';

// Assistant changes, soft delete and restore, and avatars, each on an
// assistant of its own shared with the group the actor manages (list, read
// and create are in core.probes.ts).

const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } }).png().toBuffer();
const webp = await sharp(png).webp().toBuffer();

async function sharedAssistant({ prisma, ids }: ProbeContext, data: { name: string; deletedAt?: Date }) {
  return prisma.assistant.create({ data: { ...data, groups: { create: [{ groupId: ids.managedGroup }] } } });
}

export default {
  order: 30,
  async setup(ctx) {
    const editable = await sharedAssistant(ctx, { name: 'Editable' });
    const deletable = await sharedAssistant(ctx, { name: 'Deletable' });
    const deleted = await sharedAssistant(ctx, { name: 'Deleted', deletedAt: new Date() });
    const pictured = await sharedAssistant(ctx, { name: 'Pictured' });
    const avatarPath = `avatars/${pictured.id}-0123456789abcdef.webp`;
    fs.mkdirSync(path.join(ctx.uploadsDir, 'avatars'), { recursive: true });
    fs.writeFileSync(path.join(ctx.uploadsDir, avatarPath), webp);
    await ctx.prisma.assistant.update({ where: { id: pictured.id }, data: { avatarPath } });
    return { editable: editable.id, deletable: deletable.id, deleted: deleted.id, pictured: pictured.id };
  },
  probes: {
    'patch /api/v1/assistants/{id}': { path: (i) => `/api/v1/assistants/${i.editable}`, body: () => ({ description: 'Changed' }), expect: { user: 403, manager: 200, admin: 200 } },
    'delete /api/v1/assistants/{id}': { path: (i) => `/api/v1/assistants/${i.deletable}`, expect: { user: 403, manager: 204, admin: 204 } },
    // Staff never see deleted assistants at all.
    'post /api/v1/assistants/{id}/restore': { path: (i) => `/api/v1/assistants/${i.deleted}/restore`, expect: { user: 404, manager: 200, admin: 200 } },
    'get /api/v1/assistants/{id}/avatar': { path: (i) => `/api/v1/assistants/${i.pictured}/avatar`, expect: { user: 200, manager: 200, admin: 200 } },
    'put /api/v1/assistants/{id}/avatar': {
      path: (i) => `/api/v1/assistants/${i.pictured}/avatar`,
      upload: 'avatar',
      uploadFile: () => ({ content: png, name: 'avatar.png' }),
      expect: { user: 403, manager: 200, admin: 200 },
    },
    'delete /api/v1/assistants/{id}/avatar': { path: (i) => `/api/v1/assistants/${i.pictured}/avatar`, expect: { user: 403, manager: 204, admin: 204 } },
  },
} satisfies ProbeArea;
