import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { addMemory, deleteAllMemories, deleteMemory, downloadMemories, keepMemory, setMemoryEnabled, updateMemory } from '../api/memory.js';
import type { Memory } from '../api/types.js';
import { memoriesKey, memorySettingsKey, useMemories, useMemorySettings } from './useMemories.js';

// The user's memory: the switch, what Atrium proposed (keep or discard), the
// kept notes (edit, delete), delete all, and an export. Only the user sees
// this; the notes go into their own prompts, labelled as their notes.

const ORIGIN: Record<Memory['origin'], string> = { explicit: 'You said “remember”', manual: 'Added here', proposed: 'Proposed by Atrium' };

export function MemoryPage() {
  const client = useQueryClient();
  const settings = useMemorySettings();
  const memories = useMemories();
  const [error, setError] = useState('');
  const refresh = () => Promise.all([client.invalidateQueries({ queryKey: memoriesKey }), client.invalidateQueries({ queryKey: memorySettingsKey })]);
  const run = useMutation({
    mutationFn: (action: () => Promise<unknown>) => action(),
    onSuccess: () => {
      setError('');
      return refresh();
    },
    onError: (e) => {
      setError((e as Error).message || 'That did not work. Please try again.');
      return refresh();
    },
  });
  const act = (action: () => Promise<unknown>) => run.mutate(action);

  const state = settings.data;
  const all = memories.data?.data ?? [];
  const proposed = all.filter((m) => m.status === 'proposed');
  const kept = all.filter((m) => m.status === 'kept');
  return (
    <main className="prompts-page memory-page" aria-labelledby="memory-title">
      <h2 id="memory-title">Memory</h2>
      <p className="muted">
        With memory on, start a message with “Remember that …” and Atrium keeps the note; after a conversation it may propose notes for you to keep. Kept notes relevant to a question are added to
        your prompts as your own notes, and shown under the answer. Only you see them.
      </p>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {state && (
        <label className="memory-switch">
          <input
            type="checkbox"
            checked={state.enabled}
            disabled={run.isPending}
            onChange={(e) => {
              const enabled = e.target.checked;
              // Shown at once; the server's answer (or a refusal) settles it.
              client.setQueryData(memorySettingsKey, { ...state, enabled, active: enabled && state.allowed });
              act(() => setMemoryEnabled(enabled));
            }}
          />
          Use memory
        </label>
      )}
      {state && !state.allowed && (
        <p className="notice" role="status">
          An administrator has turned memory off for one of your groups. Your notes are kept, but not used or added to.
        </p>
      )}
      {state?.active && <NoteEditor submitLabel="Add" label="New memory" onSave={(text) => act(() => addMemory(text))} />}

      {proposed.length > 0 && (
        <section aria-labelledby="memory-proposed">
          <h3 id="memory-proposed">Proposed ({proposed.length})</h3>
          <ul>
            {proposed.map((m) => (
              <li key={m.id}>
                <span>{m.text}</span>
                <div className="feedback__actions">
                  <button type="button" className="button button--primary" disabled={!state?.active} onClick={() => act(() => keepMemory(m.id))} aria-label={`Keep “${m.text}”`}>
                    Keep
                  </button>
                  <button type="button" className="button button--ghost" onClick={() => act(() => deleteMemory(m.id))} aria-label={`Discard “${m.text}”`}>
                    Discard
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="memory-kept">
        <h3 id="memory-kept">Kept</h3>
        {memories.data && kept.length === 0 && <p className="muted">No memories yet.</p>}
        <ul>
          {kept.map((m) => (
            <KeptMemory key={m.id} memory={m} onSave={(text) => act(() => updateMemory(m.id, text))} onDelete={() => act(() => deleteMemory(m.id))} />
          ))}
        </ul>
      </section>

      <div className="feedback__actions">
        <button type="button" className="button button--ghost" onClick={() => act(() => downloadMemories('md'))}>
          Export Markdown
        </button>
        <button type="button" className="button button--ghost" onClick={() => act(() => downloadMemories('json'))}>
          Export JSON
        </button>
        {all.length > 0 && (
          <button
            type="button"
            className="button button--ghost"
            onClick={() => {
              if (window.confirm('Delete all your memories and proposals? This cannot be undone.')) act(() => deleteAllMemories());
            }}
          >
            Delete all
          </button>
        )}
      </div>
    </main>
  );
}

function KeptMemory({ memory, onSave, onDelete }: { memory: Memory; onSave: (text: string) => void; onDelete: () => void }) {
  const [editing, setEditing] = useState(false);
  if (editing) {
    return (
      <li>
        <NoteEditor
          initial={memory.text}
          label={`Edit “${memory.text}”`}
          submitLabel="Save"
          onSave={(text) => {
            onSave(text);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      </li>
    );
  }
  return (
    <li>
      <span>{memory.text}</span>
      <span className="muted small">
        {ORIGIN[memory.origin]} · {new Date(memory.createdAt).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })}
      </span>
      <div className="feedback__actions">
        <button type="button" className="button button--ghost" onClick={() => setEditing(true)} aria-label={`Edit “${memory.text}”`}>
          Edit
        </button>
        <button type="button" className="button button--ghost" onClick={onDelete} aria-label={`Delete “${memory.text}”`}>
          Delete
        </button>
      </div>
    </li>
  );
}

function NoteEditor({ initial, label, submitLabel, onSave, onCancel }: { initial?: string; label: string; submitLabel: string; onSave: (text: string) => void; onCancel?: () => void }) {
  const [text, setText] = useState(initial ?? '');
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    onSave(text.trim());
    if (initial === undefined) setText('');
  }
  return (
    <form onSubmit={submit} aria-label={label}>
      <label>
        {initial === undefined ? 'Add a note' : 'Note'}
        <input value={text} onChange={(e) => setText(e.target.value)} maxLength={1000} required placeholder={initial === undefined ? 'e.g. I work in the Berlin office' : undefined} />
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
