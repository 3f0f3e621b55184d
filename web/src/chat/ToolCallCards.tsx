import { useState } from 'react';
import type { ToolCall } from '../api/types.js';
import { request } from './socket.js';

// The tool calls of an answer, shown where the model made them: a
// collapsible card per call with its state (running, done, failed, denied),
// its arguments and what came back, during the stream and in history alike.
// A call to an "ask first" tool opens with Allow / Deny until the user replies.

export type Segment = { kind: 'text'; text: string; raw: string } | { kind: 'tools'; calls: ToolCall[] };

/** Splits an answer's text at its tool calls' offsets; calls made at the same point share one group. */
export function segmentsOf(content: string, calls: readonly ToolCall[]): Segment[] {
  if (calls.length === 0) return [{ kind: 'text', text: content, raw: content }];
  const segments: Segment[] = [];
  let at = 0;
  for (const call of [...calls].sort((a, b) => a.offset - b.offset)) {
    const offset = Math.min(Math.max(call.offset, at), content.length);
    if (offset > at) {
      const raw = content.slice(at, offset);
      segments.push({ kind: 'text', text: raw, raw });
      at = offset;
    }
    const last = segments.at(-1);
    if (last?.kind === 'tools') last.calls.push(call);
    else segments.push({ kind: 'tools', calls: [call] });
  }
  if (at < content.length) {
    const raw = content.slice(at);
    segments.push({ kind: 'text', text: raw, raw });
  }
  return segments;
}

interface AnswerRef {
  conversationId: string;
  messageId: string;
}

export function ToolCallCards({ calls, ...answer }: { calls: ToolCall[] } & AnswerRef) {
  return (
    <div className="tool-calls">
      {calls.map((call) => (
        <ToolCallCard key={call.id} call={call} answer={answer} />
      ))}
    </div>
  );
}

function summaryOf(call: ToolCall, name: string): string {
  const took = call.durationMs === null ? '' : ` in ${formatDuration(call.durationMs)}`;
  switch (call.status) {
    case 'awaiting_approval':
      return `${name} needs your approval`;
    case 'running':
      return `Running ${name}…`;
    case 'done':
      return `Used ${name}${took}`;
    case 'denied':
      return call.approval?.decision === 'timed_out' ? `${name} not run: no approval in time` : `${name} denied`;
    default:
      return `${name} failed${took}`;
  }
}

function ToolCallCard({ call, answer }: { call: ToolCall; answer: AnswerRef }) {
  const name = call.server ? `${call.displayName ?? call.tool} (${call.server})` : call.tool;
  const asking = call.status === 'awaiting_approval';
  return (
    <details className={`tool-call tool-call--${call.status}`} aria-busy={call.status === 'running'} open={asking || undefined}>
      <summary>
        <span className="tool-call__state" aria-hidden="true" />
        {summaryOf(call, name)}
      </summary>
      <div className="tool-call__body">
        <p className="tool-call__label">Arguments</p>
        <pre>{typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments, null, 2)}</pre>
        {asking ? (
          <ApprovalPrompt call={call} answer={answer} />
        ) : (
          call.status !== 'running' && (
            <>
              <p className="tool-call__label">{call.error ? (call.status === 'denied' ? 'Not run' : 'Error') : 'Result'}</p>
              <pre>{call.error ?? call.result}</pre>
            </>
          )
        )}
      </div>
    </details>
  );
}

/** Allow or deny one call; the card turns into running or denied when the server's tool event comes back. */
function ApprovalPrompt({ call, answer }: { call: ToolCall; answer: AnswerRef }) {
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reply = async (allow: boolean) => {
    setSent(true);
    setError(null);
    try {
      await request('tool:approve', { ...answer, callId: call.id, allow });
    } catch (e) {
      setSent(false);
      setError((e as Error).message || 'Your reply could not be sent.');
    }
  };
  const until = call.approval ? new Date(call.approval.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : null;
  return (
    <div className="tool-call__approval" role="group" aria-label={`Approve ${call.tool}`}>
      <p>
        The assistant wants to run this tool with the arguments above. Allow it?{until ? ` Without a reply by ${until} it is not run.` : ''}
      </p>
      <div className="tool-call__actions">
        <button type="button" className="button button--primary" disabled={sent} onClick={() => void reply(true)}>
          Allow
        </button>
        <button type="button" className="button" disabled={sent} onClick={() => void reply(false)}>
          Deny
        </button>
      </div>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
