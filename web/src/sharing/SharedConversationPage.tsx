import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { continueShared, fetchShared } from '../api/sharing.js';
import { asApiError } from '../api/errors.js';
import type { SharedSource } from '../api/types.js';
import { linkCitations } from '../chat/citations.js';
import { keys } from '../chat/threadCache.js';
import { describeError } from '../ui/describeError.js';
import { FileIcon } from '../ui/icons.js';
import { navigate } from '../ui/route.js';

const Markdown = lazy(() => import('../chat/Markdown.js').then((m) => ({ default: m.Markdown })));

/** A conversation someone shared: read-only, as it was when shared, with "Continue in my chat". */
export function SharedConversationPage({ token }: { token: string }) {
  const client = useQueryClient();
  const shared = useQuery({ queryKey: ['shared', token], queryFn: ({ signal }) => fetchShared(token, signal), retry: false });
  const [problem, setProblem] = useState('');
  const [continuing, setContinuing] = useState(false);

  async function continueInMyChat() {
    setContinuing(true);
    try {
      const copy = await continueShared(token);
      await client.invalidateQueries({ queryKey: keys.conversations });
      navigate(`/c/${copy.id}`);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : 'The conversation could not be copied.');
      setContinuing(false);
    }
  }

  if (shared.isError) {
    const d = describeError(asApiError(shared.error));
    return (
      <section className="chat chat--empty">
        <div className="empty" role="alert">
          <h2>{asApiError(shared.error).status === 404 ? 'This shared conversation is not available' : d.title}</h2>
          <p className="muted">{asApiError(shared.error).status === 404 ? 'It was revoked, or it was not shared with you.' : d.detail}</p>
        </div>
      </section>
    );
  }
  const view = shared.data;
  return (
    <section className="chat shared" aria-label={view ? `Shared: ${view.title}` : 'Shared conversation'}>
      <div className="chat__scroll">
        <div className="chat__column">
          {!view ? (
            <p className="muted" role="status">
              Loading shared conversation…
            </p>
          ) : (
            <>
              <header className="shared__header">
                <h2>{view.title}</h2>
                <p className="muted small">
                  Shared by {view.owner.name} · {view.assistant.name} · as it was on {new Date(view.sharedAt).toLocaleString()} · read-only
                </p>
                {!view.passagesReadable && <p className="muted small">You may not read this assistant’s knowledge: sources show file names only.</p>}
              </header>
              {view.messages.map((m) =>
                m.role === 'user' ? (
                  <article key={m.id} className="message message--user" aria-label="Question">
                    <div className="message__bubble">{m.content}</div>
                  </article>
                ) : (
                  <article key={m.id} className="message message--assistant" aria-label="Answer">
                    <div className="message__body">
                      <Suspense fallback={<p className="plain">{m.content}</p>}>
                        <Markdown text={linkCitations(m.content, new Set(m.sources.map((s) => s.index)))} onCite={(index) => openSource(m.id, index)} />
                      </Suspense>
                      <SharedSources messageId={m.id} sources={m.sources} />
                    </div>
                  </article>
                ),
              )}
            </>
          )}
        </div>
      </div>
      {view && (
        <div className="chat__footer shared__footer">
          {problem && (
            <p className="notice notice--error" role="alert">
              {problem}
            </p>
          )}
          {view.can.continue ? (
            <button type="button" className="button button--primary" disabled={continuing} onClick={() => void continueInMyChat()}>
              Continue in my chat
            </button>
          ) : (
            <p className="muted small">You may not use {view.assistant.name}, so you cannot continue this conversation in your chat.</p>
          )}
        </div>
      )}
    </section>
  );
}

const sourceId = (messageId: string, index: number) => `shared-source-${messageId}-${index}`;

/** A citation [n] was clicked: open its source (when its passage is readable) and bring it into view. */
function openSource(messageId: string, index: number) {
  const source = document.getElementById(sourceId(messageId, index));
  if (source instanceof HTMLDetailsElement) source.open = true;
  source?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

function SharedSources({ messageId, sources }: { messageId: string; sources: SharedSource[] }) {
  if (sources.length === 0) return null;
  return (
    <section className="sources" aria-label="Sources">
      <h3 className="sources__title">Sources</h3>
      <ol className="sources__list">
        {sources.map((s) => (
          <li key={s.index} className="source">
            {s.text === null ? (
              <span className="source__summary" id={sourceId(messageId, s.index)}>
                <span className="source__index">{s.index}</span>
                <FileIcon />
                <span className="source__name">{s.fileName}</span>
              </span>
            ) : (
              <details id={sourceId(messageId, s.index)}>
                <summary>
                  <span className="source__index">{s.index}</span>
                  <FileIcon />
                  <span className="source__name">{s.fileName}</span>
                  {s.page !== null && <span className="source__where">page {s.page}</span>}
                </summary>
                <blockquote className="source__text">{s.text}</blockquote>
              </details>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
