import { z } from 'zod';
import type { MemoryState } from '../../../memory/memoryAccess.js';
import { MEMORY_MAX_CHARS } from '../../../memory/memoryCue.js';
import type { MemoryRecord } from '../../../memory/memoryStore.js';

const text = z.string().trim().min(1).max(MEMORY_MAX_CHARS);

export const MemoryCreate = z.object({ text }).strict().meta({ id: 'MemoryCreate' });
export const MemoryUpdate = z.object({ text }).strict().meta({ id: 'MemoryUpdate' });
export const MemorySettingsUpdate = z.object({ enabled: z.boolean() }).strict().meta({ id: 'MemorySettingsUpdate' });
export const MemoryListQuery = z.object({ status: z.enum(['kept', 'proposed']).optional().describe('kept: recalled into your prompts; proposed: awaiting keep or discard. Default: both') });
export const MemoryExportQuery = z.object({ format: z.enum(['json', 'md']).default('json') });

export const MemorySettingsView = z
  .object({
    enabled: z.boolean().describe('Your own switch (off until you turn it on)'),
    allowed: z.boolean().describe('False when an administrator turned memory off for one of your groups'),
    active: z.boolean().describe('Both: memories are kept, proposed and used in your answers'),
  })
  .meta({ id: 'MemorySettings' });

export const MemoryView = z
  .object({
    id: z.uuid(),
    text: z.string(),
    status: z.enum(['kept', 'proposed']),
    origin: z.enum(['explicit', 'manual', 'proposed']).describe('explicit: you said "remember that …"; manual: added on the Memory page; proposed: suggested after a conversation'),
    conversationId: z.uuid().nullable().describe('The conversation it came from, if any'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Memory' });

export const MemoryList = z.object({ data: z.array(MemoryView), proposed: z.number().int().describe('How many proposals await you') }).meta({ id: 'MemoryList' });

export const presentMemory = (m: MemoryRecord): z.infer<typeof MemoryView> => ({
  id: m.id,
  text: m.text,
  status: m.status,
  origin: m.origin as z.infer<typeof MemoryView>['origin'],
  conversationId: m.conversationId,
  createdAt: m.createdAt.toISOString(),
  updatedAt: m.updatedAt.toISOString(),
});

export const presentMemorySettings = (state: MemoryState): z.infer<typeof MemorySettingsView> => ({ enabled: state.enabled, allowed: state.allowed, active: state.active });
