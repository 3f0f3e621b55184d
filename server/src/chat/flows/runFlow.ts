import { AppError } from '../../errors/appError.js';
import type { ModelCall, PromptMaterial, StreamOutcome } from '../answer.js';
import type { ChatErrorInfo } from '../chatEvents.js';
import type { FlowStep, FlowStepRecord } from './flowStep.js';

// Runs a flow's steps in order, each a model call of its own: reserved
// before it starts (a refusal ends the answer with the quota message),
// streamed under its label, charged when it ends, stopped with the answer.
// Every step's prompt holds the question, the passages, and the outputs of
// the steps before it; the last step's text is the answer.

export interface FlowHooks {
  /** A step's model with its prompt built and quota reserved; throws AppError when refused. */
  prepare(step: FlowStep, material: PromptMaterial): Promise<ModelCall>;
  stream(call: ModelCall, onText: (delta: string) => void): Promise<StreamOutcome>;
  charge(call: ModelCall, charge: { outcome: 'success' | 'error' | 'stopped'; promptTokens: number; completionTokens: number; latencyMs: number }): Promise<void>;
  /** A step started or ended (the whole record each time). */
  onStep(record: FlowStepRecord): void;
  /** Text of a step before the last. */
  onStepText(index: number, delta: string): void;
  /** Text of the last step: the answer. */
  onAnswerText(delta: string): void;
}

export interface FlowResult {
  steps: FlowStepRecord[];
  /** The model call of the last step that ran. */
  last: ModelCall;
  /** How the last step that ran went (a failure or stop ends the flow there). */
  outcome: StreamOutcome;
  /** Quota refused a later step. */
  refusal: ChatErrorInfo | null;
  usage: { promptTokens: number; completionTokens: number };
}

/** The prompt material of step `index`: the assistant's instructions, the step's, and what the earlier steps wrote. */
export function stepMaterial(base: PromptMaterial, steps: FlowStep[], index: number, outputs: readonly FlowStepRecord[]): PromptMaterial {
  const step = steps[index]!;
  const earlier = outputs
    .slice(0, index)
    .map((o) => `### Step ${o.index + 1}: ${o.label}\n${o.text.trim()}`)
    .join('\n\n');
  const parts = [
    base.instructions.trim(),
    `This answer is written in ${steps.length} steps; this is step ${index + 1}, "${step.label}".${index === steps.length - 1 ? ' What you write is the answer the user sees.' : ' What you write is passed to the next step, not shown as the answer.'}`,
    step.instructions.trim(),
    earlier ? `The earlier steps wrote:\n\n${earlier}` : '',
  ];
  return { ...base, instructions: parts.filter(Boolean).join('\n\n') };
}

export async function runFlow(steps: FlowStep[], first: ModelCall, base: PromptMaterial, hooks: FlowHooks): Promise<FlowResult> {
  const records: FlowStepRecord[] = steps.map((step, index) => ({ index, label: step.label, model: null, status: 'pending', text: '', promptTokens: null, completionTokens: null }));
  const usage = { promptTokens: 0, completionTokens: 0 };
  let call = first;
  let outcome: StreamOutcome | null = null;
  let refusal: ChatErrorInfo | null = null;

  for (let index = 0; index < steps.length; index++) {
    const record = records[index]!;
    const isLast = index === steps.length - 1;
    if (index > 0) {
      try {
        call = await hooks.prepare(steps[index]!, stepMaterial(base, steps, index, records));
      } catch (error) {
        refusal = error instanceof AppError ? { code: error.code, message: error.message, details: error.details } : { code: 'internal', message: 'The flow could not go on.' };
        record.status = 'failed';
        hooks.onStep({ ...record });
        break;
      }
    }
    record.model = call.model.name;
    record.status = 'running';
    hooks.onStep({ ...record });
    outcome = await hooks.stream(call, (delta) => {
      record.text += delta;
      if (isLast) hooks.onAnswerText(delta);
      else hooks.onStepText(index, delta);
    });
    const stopped = outcome.failure?.failure === 'cancelled';
    const promptTokens = outcome.usage?.promptTokens ?? call.promptTokens;
    const completionTokens = outcome.usage?.completionTokens ?? (record.text ? call.provider.countTokens([{ role: 'assistant', content: record.text }]) : 0);
    await hooks.charge(call, { outcome: stopped ? 'stopped' : outcome.failure ? 'error' : 'success', promptTokens, completionTokens, latencyMs: outcome.latencyMs });
    usage.promptTokens += promptTokens;
    usage.completionTokens += completionTokens;
    Object.assign(record, { status: stopped ? 'stopped' : outcome.failure ? 'failed' : 'done', promptTokens, completionTokens });
    hooks.onStep({ ...record });
    if (outcome.failure) break;
  }
  return { steps: records, last: call, outcome: outcome ?? { finishReason: 'stop', toolCalls: [], failure: null, delivered: false, latencyMs: 0 }, refusal, usage };
}
