import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { createPrompt, deletePrompt, fetchPrompts, updatePrompt } from '../api/staff.js';
import type { SavedPrompt } from '../api/types.js';
import { promptVariables } from './promptVariables.js';

/** The user's own saved prompts: add, change, delete. Published ones are listed, read-only. */
export function PromptsPage() {
  const [prompts, setPrompts] = useState<SavedPrompt[] | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(() => {
    fetchPrompts({ scope: 'available' }).then(
      (page) => setPrompts(page.data),
      () => setError('Prompts could not be loaded.'),
    );
  }, []);
  useEffect(load, [load]);

  async function run(action: () => Promise<unknown>) {
    try {
      await action();
      setError('');
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const own = prompts?.filter((p) => p.mine) ?? [];
  const shared = prompts?.filter((p) => !p.mine) ?? [];
  return (
    <main className="prompts-page" aria-labelledby="prompts-title">
      <h2 id="prompts-title">Prompts</h2>
      <p className="muted">
        Type <kbd>/</kbd> at the start of a message to use one. Write <code>{'{{name}}'}</code> for a blank you fill in each time.
      </p>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      <PromptEditor submitLabel="Save prompt" onSave={(input) => run(() => createPrompt(input))} />
      <h3>My prompts</h3>
      {prompts && own.length === 0 && <p className="muted">None yet.</p>}
      <ul>
        {own.map((p) => (
          <OwnPrompt key={p.id} prompt={p} onSave={(input) => run(() => updatePrompt(p.id, input))} onDelete={() => run(() => deletePrompt(p.id))} />
        ))}
      </ul>
      {shared.length > 0 && (
        <>
          <h3>Shared with my groups</h3>
          <ul>
            {shared.map((p) => (
              <li key={p.id}>
                <strong>{p.title}</strong>
                <span className="muted small">From {p.owner.name}</span>
                <span>{p.text}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </main>
  );
}

function OwnPrompt({ prompt, onSave, onDelete }: { prompt: SavedPrompt; onSave: (input: { title: string; text: string }) => Promise<void>; onDelete: () => void }) {
  const [editing, setEditing] = useState(false);
  if (editing) {
    return (
      <li>
        <PromptEditor
          initial={prompt}
          submitLabel="Save changes"
          onSave={async (input) => {
            await onSave(input);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      </li>
    );
  }
  const variables = promptVariables(prompt.text);
  return (
    <li>
      <strong>{prompt.title}</strong>
      <span>{prompt.text}</span>
      {variables.length > 0 && <span className="muted small">Asks for: {variables.join(', ')}</span>}
      {prompt.groups.length > 0 && <span className="muted small">Published to {prompt.groups.map((g) => g.name).join(', ')}</span>}
      <div className="feedback__actions">
        <button type="button" className="button button--ghost" onClick={() => setEditing(true)} aria-label={`Edit ${prompt.title}`}>
          Edit
        </button>
        <button type="button" className="button button--ghost" onClick={onDelete} aria-label={`Delete ${prompt.title}`}>
          Delete
        </button>
      </div>
    </li>
  );
}

function PromptEditor({ initial, submitLabel, onSave, onCancel }: { initial?: { title: string; text: string }; submitLabel: string; onSave: (input: { title: string; text: string }) => Promise<void>; onCancel?: () => void }) {
  const [title, setTitle] = useState(initial?.title ?? '');
  const [text, setText] = useState(initial?.text ?? '');
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!title.trim() || !text.trim()) return;
    await onSave({ title: title.trim(), text: text.trim() });
    if (!initial) {
      setTitle('');
      setText('');
    }
  }
  return (
    <form onSubmit={submit} aria-label={initial ? `Edit ${initial.title}` : 'New prompt'}>
      <label>
        Title
        <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} required />
      </label>
      <label>
        Text
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} required />
      </label>
      <div className="feedback__actions">
        {onCancel && (
          <button type="button" className="button button--ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="button button--primary">
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
