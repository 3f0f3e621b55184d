/** @jest-environment jsdom */
import { jest } from '@jest/globals';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { Composer } from '../../web/src/chat/Composer.js';

// The keys people rely on: Enter sends, Shift+Enter adds a line, Esc stops,
// and a refused question comes back into the box.

function setup(props: Partial<Parameters<typeof Composer>[0]> = {}) {
  const onSend = jest.fn(async (_content: string) => true);
  const onStop = jest.fn();
  const view = render(<Composer streaming={false} disabled={false} placeholder="Message" onSend={onSend} onStop={onStop} {...props} />);
  return { onSend, onStop, box: screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement, ...view };
}

describe('composer', () => {
  it('sends on Enter and clears the box', async () => {
    const { onSend, box } = setup();
    fireEvent.change(box, { target: { value: 'What is PDF.js?' } });
    await act(async () => {
      fireEvent.keyDown(box, { key: 'Enter' });
    });
    expect(onSend).toHaveBeenCalledWith('What is PDF.js?');
    expect(box.value).toBe('');
  });

  it('does not send on Shift+Enter, nor an empty question', async () => {
    const { onSend, box } = setup();
    fireEvent.change(box, { target: { value: '   ' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    fireEvent.change(box, { target: { value: 'line one' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Send message' })).toHaveProperty('disabled', false);
  });

  it('gives a refused question back', async () => {
    const { box } = setup({ onSend: async () => false });
    fireEvent.change(box, { target: { value: 'Over quota?' } });
    await act(async () => {
      fireEvent.keyDown(box, { key: 'Enter' });
    });
    expect(box.value).toBe('Over quota?');
  });

  it('stops with Esc anywhere on the page while an answer is written, and offers a stop button', () => {
    const { onStop, onSend, box } = setup({ streaming: true });
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(onStop).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByRole('button', { name: 'Stop answer' }));
    expect(onStop).toHaveBeenCalledTimes(2);
    fireEvent.change(box, { target: { value: 'queued?' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
  });
});
