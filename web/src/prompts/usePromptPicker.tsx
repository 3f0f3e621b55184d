import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { fetchPrompts } from '../api/staff.js';
import type { SavedPrompt } from '../api/types.js';
import { PromptVariablesForm } from './PromptVariablesForm.js';
import { fillPrompt, promptVariables } from './promptVariables.js';

// Typing `/` at the start of the composer opens a searchable list of the saved
// prompts the user may use (their own and those published to their groups).
// Arrows move, Enter chooses, Esc closes. A prompt with variables asks for
// them in a small form before it fills the composer.

interface PromptPicker {
  /** Handles the keys the picker owns; true when the composer should not act on the key. */
  onKeyDown: (e: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  /** ARIA wiring for the composer's text box. */
  inputProps: { 'aria-controls'?: string; 'aria-activedescendant'?: string; 'aria-autocomplete': 'list' };
  /** The list, or the variables form, to render above the composer. */
  element: ReactNode;
}

export function usePromptPicker(text: string, setText: (text: string) => void, input: RefObject<HTMLTextAreaElement | null>): PromptPicker {
  const listId = useId();
  const [dismissed, setDismissed] = useState(false);
  const [prompts, setPrompts] = useState<SavedPrompt[]>([]);
  const [selected, setSelected] = useState(0);
  const [filling, setFilling] = useState<SavedPrompt | null>(null);
  const [error, setError] = useState('');
  const open = text.startsWith('/') && !text.includes('\n') && !dismissed && !filling;
  const query = text.slice(1).trim();
  const latest = useRef(0);

  // A new `/` opens the list again after an Esc.
  useEffect(() => {
    if (!text.startsWith('/')) setDismissed(false);
  }, [text]);

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    const call = ++latest.current;
    const timer = setTimeout(() => {
      fetchPrompts({ q: query || undefined }, controller.signal).then(
        (page) => {
          if (call !== latest.current) return;
          setPrompts(page.data);
          setSelected(0);
          setError('');
        },
        () => {
          if (!controller.signal.aborted) setError('Prompts could not be loaded.');
        },
      );
    }, 120);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [open, query]);

  function choose(prompt: SavedPrompt) {
    if (promptVariables(prompt.text).length > 0) setFilling(prompt);
    else {
      setText(prompt.text);
      input.current?.focus();
    }
  }
  function finish(filled: string | null) {
    setFilling(null);
    if (filled !== null) setText(filled);
    else setDismissed(true);
    input.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>): boolean {
    if (!open) return false;
    const count = prompts.length;
    if (e.key === 'ArrowDown' && count) setSelected((i) => (i + 1) % count);
    else if (e.key === 'ArrowUp' && count) setSelected((i) => (i - 1 + count) % count);
    else if (e.key === 'Enter' && !e.shiftKey && count) choose(prompts[selected]!);
    else if (e.key === 'Escape') setDismissed(true);
    else return false;
    e.preventDefault();
    return true;
  }

  const optionId = (i: number) => `${listId}-option-${i}`;
  let element: ReactNode = null;
  if (filling) {
    element = <PromptVariablesForm prompt={filling} onDone={(values) => finish(values ? fillPrompt(filling.text, values) : null)} />;
  } else if (open) {
    element = (
      <div className="prompt-picker">
        {error && <p role="alert">{error}</p>}
        {!error && prompts.length === 0 && <p className="muted small">No saved prompts{query ? ` match “${query}”` : ''}. Save some on the Prompts page (account menu).</p>}
        <ul role="listbox" id={listId} aria-label="Saved prompts">
          {prompts.map((p, i) => (
            <li
              key={p.id}
              id={optionId(i)}
              role="option"
              aria-selected={i === selected}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(p);
              }}
            >
              {p.title}
              <span className="prompt-picker__text">{p.text}</span>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return {
    onKeyDown,
    inputProps: { 'aria-autocomplete': 'list', ...(open ? { 'aria-controls': listId, 'aria-activedescendant': prompts.length ? optionId(selected) : undefined } : {}) },
    element,
  };
}
