/** @jest-environment jsdom */
import { jest } from '@jest/globals';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { Composer } from '../../web/src/chat/Composer.js';
import { fillPrompt, promptVariables } from '../../web/src/prompts/promptVariables.js';

// Saved prompts in the composer: `{{variables}}` are found and filled, and `/`
// opens the list, chosen with the keyboard, asking for the variables first.

describe('prompt variables', () => {
  it('lists each variable once, in order of first appearance, spaces inside braces allowed', () => {
    expect(promptVariables('Dear {{customer}}, about {{ order.id }} … {{customer}} {{ }} {{bad name}}')).toEqual(['customer', 'order.id']);
    expect(promptVariables('No blanks here')).toEqual([]);
  });

  it('fills every occurrence and leaves unknown names as written', () => {
    expect(fillPrompt('Dear {{customer}}, {{ customer }} ordered {{item}}.', { customer: 'Ada' })).toBe('Dear Ada, Ada ordered {{item}}.');
    // Replacement text is taken literally (no `$&` patterns).
    expect(fillPrompt('Pay {{amount}}', { amount: '$& 5' })).toBe('Pay $& 5');
  });
});

describe('`/` in the composer', () => {
  const prompts = [
    { id: 'p1', title: 'Reply to a customer', text: 'Write a reply to {{customer}} about {{topic}}.', variables: ['customer', 'topic'], owner: { id: 'u', name: 'Me' }, mine: true, groups: [], createdAt: '', updatedAt: '' },
    { id: 'p2', title: 'Summarise', text: 'Summarise this in three bullet points.', variables: [], owner: { id: 'u', name: 'Me' }, mine: true, groups: [], createdAt: '', updatedAt: '' },
  ];
  let requested: string[];

  beforeEach(() => {
    requested = [];
    globalThis.fetch = jest.fn(async (url: string | URL | Request) => {
      requested.push(String(url));
      const q = new URL(String(url), 'http://localhost').searchParams.get('q')?.toLowerCase();
      const data = prompts.filter((p) => !q || p.title.toLowerCase().includes(q) || p.text.toLowerCase().includes(q));
      // jsdom has no Response: what apiFetch reads of one.
      return { ok: true, status: 200, json: async () => ({ data, total: data.length, page: 1, pageSize: 50 }) } as Response;
    }) as unknown as typeof fetch;
  });

  function setup() {
    const onSend = jest.fn(async (_content: string) => true);
    render(<Composer streaming={false} disabled={false} placeholder="Message" onSend={onSend} onStop={() => undefined} />);
    return { onSend, box: screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement };
  }
  const type = async (box: HTMLTextAreaElement, value: string) => {
    fireEvent.change(box, { target: { value } });
    await act(async () => new Promise((r) => setTimeout(r, 200)));
  };

  it('searches, moves with the arrows, asks for the variables and fills the composer without sending', async () => {
    const { onSend, box } = setup();
    await type(box, '/');
    const options = screen.getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual([expect.stringContaining('Reply to a customer'), expect.stringContaining('Summarise')]);
    expect(options[0]!.getAttribute('aria-selected')).toBe('true');
    expect(box.getAttribute('aria-activedescendant')).toBe(options[0]!.id);

    fireEvent.keyDown(box, { key: 'ArrowDown' });
    expect(screen.getAllByRole('option')[1]!.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(box, { key: 'ArrowUp' });

    await type(box, '/reply');
    expect(requested.at(-1)).toContain('q=reply');
    expect(screen.getAllByRole('option')).toHaveLength(1);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();

    const form = screen.getByRole('dialog', { name: /Reply to a customer/ });
    const customer = screen.getByRole('textbox', { name: 'customer' });
    expect(document.activeElement).toBe(customer);
    fireEvent.change(customer, { target: { value: 'Ada Lovelace' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'topic' }), { target: { value: 'the late delivery' } });
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'topic' }), { key: 'Enter' });

    expect(form.isConnected).toBe(false);
    expect(box.value).toBe('Write a reply to Ada Lovelace about the late delivery.');
    expect(onSend).not.toHaveBeenCalled();
  });

  it('fills a prompt without variables at once; Esc closes the list and leaves the text', async () => {
    const { box } = setup();
    await type(box, '/summ');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(box.value).toBe('Summarise this in three bullet points.');
    expect(screen.queryByRole('listbox')).toBeNull();

    await type(box, '/anything');
    expect(screen.getByRole('listbox')).toBeTruthy();
    fireEvent.keyDown(box, { key: 'Escape' });
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(box.value).toBe('/anything');
  });

  it('Esc in the variables form goes back to the composer unchanged', async () => {
    const { box } = setup();
    await type(box, '/reply');
    fireEvent.keyDown(box, { key: 'Enter' });
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'customer' }), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(box.value).toBe('/reply');
    expect(document.activeElement).toBe(box);
  });
});
