import { z } from 'zod';
import { mayEditPrompt, type PromptRecord } from '../../../commands/prompts/managePrompts.js';
import type { Actor } from '../../../policies/actor.js';
import { promptVariables } from '../../../prompts/promptVariables.js';

const groupIds = z.array(z.uuid({ error: 'must be a UUID' })).max(100).describe('Groups to publish to (admins: any; managers: those they manage). Empty: a personal prompt');

export const PromptCreate = z
  .object({
    title: z.string().trim().min(1).max(200),
    text: z.string().trim().min(1).max(20_000).describe('The prompt; `{{name}}` marks a variable the chat app asks for'),
    groupIds: groupIds.default([]),
  })
  .meta({ id: 'PromptCreate' });

export const PromptUpdate = z
  .object({ title: z.string().trim().min(1).max(200), text: z.string().trim().min(1).max(20_000), groupIds })
  .partial()
  .meta({ id: 'PromptUpdate' });

export const PromptListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  q: z.string().trim().max(200).optional().describe('Searches titles and texts'),
  scope: z
    .enum(['available', 'mine', 'published'])
    .default('available')
    .describe('available: yours and those published to your groups; mine: yours; published: those you maintain in the console (admins, managers)'),
});

export const PromptView = z
  .object({
    id: z.uuid(),
    title: z.string(),
    text: z.string(),
    variables: z.array(z.string()).describe('The `{{name}}` variables, in order of first appearance'),
    owner: z.object({ id: z.uuid(), name: z.string() }),
    mine: z.boolean(),
    groups: z.array(z.object({ id: z.uuid(), name: z.string() })).describe('Where it is published (the groups you can see)'),
    can: z.object({ edit: z.boolean() }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Prompt' });

export function presentPrompt(p: PromptRecord, actor: Actor): z.infer<typeof PromptView> {
  const edit = mayEditPrompt(actor, p);
  // Staff see the names of their own groups only; the owner and those who maintain it see all.
  const groups = p.groups.map((g) => g.group).filter((g) => edit || actor.groups.has(g.id));
  return {
    id: p.id,
    title: p.title,
    text: p.text,
    variables: promptVariables(p.text),
    owner: p.owner,
    mine: p.ownerId === actor.id,
    groups,
    can: { edit },
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
