import type { ToolCall } from '../api/types.js';

// The tool calls of an answer, shown where the model made them: a
// collapsible card per call with its state (running, done, failed), its
// arguments and what came back, during the stream and in history alike.

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

export function ToolCallCards({ calls }: { calls: ToolCall[] }) {
  return (
    <div className="tool-calls">
      {calls.map((call) => (
        <ToolCallCard key={call.id} call={call} />
      ))}
    </div>
  );
}

function ToolCallCard({ call }: { call: ToolCall }) {
  const name = call.server ? `${call.tool} (${call.server})` : call.tool;
  const took = call.durationMs === null ? '' : ` in ${formatDuration(call.durationMs)}`;
  const summary = call.status === 'running' ? `Running ${name}…` : call.status === 'done' ? `Used ${name}${took}` : `${name} failed${took}`;
  return (
    <details className={`tool-call tool-call--${call.status}`} aria-busy={call.status === 'running'}>
      <summary>
        <span className="tool-call__state" aria-hidden="true" />
        {summary}
      </summary>
      <div className="tool-call__body">
        <p className="tool-call__label">Arguments</p>
        <pre>{typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments, null, 2)}</pre>
        {call.status !== 'running' && (
          <>
            <p className="tool-call__label">{call.error ? 'Error' : 'Result'}</p>
            <pre>{call.error ?? call.result}</pre>
          </>
        )}
      </div>
    </details>
  );
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
