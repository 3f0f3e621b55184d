import { z } from 'zod';
import type { SharedConversation } from '../../../commands/sharing/viewSharedConversation.js';
import type { ShareRecord } from '../../../commands/sharing/shareAccess.js';
import { sharedSources } from '../../../sharing/snapshot.js';
import { Email } from '../../schemas/common.js';

export const ShareCreate = z
  .discriminatedUnion('audience', [
    z.object({ audience: z.literal('user'), email: Email.describe('The colleague to share with') }),
    z.object({ audience: z.literal('group'), groupId: z.uuid({ error: 'must be a UUID' }).describe('One of your groups (admins: any group)') }),
    z.object({ audience: z.literal('link') }),
  ])
  .meta({ id: 'ShareCreate' });

export const TokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'must be a share token') });

const Person = z.object({ id: z.uuid(), name: z.string() });

export const ShareView = z
  .object({
    id: z.uuid(),
    conversationId: z.uuid(),
    title: z.string().describe("The conversation's title when it was shared"),
    audience: z.enum(['user', 'group', 'link']),
    user: Person.extend({ email: z.string() }).nullable(),
    group: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    token: z.string().describe('Opens the snapshot: GET /api/v1/shared/{token}; in the chat app, /s/{token}. A link works for anyone signed in; otherwise only for its recipients'),
    viewers: z.number().int().describe('How many people have opened it'),
    createdAt: z.string(),
  })
  .meta({ id: 'Share', description: 'A read-only snapshot of one of your conversations, as its owner sees it' });

export const SharedWithMeView = z
  .object({
    id: z.uuid(),
    token: z.string(),
    title: z.string(),
    owner: Person,
    assistant: z.object({ id: z.uuid(), name: z.string() }),
    via: z.enum(['user', 'group', 'link']).describe('Shared with you by name, with one of your groups, or a link you opened'),
    group: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    sharedAt: z.string(),
  })
  .meta({ id: 'SharedWithMe' });

const SharedSourceView = z.object({
  index: z.number().int(),
  fileName: z.string(),
  page: z.number().int().nullable(),
  section: z.string().nullable(),
  text: z.string().nullable().describe('The passage; null when you may not read this knowledge (the file name alone is shown)'),
});

export const SharedConversationView = z
  .object({
    id: z.uuid().describe('The share'),
    title: z.string(),
    owner: Person,
    assistant: z.object({ id: z.uuid(), name: z.string() }),
    sharedAt: z.string(),
    messages: z
      .array(
        z.object({
          id: z.uuid(),
          role: z.enum(['system', 'user', 'assistant']),
          content: z.string(),
          status: z.enum(['streaming', 'complete', 'stopped', 'error']),
          model: z.string().nullable(),
          sources: z.array(SharedSourceView),
          createdAt: z.string(),
        }),
      )
      .describe('The branch its owner was shown when sharing, oldest first; nothing written later'),
    passagesReadable: z.boolean().describe('Whether every source carries its passage (you may read all that knowledge); sources from knowledge bases you may not read show file names only'),
    can: z.object({ continue: z.boolean().describe('You may use the assistant: POST .../continue copies this into your own chat'), revoke: z.boolean() }),
  })
  .meta({ id: 'SharedConversation' });

export function presentShare(share: ShareRecord & { _count: { views: number } }): z.infer<typeof ShareView> {
  return {
    id: share.id,
    conversationId: share.conversationId,
    title: share.title,
    audience: share.audience,
    user: share.user,
    group: share.group,
    token: share.token,
    viewers: share._count.views,
    createdAt: share.createdAt.toISOString(),
  };
}

export function presentSharedWithMe(share: ShareRecord): z.infer<typeof SharedWithMeView> {
  const { assistant } = share.conversation;
  return {
    id: share.id,
    token: share.token,
    title: share.title,
    owner: share.owner,
    assistant: { id: assistant.id, name: assistant.name },
    via: share.audience,
    group: share.group,
    sharedAt: share.createdAt.toISOString(),
  };
}

export function presentSharedConversation(view: SharedConversation, viewerId: string): z.infer<typeof SharedConversationView> {
  const { share } = view;
  const { assistant } = share.conversation;
  return {
    id: share.id,
    title: share.title,
    owner: share.owner,
    assistant: { id: assistant.id, name: assistant.name },
    sharedAt: share.createdAt.toISOString(),
    // Only what was shown: no versions, feedback, usage or edit history.
    messages: view.messages.map((m) => ({
      id: m.id,
      role: m.role,
      content: m.content,
      status: m.status,
      model: m.model,
      sources: sharedSources(m.sources, (fileId) => view.readableFileIds.has(fileId)),
      createdAt: m.createdAt.toISOString(),
    })),
    passagesReadable: view.passagesReadable,
    can: { continue: view.mayContinue, revoke: share.ownerId === viewerId },
  };
}
