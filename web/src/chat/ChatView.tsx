import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { createConversation } from '../api/endpoints.js';
import { asApiError, type ApiError } from '../api/errors.js';
import type { Assistant } from '../api/types.js';
import { quotaRefused } from '../quota/quotaState.js';
import { describeError } from '../ui/describeError.js';
import { navigate } from '../ui/route.js';
import { AssistantAvatar } from './AssistantAvatar.js';
import { Composer } from './Composer.js';
import { MessageItem, type VersionStep } from './MessageItem.js';
import { request } from './socket.js';
import { keys, toThread } from './threadCache.js';
import { useConnection } from './useConnection.js';
import { useConversation } from './useConversation.js';

interface Props {
  /** null: a new conversation, created on the first question. */
  conversationId: string | null;
  assistantId: string | null;
  assistants: Assistant[];
}

export function ChatView({ conversationId, assistantId, assistants }: Props) {
  const client = useQueryClient();
  const chat = useConversation(conversationId);
  const connection = useConnection();
  const [problem, setProblem] = useState<ApiError | null>(null);
  // The conversation made by the first question keeps the composer it was typed in (and a refused question stays there).
  const createdHere = useRef<string | null>(null);
  // The version switched to, whose switch takes the focus once it is shown; and no second switch meanwhile.
  const [switched, setSwitched] = useState<{ messageId: string; direction: VersionStep } | null>(null);
  const [switching, setSwitching] = useState(false);
  const thread = chat.thread;
  const assistant = assistants.find((a) => a.id === (thread?.assistantId ?? assistantId));

  useEffect(() => setProblem(null), [conversationId]);

  const fail = useCallback(
    (error: unknown) => {
      const e = asApiError(error);
      if (e.code === 'quota_exceeded') quotaRefused(client, e);
      else setProblem(e);
    },
    [client],
  );

  async function send(content: string): Promise<boolean> {
    setProblem(null);
    try {
      if (conversationId) {
        await chat.send(content);
        return true;
      }
      // The first question creates the conversation, so unanswered empty ones never pile up.
      const created = await createConversation(assistantId!);
      createdHere.current = created.id;
      client.setQueryData(keys.conversation(created.id), toThread({ ...created, messages: [], streaming: null }));
      navigate(`/c/${created.id}`, true);
      await request('chat:send', { conversationId: created.id, content });
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  }

  // Attaching in a new chat creates its conversation first: an attachment always belongs to one (docs/attachments.md).
  const conversationForAttachments = useRef<string | null>(null);
  conversationForAttachments.current = conversationId ?? createdHere.current;
  const ensureConversation = useCallback(async () => {
    if (conversationForAttachments.current) return conversationForAttachments.current;
    const created = await createConversation(assistantId!);
    createdHere.current = created.id;
    conversationForAttachments.current = created.id;
    client.setQueryData(keys.conversation(created.id), toThread({ ...created, messages: [], streaming: null }));
    navigate(`/c/${created.id}`, true);
    return created.id;
  }, [assistantId, client]);

  const act = (run: () => Promise<void>) => {
    setProblem(null);
    run().catch(fail);
  };
  const showVersion = (messageId: string, direction: VersionStep) => {
    setSwitching(true);
    act(async () => {
      try {
        await chat.showVersion(messageId);
        setSwitched({ messageId, direction });
      } finally {
        setSwitching(false);
      }
    });
  };
  const stop = useCallback(() => void chat.stop().catch(() => undefined), [chat.stop]);

  const scroller = useFollowScroll(thread?.messages.at(-1)?.content.length ?? 0, thread?.messages.length ?? 0);

  if (conversationId && chat.query.isError) {
    const d = describeError(asApiError(chat.query.error));
    return (
      <section className="chat chat--empty">
        <div className="empty" role="alert">
          <h2>{d.title}</h2>
          <p className="muted">{d.detail}</p>
          <button type="button" className="button" onClick={() => navigate('/')}>
            Start a new chat
          </button>
        </div>
      </section>
    );
  }

  const messages = thread?.messages ?? [];
  const offline = connection !== 'online';
  return (
    <section className="chat" aria-label={thread?.title ?? 'New chat'}>
      <div className="chat__scroll" ref={scroller.ref} onScroll={scroller.onScroll}>
        <div className="chat__column">
          {messages.length === 0 && !chat.query.isPending && (
            <div className="intro">
              <AssistantAvatar assistant={assistant} size={56} />
              <h2>{assistant?.name ?? 'Assistant'}</h2>
              {assistant?.description && <p className="muted">{assistant.description}</p>}
            </div>
          )}
          {conversationId && chat.query.isPending && (
            <p className="muted" role="status">
              Loading conversation…
            </p>
          )}
          {messages.map((m) => (
            <MessageItem
              key={m.id}
              message={m}
              assistant={assistant}
              streaming={thread?.live?.messageId === m.id}
              failure={thread?.failures[m.id]}
              busy={chat.streaming || offline}
              onRegenerate={(id) => act(() => chat.regenerate(id))}
              onEdit={(id, content) => act(() => chat.edit(id, content))}
              versionBusy={switching}
              onShowVersion={showVersion}
              focusVersion={switched?.messageId === m.id ? switched.direction : undefined}
            />
          ))}
        </div>
      </div>
      <div className="chat__footer">
        {problem && <ProblemBanner error={problem} onClose={() => setProblem(null)} />}
        <Composer
          key={conversationId && conversationId !== createdHere.current ? conversationId : 'new'}
          streaming={chat.streaming}
          disabled={offline || (!conversationId && !assistantId)}
          placeholder={connection === 'offline' ? 'Reconnecting…' : connection === 'connecting' ? 'Connecting…' : `Message ${assistant?.name ?? 'the assistant'}`}
          onSend={send}
          onStop={stop}
          ensureConversation={assistant?.attachmentsEnabled === false ? undefined : ensureConversation}
        />
        <p className="chat__hint muted small">Answers can be wrong; check the sources. Enter sends, Shift+Enter adds a line, Esc stops.</p>
      </div>
    </section>
  );
}

function ProblemBanner({ error, onClose }: { error: ApiError; onClose: () => void }) {
  const d = describeError(error);
  return (
    <div className="notice notice--error banner" role="alert">
      <span>
        <strong>{d.title}.</strong> {d.detail}
      </span>
      <button type="button" className="button button--ghost" onClick={onClose} aria-label="Dismiss">
        Dismiss
      </button>
    </div>
  );
}

/** Keeps the newest text in view while it streams, unless the reader has scrolled up. */
function useFollowScroll(lastLength: number, count: number) {
  const ref = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [lastLength, count]);
  const onScroll = () => {
    const el = ref.current;
    if (el) following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };
  return { ref, onScroll };
}
