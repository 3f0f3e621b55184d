import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { SavedPrompt } from '../api/types.js';
import { promptVariables } from './promptVariables.js';

/**
 * Asks for a prompt's `{{variables}}`; Enter fills the composer, Esc goes back
 * to it unchanged. Not a <form>: it opens inside the composer's form, and a
 * nested form's submit would reach the composer and send the question.
 */
export function PromptVariablesForm({ prompt, onDone }: { prompt: Pick<SavedPrompt, 'title' | 'text'>; onDone: (values: Record<string, string> | null) => void }) {
  const names = promptVariables(prompt.text);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(names.map((n) => [n, ''])));
  const titleId = useId();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  function onKeyDown(e: KeyboardEvent) {
    if (e.key !== 'Escape' && !(e.key === 'Enter' && e.target instanceof HTMLInputElement)) return;
    e.preventDefault();
    e.stopPropagation();
    onDone(e.key === 'Enter' ? values : null);
  }

  return (
    <div className="prompt-variables" role="dialog" aria-labelledby={titleId} onKeyDown={onKeyDown}>
      <p id={titleId}>
        <strong>{prompt.title}</strong>: fill in the blanks
      </p>
      {names.map((name, i) => (
        <label key={name}>
          {name}
          <input ref={i === 0 ? first : undefined} value={values[name] ?? ''} onChange={(e) => setValues({ ...values, [name]: e.target.value })} />
        </label>
      ))}
      <div className="prompt-variables__actions">
        <button type="button" className="button button--ghost" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="button" className="button button--primary" onClick={() => onDone(values)}>
          Use prompt
        </button>
      </div>
    </div>
  );
}
