import { z } from 'zod';

// A flow (issue 16): an assistant that answers in ordered steps, each with its
// own model and instructions, each seeing the question, the retrieved
// passages and the earlier steps' outputs. The last step writes the answer.

export const MAX_FLOW_STEPS = 6;

export const FlowStep = z
  .object({
    label: z.string().trim().min(1).max(60).describe('Shown above the step’s output, e.g. "critique"'),
    modelId: z.uuid().describe('The chat model that runs this step'),
    instructions: z.string().max(20_000).describe('What this step does; the earlier steps’ outputs follow it in the prompt'),
  })
  .strict()
  .meta({ id: 'FlowStep' });
export type FlowStep = z.infer<typeof FlowStep>;

export const FlowSteps = z.array(FlowStep).min(2).max(MAX_FLOW_STEPS).describe('Null: one model answers. Otherwise the steps in order; the last one writes the answer');

/** A step of one answer as it ran, streamed in `step` events and stored with the message. */
export const FlowStepRecord = z
  .object({
    index: z.number().int().describe('From 0, in flow order'),
    label: z.string(),
    model: z.string().nullable(),
    status: z.enum(['pending', 'running', 'done', 'failed', 'stopped']),
    text: z.string(),
    promptTokens: z.number().int().nullable(),
    completionTokens: z.number().int().nullable(),
  })
  .meta({ id: 'FlowStepRun' });
export type FlowStepRecord = z.infer<typeof FlowStepRecord>;

/** The assistant's steps, or null when it is no flow (or the stored value no longer parses). */
export function flowStepsOf(value: unknown): FlowStep[] | null {
  // Most assistants are no flow; a failed parse builds its issues, which every assistant read would pay for.
  if (value === null || value === undefined) return null;
  const parsed = FlowSteps.safeParse(value);
  return parsed.success ? parsed.data : null;
}

// Built once: building a zod schema costs more than parsing a short array with it.
const FlowStepRecords = z.array(FlowStepRecord);

/** A message's stored steps; anything that no longer parses is dropped. */
export function storedSteps(value: unknown): FlowStepRecord[] {
  // Most messages have none (null); a failed parse builds its issues, which every message read would pay for.
  if (value === null || value === undefined) return [];
  const parsed = FlowStepRecords.safeParse(value);
  return parsed.success ? parsed.data : [];
}

/** The template the console offers: draft, then review the draft, then write the answer from both. */
export const FLOW_TEMPLATE: Omit<FlowStep, 'modelId'>[] = [
  { label: 'generate', instructions: 'Write a first answer to the question, using the passages when they help.' },
  {
    label: 'critique',
    instructions: 'Review the draft answer above: list factual errors, claims the passages do not support, gaps and unclear wording. Do not rewrite it.',
  },
  { label: 'refine', instructions: 'Write the final answer to the question: the draft above, corrected and improved following the critique. Reply with the answer only.' },
];
