/** @jest-environment jsdom */
import { jest } from '@jest/globals';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { Message } from '../../web/src/api/types.js';
import { MessageItem } from '../../web/src/chat/MessageItem.js';

// The ‹ n / m › switch between versions of a question or an answer: real
// buttons named for screen readers, disabled at the ends and while busy,
// arrow keys stepping, and the focus handed to the version just shown.

const message = (over: Partial<Message> = {}): Message => ({
  id: 'm2',
  conversationId: 'c',
  parentId: 'q',
  fallbackFrom: null,
  role: 'assistant',
  content: 'Second answer',
  status: 'complete',
  model: 'test-model',
  usage: null,
  finishReason: 'stop',
  latencyMs: 10,
  sources: [],
  error: null,
  editHistory: [],
  branch: { index: 2, count: 3, previousId: 'm1', nextId: 'm3' },
  createdAt: new Date(0).toISOString(),
  ...over,
});

function setup(props: { message?: Message; busy?: boolean; versionBusy?: boolean; focusVersion?: 'previous' | 'next' } = {}) {
  const onShowVersion = jest.fn();
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MessageItem
      message={props.message ?? message()}
      assistant={undefined}
      streaming={false}
      failure={undefined}
      busy={props.busy ?? false}
      versionBusy={props.versionBusy}
      focusVersion={props.focusVersion}
      onRegenerate={() => undefined}
      onEdit={() => undefined}
      onShowVersion={onShowVersion}
      />
    </QueryClientProvider>,
  );
  return { onShowVersion };
}

describe('version switch', () => {
  it('steps to the neighbouring versions of an answer with real, named buttons', () => {
    const { onShowVersion } = setup();
    const group = screen.getByRole('group', { name: 'Versions of this answer' });
    expect(group.textContent).toContain('2 / 3');
    fireEvent.click(within(group).getByRole('button', { name: 'Previous version' }));
    fireEvent.click(within(group).getByRole('button', { name: 'Next version' }));
    expect(onShowVersion.mock.calls).toEqual([
      ['m1', 'previous'],
      ['m3', 'next'],
    ]);
  });

  it('steps with the arrow keys while the switch has the focus', () => {
    const { onShowVersion } = setup();
    const group = screen.getByRole('group', { name: 'Versions of this answer' });
    fireEvent.keyDown(within(group).getByRole('button', { name: 'Next version' }), { key: 'ArrowLeft' });
    fireEvent.keyDown(group, { key: 'ArrowRight' });
    fireEvent.keyDown(group, { key: 'Enter' });
    expect(onShowVersion.mock.calls).toEqual([
      ['m1', 'previous'],
      ['m3', 'next'],
    ]);
  });

  it('is disabled at the ends, and does nothing there', () => {
    const { onShowVersion } = setup({ message: message({ role: 'user', content: 'First question', branch: { index: 1, count: 2, previousId: null, nextId: 'q2' } }) });
    const group = screen.getByRole('group', { name: 'Versions of this question' });
    expect(within(group).getByRole('button', { name: 'Previous version' })).toHaveProperty('disabled', true);
    expect(within(group).getByRole('button', { name: 'Next version' })).toHaveProperty('disabled', false);
    fireEvent.keyDown(group, { key: 'ArrowLeft' });
    expect(onShowVersion).not.toHaveBeenCalled();
  });

  it('waits while an answer is being written or another switch is under way', () => {
    setup({ busy: true });
    for (const button of screen.getAllByRole('button', { name: /version$/ })) expect(button).toHaveProperty('disabled', true);
    const { onShowVersion } = setup({ versionBusy: true });
    fireEvent.click(screen.getAllByRole('button', { name: 'Next version' })[1]!);
    expect(onShowVersion).not.toHaveBeenCalled();
  });

  it('is not shown for a message with one version', () => {
    setup({ message: message({ branch: { index: 1, count: 1, previousId: null, nextId: null } }) });
    expect(screen.queryByRole('group', { name: /^Versions/ })).toBeNull();
  });

  it('takes the focus when its version was just switched to, on the other button at an end', () => {
    setup({ focusVersion: 'previous' });
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Previous version');
    cleanup();
    setup({ message: message({ branch: { index: 3, count: 3, previousId: 'm2', nextId: null } }), focusVersion: 'next' });
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Previous version');
  });
});
