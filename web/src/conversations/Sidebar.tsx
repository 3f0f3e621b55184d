import { useState } from 'react';
import type { Conversation } from '../api/types.js';
import { CloseIcon, PlusIcon, SearchIcon } from '../ui/icons.js';
import { navigate } from '../ui/route.js';
import { ConversationItem } from './ConversationItem.js';
import { groupByDate } from './dateGroups.js';
import { useConversationActions, useConversationList, useDeleteWithUndo } from './useConversations.js';

interface Props {
  activeId: string | null;
  open: boolean;
  onClose: () => void;
}

export function Sidebar({ activeId, open, onClose }: Props) {
  const [search, setSearch] = useState('');
  const [archived, setArchived] = useState(false);
  const list = useConversationList(search, archived);
  const actions = useConversationActions();
  const deletion = useDeleteWithUndo();
  const searching = search.trim().length > 0;
  const rows = list.rows.filter((c) => c.id !== deletion.pending?.id);

  const go = (path: string) => {
    navigate(path);
    onClose();
  };
  const remove = (c: Conversation) => {
    deletion.remove(c);
    if (c.id === activeId) navigate('/');
  };

  return (
    <nav className={`sidebar${open ? ' sidebar--open' : ''}`} aria-label="Conversations">
      <div className="sidebar__top">
        <button type="button" className="button button--primary sidebar__new" onClick={() => go('/')}>
          <PlusIcon /> New chat
        </button>
        <button type="button" className="icon-button sidebar__close" aria-label="Close sidebar" onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      <div className="search">
        <SearchIcon />
        <input type="search" aria-label="Search conversations" placeholder="Search your chats" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <div className="tabs" role="group" aria-label="Which conversations">
        <button type="button" aria-pressed={!archived} className={!archived ? 'tab tab--active' : 'tab'} onClick={() => setArchived(false)}>
          Chats
        </button>
        <button type="button" aria-pressed={archived} className={archived ? 'tab tab--active' : 'tab'} onClick={() => setArchived(true)}>
          Archived
        </button>
      </div>
      <div className="sidebar__list" aria-busy={list.isPlaceholderData || list.isPending}>
        {list.isError && (
          <p className="notice notice--error" role="alert">
            Could not load your conversations.
          </p>
        )}
        {list.data && rows.length === 0 && <p className="muted small sidebar__empty">{searching ? 'No conversation matches.' : archived ? 'Nothing archived.' : 'No conversations yet.'}</p>}
        {searching ? (
          <ul aria-label="Search results">
            {rows.map((c) => (
              <ConversationItem key={c.id} conversation={c} query={search} active={c.id === activeId} onOpen={() => go(`/c/${c.id}`)} actions={actions} onDelete={remove} />
            ))}
          </ul>
        ) : (
          groupByDate(rows, (c) => c.lastMessageAt).map((group) => (
            <section key={group.label} aria-label={group.label}>
              <h2 className="sidebar__group">{group.label}</h2>
              <ul>
                {group.items.map((c) => (
                  <ConversationItem key={c.id} conversation={c} query={search} active={c.id === activeId} onOpen={() => go(`/c/${c.id}`)} actions={actions} onDelete={remove} />
                ))}
              </ul>
            </section>
          ))
        )}
        {list.hasNextPage && (
          <button type="button" className="button button--ghost sidebar__more" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage ? 'Loading…' : 'Show older conversations'}
          </button>
        )}
      </div>
      {deletion.pending && (
        <div className="toast" role="status">
          <span>Deleted “{deletion.pending.title}”</span>
          <button type="button" className="button button--ghost" onClick={deletion.undo}>
            Undo
          </button>
        </div>
      )}
    </nav>
  );
}
