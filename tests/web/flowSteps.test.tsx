/** @jest-environment jsdom */
import { render, screen } from '@testing-library/react';
import type { FlowStepRun, Message } from '../../web/src/api/types.js';
import { FlowSteps } from '../../web/src/chat/FlowSteps.js';
import { applySnapshot, applyStep, applyStepText, type Thread } from '../../web/src/chat/thread.js';

// A flow answer in the chat app: step records and step text land on the
// answer as they stream, and the steps before the last show collapsed.

const step = (over: Partial<FlowStepRun>): FlowStepRun => ({ index: 0, label: 'generate', model: 'm', status: 'running', text: '', promptTokens: null, completionTokens: null, ...over });

describe('flow steps in the chat app', () => {
  it('adds a step when it starts, appends its text, and takes the record it ends with', () => {
    const answer = { id: 'm1', role: 'assistant', content: '', toolCalls: [] } as unknown as Message;
    let thread: Thread = { messages: [answer], live: null };
    thread = applyStep(thread, { messageId: 'm1', step: step({}) });
    thread = applyStepText(thread, { messageId: 'm1', index: 0, text: 'Draft ' });
    thread = applyStepText(thread, { messageId: 'm1', index: 0, text: 'one.' });
    expect(thread.messages[0]!.steps).toEqual([step({ text: 'Draft one.' })]);
    thread = applyStep(thread, { messageId: 'm1', step: step({ status: 'done', text: 'Draft one.', promptTokens: 10, completionTokens: 3 }) });
    thread = applyStep(thread, { messageId: 'm1', step: step({ index: 1, label: 'critique' }) });
    expect(thread.messages[0]!.steps!.map((s) => [s.label, s.status, s.text])).toEqual([
      ['generate', 'done', 'Draft one.'],
      ['critique', 'running', ''],
    ]);
    expect(applyStepText(thread, { messageId: 'unknown', index: 0, text: 'x' })).toBe(thread);
    // A resume brings the steps so far.
    const resumed = applySnapshot({ messages: [answer], live: null }, { messageId: 'm1', seq: 0, text: '', steps: [step({ text: 'Dra' })] });
    expect(resumed.messages[0]!.steps).toEqual([step({ text: 'Dra' })]);
  });

  it('shows the steps before the last collapsed, with their model and state, and names the step writing the answer', () => {
    render(
      <FlowSteps
        steps={[
          step({ status: 'done', text: 'Draft one.' }),
          step({ index: 1, label: 'critique', model: 'critic', status: 'done', text: 'Too short.' }),
          step({ index: 2, label: 'refine', status: 'running' }),
        ]}
      />,
    );
    const details = [...document.querySelectorAll('details.flow-step')] as HTMLDetailsElement[];
    expect(details.map((d) => [d.dataset.step, d.open])).toEqual([
      ['generate', false],
      ['critique', false],
    ]);
    expect(screen.getByText('Step 2: critique').textContent).toContain('critic · done');
    expect(screen.getByText(/Step 3: refine/).textContent).toContain('writing the answer');
  });
});
