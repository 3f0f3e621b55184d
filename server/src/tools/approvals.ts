import type { ToolCallRecord } from './toolCallRecord.js';

// "Ask first" tools (issue 16): a call to such a tool waits until the user who
// asked the question allows or denies it, or until the approval time runs
// out, which counts as a denial. The waiting calls live in the process that
// runs the answer, so a reply must reach that process (single process today;
// routing replies between processes is issue 17's concern).

/** How an approval ended: the user's reply, no reply in time, or the answer's stop. */
export type ApprovalDecision = 'allowed' | 'denied' | 'timed_out' | 'stopped';

/** What the user is shown and asked about: one call, with the tool, its server and its arguments. */
export interface ApprovalRequest {
  /** The call's id (the model's), the one the reply names. */
  id: string;
  tool: string;
  server: string | null;
  arguments: unknown;
  expiresAt: string;
}

/** What the model is told when a call was not run because the user did not allow it. */
export const DENIED_RESULT = 'The user denied this call, so it was not run. Do not try it again in this answer; say what you can without it.';

/** What the model is told when nobody can be asked (the OpenAI-compatible API, Atrium's MCP server): such a call is not run. */
export const NO_ONE_TO_ASK_RESULT =
  'This tool runs only when the user allows each call, and this conversation has no one to ask (it did not come from the chat app), so it was not run. Say what you can without it.';

export function timedOutResult(timeoutMs: number): string {
  return `The user did not allow this call within ${Math.round(timeoutMs / 1000)} s, so it was not run. Say what you can without it.`;
}

/** The calls of one answer that wait for the user's reply. */
export class PendingApprovals {
  private readonly waiting = new Map<string, (decision: 'allowed' | 'denied') => void>();

  /**
   * Waits for the reply to one call: allowed or denied by the user, timed out
   * after `timeoutMs`, or stopped with the answer. Never rejects.
   */
  wait(callId: string, timeoutMs: number, signal: AbortSignal): Promise<ApprovalDecision> {
    if (signal.aborted) return Promise.resolve('stopped');
    return new Promise((resolve) => {
      const finish = (decision: ApprovalDecision) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onStop);
        this.waiting.delete(callId);
        resolve(decision);
      };
      const onStop = () => finish('stopped');
      const timer = setTimeout(() => finish('timed_out'), timeoutMs);
      signal.addEventListener('abort', onStop, { once: true });
      this.waiting.set(callId, finish);
    });
  }

  /** Passes on the user's reply; false when no call of that id is waiting (decided, timed out, stopped or never asked). */
  decide(callId: string, allow: boolean): boolean {
    const finish = this.waiting.get(callId);
    if (!finish) return false;
    finish(allow ? 'allowed' : 'denied');
    return true;
  }

  isWaiting(callId: string): boolean {
    return this.waiting.has(callId);
  }
}

/** The approval request for a call, as sent to the user. */
export function approvalRequest(record: ToolCallRecord, expiresAt: string): ApprovalRequest {
  return { id: record.id, tool: record.tool, server: record.server, arguments: record.arguments, expiresAt };
}
