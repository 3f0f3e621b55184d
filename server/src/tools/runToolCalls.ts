import type { ToolCallRequest } from '../chat/llm/chatProvider.js';
import { DENIED_RESULT, NO_ONE_TO_ASK_RESULT, timedOutResult, type ApprovalDecision } from './approvals.js';
import type { AssistantTool, ToolContext } from './tool.js';
import type { ToolCallRecord } from './toolCallRecord.js';

export interface ToolLimits {
  /** Each call's time limit. */
  callTimeoutMs: number;
  /** Results longer than this are cut, with a note saying so. */
  maxResultChars: number;
}

export interface ToolRunOptions extends ToolLimits {
  step: number;
  offset: number;
  context: Omit<ToolContext, 'signal'>;
  /** The answer's stop: cancels every running call. */
  signal: AbortSignal;
  /** Hears each call as it starts and as it ends (for the stream). */
  onUpdate: (record: ToolCallRecord) => void;
  /**
   * Asks the user about a call to an "ask first" tool and waits for the reply
   * (the record it gets is already marked awaiting_approval). Without it such
   * calls are denied: there is no one to ask.
   */
  askUser?: (record: ToolCallRecord) => Promise<{ decision: ApprovalDecision; expiresAt: string }>;
  /** How long askUser waits; only for the message to the model. */
  approvalTimeoutMs?: number;
}

/**
 * Runs the calls the model asked for in one turn, all at once, each bounded
 * in time and result size. A failing, unknown or timed-out call becomes an
 * error result for the model, never an exception for the answer: the model
 * decides what to say about it.
 */
export async function runToolCalls(calls: ToolCallRequest[], tools: ReadonlyMap<string, AssistantTool>, options: ToolRunOptions): Promise<ToolCallRecord[]> {
  return Promise.all(calls.map((call) => runOne(call, tools.get(call.name), options)));
}

async function runOne(call: ToolCallRequest, tool: AssistantTool | undefined, options: ToolRunOptions): Promise<ToolCallRecord> {
  const parsed = parseArguments(call.arguments);
  const record: ToolCallRecord = {
    id: call.id,
    tool: call.name,
    server: tool?.origin.kind === 'mcp' ? tool.origin.serverName : null,
    ...(tool?.origin.kind === 'mcp' ? { displayName: tool.origin.toolName } : {}),
    status: 'running',
    arguments: parsed.ok ? parsed.value : call.arguments,
    result: null,
    error: null,
    durationMs: null,
    step: options.step,
    offset: options.offset,
  };
  let started = performance.now();
  const finish = (outcome: Pick<ToolCallRecord, 'status' | 'result' | 'error'>): ToolCallRecord => {
    Object.assign(record, outcome, { durationMs: Math.round(performance.now() - started) });
    options.onUpdate({ ...record });
    return record;
  };

  if (!tool || !parsed.ok || !tool.askFirst) options.onUpdate({ ...record });
  if (!tool) return finish({ status: 'failed', result: null, error: `There is no tool named "${call.name}".` });
  if (!parsed.ok) return finish({ status: 'failed', result: null, error: `The arguments are not a JSON object: ${parsed.reason}` });
  if (tool.askFirst) {
    // The call's time limit and duration start once it is allowed: waiting for the user is not the tool's time.
    record.status = 'awaiting_approval';
    if (!options.askUser) {
      record.approval = { decision: 'denied', expiresAt: new Date().toISOString() };
      return finish({ status: 'denied', result: null, error: NO_ONE_TO_ASK_RESULT });
    }
    const { decision, expiresAt } = await options.askUser({ ...record });
    record.approval = { decision, expiresAt };
    started = performance.now();
    if (decision === 'denied') return finish({ status: 'denied', result: null, error: DENIED_RESULT });
    if (decision === 'timed_out') return finish({ status: 'denied', result: null, error: timedOutResult(options.approvalTimeoutMs ?? 0) });
    if (decision === 'stopped') return finish({ status: 'failed', result: null, error: 'Stopped by the user.' });
    record.status = 'running';
    options.onUpdate({ ...record });
  }
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.callTimeoutMs)]);
  try {
    const text = await abortable(tool.run(parsed.value, { ...options.context, signal }), signal);
    return finish({ status: 'done', result: capped(text, options.maxResultChars), error: null });
  } catch (error) {
    const message = options.signal.aborted
      ? 'Stopped by the user.'
      : signal.aborted
        ? `The tool did not answer within ${Math.round(options.callTimeoutMs / 1000)} s.`
        : (error as Error).message || 'The tool failed.';
    return finish({ status: 'failed', result: null, error: capped(message, 2000) });
  }
}

function parseArguments(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  try {
    const value: unknown = JSON.parse(text.trim() === '' ? '{}' : text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'expected an object' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** The tool's promise, or a rejection as soon as the signal aborts (a tool that ignores its signal cannot hold the answer). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export function capped(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[Truncated: the result had ${text.length.toLocaleString('en')} characters; only the first ${max.toLocaleString('en')} are shown.]`;
}
