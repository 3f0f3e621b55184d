import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import { createShare, fetchMyGroups, fetchShares, revokeShare, shareUrl, type ShareTarget } from '../api/sharing.js';
import type { Conversation, ConversationShare } from '../api/types.js';
import { CopyButton } from '../ui/CopyButton.js';
import { CloseIcon } from '../ui/icons.js';

/**
 * Shares a conversation read-only: with a colleague by e-mail (staff cannot
 * list users, the server resolves the address), with one of the user's
 * groups, or as a link for anyone signed in; lists the shares and revokes them.
 */
export function ShareDialog({ conversation, onClose }: { conversation: Pick<Conversation, 'id' | 'title'>; onClose: () => void }) {
  const titleId = useId();
  const [shares, setShares] = useState<ConversationShare[] | null>(null);
  const [groups, setGroups] = useState<{ id: string; name: string }[]>([]);
  const [email, setEmail] = useState('');
  const [groupId, setGroupId] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    fetchShares(conversation.id).then(
      (page) => setShares(page.data),
      (e: Error) => setError(e.message),
    );
  }, [conversation.id]);
  useEffect(load, [load]);
  useEffect(() => {
    fetchMyGroups().then(setGroups, () => setGroups([]));
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    try {
      await action();
      setError('');
      load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  const share = (target: ShareTarget) => run(() => createShare(conversation.id, target));
  function shareWithPerson(e: FormEvent) {
    e.preventDefault();
    if (email.trim()) void share({ audience: 'user', email: email.trim() }).then(() => setEmail(''));
  }
  function shareWithGroup(e: FormEvent) {
    e.preventDefault();
    if (groupId) void share({ audience: 'group', groupId });
  }

  return createPortal(
    <div className="modal" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <section className="modal__panel share-dialog" role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <header className="modal__header">
          <h2 id={titleId}>Share “{conversation.title}”</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
            <CloseIcon />
          </button>
        </header>
        <p className="muted small">
          Read-only, as the conversation is now: later messages are not shared. Passages from the sources are shown only to people who may use this
          assistant; others see the file names.
        </p>
        {error && (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        )}
        <form className="share-dialog__row" onSubmit={shareWithPerson}>
          <input type="email" aria-label="Colleague’s e-mail" placeholder="Colleague’s e-mail" value={email} onChange={(e) => setEmail(e.target.value)} required />
          <button type="submit" className="button" disabled={busy}>
            Share
          </button>
        </form>
        {groups.length > 0 && (
          <form className="share-dialog__row" onSubmit={shareWithGroup}>
            <select aria-label="Group" value={groupId} onChange={(e) => setGroupId(e.target.value)} required>
              <option value="">Choose one of your groups…</option>
              {groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
            <button type="submit" className="button" disabled={busy}>
              Share with group
            </button>
          </form>
        )}
        <button type="button" className="button" disabled={busy} onClick={() => void share({ audience: 'link' })}>
          Create a link for anyone signed in
        </button>
        <h3 className="share-dialog__subtitle">Shared with</h3>
        {shares && shares.length === 0 && <p className="muted small">Not shared yet.</p>}
        <ul className="share-dialog__list" aria-label="Shares">
          {shares?.map((s) => (
            <li key={s.id}>
              <span className="share-dialog__who">
                {s.audience === 'user' ? `${s.user?.name} (${s.user?.email})` : s.audience === 'group' ? `Group ${s.group?.name}` : 'Anyone signed in with the link'}
                <span className="muted small">
                  {' '}
                  · {new Date(s.createdAt).toLocaleString()} · {s.viewers === 0 ? 'not opened yet' : s.viewers === 1 ? 'opened by 1 person' : `opened by ${s.viewers} people`}
                </span>
              </span>
              {s.audience === 'link' && (
                <span className="share-dialog__link">
                  <input readOnly aria-label="Share link" value={shareUrl(s.token)} onFocus={(e) => e.target.select()} />
                  <CopyButton text={shareUrl(s.token)} label="Copy link" />
                </span>
              )}
              <button type="button" className="button button--ghost menu__danger" disabled={busy} onClick={() => void run(() => revokeShare(s.id))}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>,
    document.body,
  );
}
