import { useQuery } from '@tanstack/react-query';
import { fetchSharedWithMe } from '../api/sharing.js';
import { navigate } from '../ui/route.js';

const via = { user: 'with you', group: 'with a group of yours', link: 'by a link you opened' } as const;

/** Conversations colleagues shared with the user, their groups, or by a link they opened. */
export function SharedWithMePage() {
  const list = useQuery({ queryKey: ['shared-with-me'], queryFn: ({ signal }) => fetchSharedWithMe(signal) });
  return (
    <main className="prompts-page" aria-labelledby="shared-title">
      <h2 id="shared-title">Shared with me</h2>
      {list.isError && (
        <p className="notice notice--error" role="alert">
          Could not load what was shared with you.
        </p>
      )}
      {list.data && list.data.data.length === 0 && <p className="muted">Nothing has been shared with you yet.</p>}
      <ul aria-label="Shared conversations">
        {list.data?.data.map((s) => (
          <li key={s.id}>
            <a
              href={`/s/${s.token}`}
              onClick={(e) => {
                e.preventDefault();
                navigate(`/s/${s.token}`);
              }}
            >
              <strong>{s.title}</strong>
            </a>
            <span className="muted small">
              {s.owner.name} shared it {s.via === 'group' && s.group ? `with ${s.group.name}` : via[s.via]} · {s.assistant.name} · {new Date(s.sharedAt).toLocaleDateString()}
            </span>
          </li>
        ))}
      </ul>
    </main>
  );
}
