import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { createMyToken, fetchConversations, fetchMyTokens, revokeMyToken } from '../api/endpoints.js';
import type { Assistant, CreatedPersonalToken } from '../api/types.js';
import { CopyButton } from '../ui/CopyButton.js';
import { navigate } from '../ui/route.js';
import { mcpSnippet, openAiSnippet } from './snippets.js';

// Personal access tokens for scripts, IDEs and MCP clients: create one (shown
// once, to copy), see when each was last used, revoke. Tokens act as you.

const SCOPES = [
  { id: 'chat', label: 'Chat', hint: 'ask assistants (OpenAI-compatible API, conversations)' },
  { id: 'knowledge:read', label: 'Knowledge search', hint: 'search assistants’ knowledge' },
  { id: 'mcp', label: 'MCP', hint: 'use Atrium from an MCP client' },
] as const;

const tokensKey = ['me', 'tokens'] as const;
const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' }) : 'never');

export function TokensPage({ assistants }: { assistants: Assistant[] }) {
  const client = useQueryClient();
  const tokens = useQuery({ queryKey: tokensKey, queryFn: ({ signal }) => fetchMyTokens(signal) });
  // Conversations other tools started stay out of the sidebar; they are found here.
  const fromTools = useQuery({
    queryKey: ['conversations', 'from-tools'],
    queryFn: async ({ signal }) => (await fetchConversations({ source: 'all', archived: false, pageSize: 100 }, signal)).data.filter((c) => c.source !== 'chat').slice(0, 20),
  });
  const [name, setName] = useState('');
  const [days, setDays] = useState(90);
  const [scopes, setScopes] = useState<string[]>(['chat']);
  const [created, setCreated] = useState<CreatedPersonalToken | null>(null);
  const create = useMutation({
    mutationFn: () => createMyToken({ name: name.trim(), expiresInDays: days, scopes }),
    onSuccess: (token) => {
      setCreated(token);
      setName('');
      void client.invalidateQueries({ queryKey: tokensKey });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => revokeMyToken(id),
    onSuccess: (_r, id) => {
      if (created?.id === id) setCreated(null);
      void client.invalidateQueries({ queryKey: tokensKey });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (name.trim() && scopes.length) create.mutate();
  }

  const origin = window.location.origin;
  const shownToken = created?.token ?? 'atr_…';
  const assistantId = assistants[0]?.id ?? '<assistant id>';

  return (
    <section className="tokens" aria-labelledby="tokens-title">
      <h2 id="tokens-title">Access tokens</h2>
      <p className="muted">
        Tokens let scripts, IDE assistants and MCP clients use Atrium as you, under your permissions and usage limits. Treat them like passwords.
      </p>

      <form className="tokens__form" onSubmit={submit}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. laptop scripts" maxLength={100} required />
        </label>
        <label>
          Expires in (days)
          <input type="number" min={1} max={3650} value={days} onChange={(e) => setDays(Number(e.target.value))} />
        </label>
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope.id} className="tokens__scope">
              <input
                type="checkbox"
                checked={scopes.includes(scope.id)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, scope.id] : scopes.filter((s) => s !== scope.id))}
              />
              {scope.label} <span className="muted small">{scope.hint}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" className="button button--primary" disabled={create.isPending || !name.trim() || scopes.length === 0}>
          Create token
        </button>
        {create.error && (
          <p className="notice notice--error" role="alert">
            {create.error.message}
          </p>
        )}
      </form>

      {created && (
        <div className="notice notice--info tokens__created" role="status">
          <p>
            <strong>Copy your new token now.</strong> It will not be shown again.
          </p>
          <p className="tokens__secret">
            <code data-testid="new-token">{created.token}</code>
            <CopyButton text={created.token} label="Copy token" />
          </p>
        </div>
      )}

      <h3>Your tokens</h3>
      {tokens.isPending ? (
        <p className="muted">Loading…</p>
      ) : tokens.data?.data.length ? (
        <table className="tokens__table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Token</th>
              <th>Scopes</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Expires</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {tokens.data.data.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>
                  <code>{token.prefix}…</code>
                </td>
                <td>{token.scopes.join(', ')}</td>
                <td>{day(token.createdAt)}</td>
                <td>{day(token.lastUsedAt)}</td>
                <td>{day(token.expiresAt)}</td>
                <td>
                  <button
                    type="button"
                    className="button"
                    aria-label={`Revoke ${token.name}`}
                    disabled={revoke.isPending}
                    onClick={() => {
                      if (window.confirm(`Revoke “${token.name}”? Anything using it stops working at once.`)) revoke.mutate(token.id);
                    }}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No tokens yet.</p>
      )}

      <h3>Conversations from other tools</h3>
      {fromTools.data?.length ? (
        <ul className="tokens__conversations">
          {fromTools.data.map((c) => (
            <li key={c.id}>
              <a
                href={`/c/${c.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/c/${c.id}`);
                }}
              >
                {c.title}
              </a>{' '}
              <span className="muted small">
                {c.source === 'mcp' ? 'MCP' : 'API'} · {day(c.lastMessageAt)}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">Questions asked through the API or an MCP client are kept here, out of the sidebar.</p>
      )}

      <h3>Use it</h3>
      <p className="muted small">With the official OpenAI SDK (Node; Python works the same way), an assistant’s id is the model:</p>
      <Snippet text={openAiSnippet(origin, shownToken, assistantId)} label="Copy OpenAI SDK example" />
      <p className="muted small">In an MCP client (a token with the MCP scope):</p>
      <Snippet text={mcpSnippet(origin, shownToken)} label="Copy MCP configuration" />
    </section>
  );
}

function Snippet({ text, label }: { text: string; label: string }) {
  return (
    <div className="tokens__snippet">
      <pre>
        <code>{text}</code>
      </pre>
      <CopyButton text={text} label={label} />
    </div>
  );
}
