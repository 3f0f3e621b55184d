/** @jest-environment jsdom */
import { render, screen } from '@testing-library/react';
import type { Message, ToolCall } from '../../web/src/api/types.js';
import { applyTool, type Thread } from '../../web/src/chat/thread.js';
import { segmentsOf, ToolCallCards } from '../../web/src/chat/ToolCallCards.js';

// Tool calls in the chat app: placed in the answer where the model made them,
// updated in place as they run and end, shown as cards that say how they went.

const call = (over: Partial<ToolCall>): ToolCall => ({
  id: 'c1',
  tool: 'current_time',
  server: null,
  status: 'running',
  arguments: {},
  result: null,
  error: null,
  durationMs: null,
  step: 1,
  offset: 0,
  ...over,
});

describe('tool calls in the chat app', () => {
  it('splits the text at the calls, grouping calls made at the same point', () => {
    const text = 'Let me check. Oslo has snow.';
    const segments = segmentsOf(text, [call({ id: 'b', offset: 13 }), call({ id: 'a', offset: 13 }), call({ id: 'c', offset: 99 })]);
    expect(segments.map((s) => (s.kind === 'text' ? s.text : s.calls.map((c) => c.id).join('+')))).toEqual(['Let me check.', 'b+a', ' Oslo has snow.', 'c']);
    expect(segmentsOf('Plain.', [])).toEqual([{ kind: 'text', text: 'Plain.', raw: 'Plain.' }]);
  });

  it('adds a call when it starts and replaces it when it ends', () => {
    const answer = { id: 'm1', role: 'assistant', content: '', toolCalls: [] } as unknown as Message;
    let thread: Thread = { messages: [answer], live: null };
    thread = applyTool(thread, { messageId: 'm1', call: call({}) });
    thread = applyTool(thread, { messageId: 'm1', call: call({ id: 'c2', tool: 'search_knowledge' }) });
    thread = applyTool(thread, { messageId: 'm1', call: call({ status: 'done', result: 'now', durationMs: 4 }) });
    expect(thread.messages[0]!.toolCalls!.map((c) => [c.id, c.status])).toEqual([
      ['c1', 'done'],
      ['c2', 'running'],
    ]);
    expect(applyTool(thread, { messageId: 'unknown', call: call({}) })).toBe(thread);
  });

  it('says whether each call is running, done or failed, with what came back', () => {
    render(
      <ToolCallCards
        calls={[
          call({ id: '1' }),
          call({ id: '2', tool: 'search_knowledge', server: null, status: 'done', arguments: { query: 'leave' }, result: '[1] handbook.pdf', durationMs: 1500 }),
          call({ id: '3', tool: 'lookup', server: 'CRM', status: 'failed', error: 'The tool did not answer within 30 s.', durationMs: 30000 }),
        ]}
        conversationId="conv"
        messageId="m1"
      />,
    );
    expect(screen.getByText('Running current_time…')).toBeTruthy();
    expect(screen.getByText('Used search_knowledge in 1.5 s')).toBeTruthy();
    expect(screen.getByText('lookup (CRM) failed in 30.0 s')).toBeTruthy();
    expect(screen.getByText('[1] handbook.pdf')).toBeTruthy();
    expect(screen.getByText('The tool did not answer within 30 s.')).toBeTruthy();
    expect(screen.getByText(/"query": "leave"/)).toBeTruthy();
  });

  it('opens an "ask first" call with Allow and Deny, and says when a call was denied or not allowed in time', () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    render(
      <ToolCallCards
        calls={[
          call({ id: '1', tool: 'Orders__cancel_order', server: 'Orders', status: 'awaiting_approval', arguments: { id: 'A-1' }, approval: { decision: 'pending', expiresAt } }),
          call({ id: '2', tool: 'Orders__cancel_order', server: 'Orders', status: 'denied', error: 'The user denied this call.', durationMs: 0, approval: { decision: 'denied', expiresAt } }),
          call({ id: '3', tool: 'Orders__cancel_order', server: 'Orders', status: 'denied', error: 'No reply.', durationMs: 0, approval: { decision: 'timed_out', expiresAt } }),
        ]}
        conversationId="conv"
        messageId="m1"
      />,
    );
    expect(screen.getByText('Orders__cancel_order (Orders) needs your approval')).toBeTruthy();
    expect(screen.getByText('Orders__cancel_order (Orders) needs your approval').closest('details')!.open).toBe(true);
    expect(screen.getByRole('button', { name: 'Allow' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Deny' })).toBeTruthy();
    expect(screen.getByText('Orders__cancel_order (Orders) denied')).toBeTruthy();
    expect(screen.getByText('Orders__cancel_order (Orders) not run: no approval in time')).toBeTruthy();
    expect(screen.getByText('The user denied this call.')).toBeTruthy();
  });
});
