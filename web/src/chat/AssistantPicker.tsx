import type { Assistant } from '../api/types.js';
import { FirstRunChecklist } from '../setup/SetupChecklist.js';
import { navigate } from '../ui/route.js';
import { AssistantAvatar } from './AssistantAvatar.js';

/** The start screen: the assistants this user may use (the API lists no others). */
export function AssistantPicker({ assistants, loading, isAdmin = false }: { assistants: Assistant[]; loading: boolean; isAdmin?: boolean }) {
  return (
    <section className="picker" aria-labelledby="picker-title">
      <h1 id="picker-title">Who would you like to ask?</h1>
      {/* First run: the administrator is the one to ask, so they get the setup steps until all are done. */}
      {isAdmin && <FirstRunChecklist />}
      {loading && (
        <p className="muted" role="status">
          Loading assistants…
        </p>
      )}
      {!loading && assistants.length === 0 && !isAdmin && (
        <p className="muted">No assistant is shared with you yet. Ask an administrator to add you to a group that has one.</p>
      )}
      <ul className="picker__grid">
        {assistants.map((a) => (
          <li key={a.id}>
            <button type="button" className="assistant-card" onClick={() => navigate(`/new/${a.id}`)}>
              <AssistantAvatar assistant={a} size={44} />
              <span className="assistant-card__text">
                <span className="assistant-card__name">{a.name}</span>
                <span className="assistant-card__description">{a.description || 'No description'}</span>
                {a.knowledgeOnly && <span className="badge">Answers only from its knowledge</span>}
                {a.searchMode && (
                  <span className="badge" title="No model is connected yet: it answers with the best passages from its knowledge">
                    Search mode
                  </span>
                )}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
