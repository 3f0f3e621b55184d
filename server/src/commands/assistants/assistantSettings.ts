import type { FlowStep } from '../../chat/flows/flowStep.js';
import { Prisma } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { can } from '../../policies/index.js';
import type { Actor } from '../../policies/actor.js';

/** The settings an assistant is created with or changed to (groups apart). */
export interface AssistantSettings {
  name?: string;
  description?: string;
  instructions?: string;
  modelId?: string | null;
  fallbackModelId?: string | null;
  temperature?: number;
  maxTokens?: number;
  topK?: number | null;
  similarityThreshold?: number | null;
  chunkSize?: number | null;
  chunkOverlap?: number | null;
  knowledgeOnly?: boolean;
  attachmentsEnabled?: boolean;
  builtinTools?: string[];
  flowSteps?: FlowStep[] | null;
}

export const settingKeys = [
  'name',
  'description',
  'instructions',
  'modelId',
  'fallbackModelId',
  'temperature',
  'maxTokens',
  'topK',
  'similarityThreshold',
  'chunkSize',
  'chunkOverlap',
  'knowledgeOnly',
  'attachmentsEnabled',
  'builtinTools',
  'flowSteps',
] as const satisfies readonly (keyof AssistantSettings)[];

type Tx = Prisma.TransactionClient;

const invalid = (path: string, message: string) => new AppError('validation_failed', `${path} ${message}`, { issues: [{ path, message }] });

/** The columns for some settings: a JSON column is cleared with DbNull, not null. */
export function settingColumns<T extends AssistantSettings>(settings: T) {
  const { flowSteps, ...rest } = settings;
  return { ...rest, ...(flowSteps === undefined ? {} : { flowSteps: flowSteps === null ? Prisma.DbNull : (flowSteps as Prisma.InputJsonValue) }) };
}

/** Sharing with a group, or withdrawing from one, is for those who manage the group. */
export function assertMayShareWith(actor: Actor, groupIds: string[]): void {
  const foreign = groupIds.filter((id) => !can(actor, 'assistant.share', { kind: 'group', id }));
  if (foreign.length) throw new AppError('forbidden', 'You can only share assistants with, or withdraw them from, groups you manage', { groupIds: foreign });
}

export async function assertGroupsExist(tx: Tx, groupIds: string[]): Promise<void> {
  if (groupIds.length && (await tx.group.count({ where: { id: { in: groupIds } } })) !== groupIds.length) {
    throw invalid('groupIds', 'contains a group that does not exist');
  }
}

/** An assistant answers with an enabled chat model whose provider is enabled. */
export async function assertUsableChatModel(tx: Tx, modelId: string, field = 'modelId'): Promise<void> {
  const model = await tx.model.findUnique({ where: { id: modelId }, include: { provider: { select: { enabled: true } } } });
  if (!model) throw invalid(field, 'is not a known model');
  if (model.kind !== 'chat') throw invalid(field, `is a ${model.kind} model, not a chat model`);
  if (!model.enabled || !model.provider.enabled) throw invalid(field, 'is disabled, or its provider is');
}

/** Both models usable, and a fallback that is not the model it stands in for. */
export async function assertUsableModels(
  tx: Tx,
  models: { modelId: string | null; fallbackModelId: string | null; flowSteps?: FlowStep[] | null },
  changed: readonly string[],
): Promise<void> {
  if (changed.includes('modelId') && models.modelId) await assertUsableChatModel(tx, models.modelId);
  // A flow step's model passes the same check as the assistant's own model.
  if (changed.includes('flowSteps')) {
    for (const [i, step] of (models.flowSteps ?? []).entries()) await assertUsableChatModel(tx, step.modelId, `flowSteps.${i}.modelId`);
  }
  if (changed.includes('fallbackModelId') && models.fallbackModelId) await assertUsableChatModel(tx, models.fallbackModelId, 'fallbackModelId');
  if (models.fallbackModelId && models.fallbackModelId === models.modelId) throw invalid('fallbackModelId', 'must be another model than modelId');
}
