import { useState } from 'react';
import type { User } from '../api/types.js';
import { useProposalCount } from '../memory/useMemories.js';
import { navigate } from './route.js';
import { useDismiss } from './useDismiss.js';

export function UserMenu({ user, onSignOut }: { user: User; onSignOut: () => void }) {
  const [open, setOpen] = useState(false);
  const ref = useDismiss<HTMLDivElement>(open, () => setOpen(false));
  // Memory proposals wait quietly: a badge here, the list on the Memory page.
  const proposals = useProposalCount();
  const pages = [
    { path: '/prompts', label: 'My prompts' },
    { path: '/memory', label: `Memory${proposals > 0 ? ` (${proposals} to review)` : ''}` },
    { path: '/shared', label: 'Shared with me' },
    { path: '/tokens', label: 'Access tokens' },
  ];
  return (
    <div className="user-menu" ref={ref}>
      <button type="button" className="user-menu__initial" aria-label={`Account: ${user.name}${proposals ? ` (${proposals} memory proposals)` : ''}`} aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        {user.name.charAt(0).toUpperCase()}
        {proposals > 0 && <span className="badge" aria-hidden="true">{proposals}</span>}
      </button>
      {open && (
        <div className="menu" role="menu">
          <p className="menu__header">
            <strong>{user.name}</strong>
            <span className="muted small">{user.email}</span>
          </p>
          {pages.map(({ path, label }) => (
            <button
              key={path}
              type="button"
              role="menuitem"
              onClick={() => {
                setOpen(false);
                navigate(path);
              }}
            >
              {label}
            </button>
          ))}
          {user.role !== 'user' && (
            <a role="menuitem" href="/admin/">
              Admin console
            </a>
          )}
          <button type="button" role="menuitem" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
