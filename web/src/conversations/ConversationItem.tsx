import { useState, type KeyboardEvent } from 'react';
import { downloadExport } from '../api/endpoints.js';
import type { Conversation } from '../api/types.js';
import { MoreIcon } from '../ui/icons.js';
import { ShareDialog } from '../sharing/ShareDialog.js';
import { highlightParts } from './highlight.js';
import { useDismiss } from '../ui/useDismiss.js';
import type { useConversationActions } from './useConversations.js';

interface Props {
  conversation: Conversation;
  active: boolean;
  /** The search, to mark its words in the matching passage. */
  query: string;
  onOpen: () => void;
  onDelete: (c: Conversation) => void;
  actions: ReturnType<typeof useConversationActions>;
}

export function ConversationItem({ conversation: c, active, query, onOpen, onDelete, actions }: Props) {
  const [menu, setMenu] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [title, setTitle] = useState(c.title);
  const menuRef = useDismiss<HTMLDivElement>(menu, () => setMenu(false));

  function saveTitle() {
    setRenaming(false);
    const next = title.trim();
    if (next && next !== c.title) void actions.rename(c.id, next);
    else setTitle(c.title);
  }
  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter') saveTitle();
    if (e.key === 'Escape') {
      setTitle(c.title);
      setRenaming(false);
    }
  }
  const pick = (run: () => void) => () => {
    setMenu(false);
    run();
  };

  return (
    <li className={`conv${active ? ' conv--active' : ''}`}>
      {renaming ? (
        <input className="conv__rename" aria-label="Conversation title" value={title} onChange={(e) => setTitle(e.target.value)} onKeyDown={onKeyDown} onBlur={saveTitle} autoFocus />
      ) : (
        <button type="button" className="conv__open" onClick={onOpen} aria-current={active ? 'page' : undefined}>
          <span className="conv__title">{c.title}</span>
          {c.snippet && (
            <span className="conv__snippet">
              {highlightParts(c.snippet, query).map((part, i) => (part.hit ? <mark key={i}>{part.text}</mark> : part.text))}
            </span>
          )}
        </button>
      )}
      <div className="conv__menu" ref={menuRef}>
        <button type="button" className="icon-button" aria-label={`Actions for ${c.title}`} aria-haspopup="menu" aria-expanded={menu} onClick={() => setMenu(!menu)}>
          <MoreIcon />
        </button>
        {menu && (
          <div className="menu" role="menu">
            <button type="button" role="menuitem" onClick={pick(() => { setTitle(c.title); setRenaming(true); })}>
              Rename
            </button>
            <button type="button" role="menuitem" onClick={pick(() => setSharing(true))}>
              Share
            </button>
            <button type="button" role="menuitem" onClick={pick(() => void actions.archive(c.id, !c.archived))}>
              {c.archived ? 'Unarchive' : 'Archive'}
            </button>
            <button type="button" role="menuitem" onClick={pick(() => void downloadExport(c, 'md'))}>
              Export as Markdown
            </button>
            <button type="button" role="menuitem" onClick={pick(() => void downloadExport(c, 'json'))}>
              Export as JSON
            </button>
            <button type="button" role="menuitem" className="menu__danger" onClick={pick(() => onDelete(c))}>
              Delete
            </button>
          </div>
        )}
      </div>
      {sharing && <ShareDialog conversation={c} onClose={() => setSharing(false)} />}
    </li>
  );
}
