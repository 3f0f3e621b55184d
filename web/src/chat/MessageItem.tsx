import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Assistant, ErrorInfo, Message } from '../api/types.js';
import { CopyButton } from '../ui/CopyButton.js';
import { describeError } from '../ui/describeError.js';
import { ChevronLeftIcon, ChevronRightIcon, EditIcon, RegenerateIcon } from '../ui/icons.js';
import { AssistantAvatar } from './AssistantAvatar.js';
import { FeedbackControl } from './FeedbackControl.js';
import { linkCitations } from './citations.js';
import { sourceElementId, Sources } from './Sources.js';
import { FlowSteps } from './FlowSteps.js';
import { segmentsOf, ToolCallCards } from './ToolCallCards.js';

// Markdown, GFM and highlighting are most of the bundle: loaded after sign-in, while the first screen shows.
const Markdown = lazy(() => import('./Markdown.js').then((m) => ({ default: m.Markdown })));

interface Props {
  message: Message;
  assistant: Assistant | undefined;
  streaming: boolean;
  failure: ErrorInfo | undefined;
  /** Regenerate and edit are offered only when no answer is being written. */
  busy: boolean;
  onRegenerate: (messageId: string) => void;
  onEdit: (messageId: string, content: string) => void;
  /** A version switch is under way: further steps wait for it. */
  versionBusy?: boolean;
  /** Shows the neighbouring version of this question or answer. */
  onShowVersion: (messageId: string, direction: VersionStep) => void;
  /** This message was just switched to with the keyboard or a click: its switch takes the focus back. */
  focusVersion?: VersionStep;
}

export type VersionStep = 'previous' | 'next';

export function MessageItem(props: Props) {
  return props.message.role === 'user' ? <UserMessage {...props} /> : <AssistantMessage {...props} />;
}

function UserMessage(props: Props) {
  const { message, busy, onEdit } = props;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.content);

  function save() {
    const content = draft.trim();
    if (!content) return;
    setEditing(false);
    if (content !== message.content) onEdit(message.id, content);
  }
  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      save();
    } else if (e.key === 'Escape') setEditing(false);
  }

  if (editing) {
    return (
      <article className="message message--user" aria-label="Your message, editing">
        <div className="message__edit">
          <textarea aria-label="Edit your message" value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKeyDown} autoFocus rows={3} />
          <div className="message__edit-actions">
            <button type="button" className="button button--ghost" onClick={() => setEditing(false)}>
              Cancel
            </button>
            <button type="button" className="button button--primary" onClick={save} disabled={busy}>
              Save and send
            </button>
          </div>
        </div>
      </article>
    );
  }
  return (
    <article className="message message--user" aria-label="Your message">
      <div className="message__bubble">{message.content}</div>
      <div className="message__actions">
        {message.editHistory.length > 0 && <span className="muted small">edited</span>}
        <VersionSwitch {...props} />
        <CopyButton text={message.content} label="Copy message" />
        <button
          type="button"
          className="icon-button"
          aria-label="Edit and resend"
          title="Edit and resend"
          disabled={busy}
          onClick={() => {
            setDraft(message.content);
            setEditing(true);
          }}
        >
          <EditIcon />
        </button>
      </div>
    </article>
  );
}

function AssistantMessage(props: Props) {
  const { message, assistant, streaming, failure, busy, onRegenerate } = props;
  const toolCalls = message.toolCalls ?? [];
  const steps = message.steps ?? [];
  const waiting = streaming && message.content === '' && toolCalls.length === 0 && steps.length === 0;
  const failed = message.status === 'error';
  // The answer's text with its tool calls placed where they were made; [n] citations linked in each piece.
  const segments = useMemo(() => {
    const cited = new Set(message.sources.map((s) => s.index));
    return segmentsOf(message.content, toolCalls).map((segment) => (segment.kind === 'text' ? { ...segment, text: linkCitations(segment.text, cited) } : segment));
  }, [message.content, message.sources, toolCalls]);
  const openSource = useCallback(
    (index: number) => {
      const details = document.getElementById(sourceElementId(message.id, index));
      if (!(details instanceof HTMLDetailsElement)) return;
      details.open = true;
      details.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      details.querySelector('summary')?.focus();
    },
    [message.id],
  );
  const described = failed ? describeError(failure ?? { code: 'answer_failed', message: message.error ?? 'The answer failed.' }) : null;
  return (
    <article className="message message--assistant" aria-label={`Answer from ${assistant?.name ?? 'the assistant'}`} aria-busy={streaming}>
      <AssistantAvatar assistant={assistant} size={32} />
      <div className="message__body">
        {message.finishReason === 'search' && (
          <p className="message__label" data-testid="search-mode-label">
            Search results — not written by a model
          </p>
        )}
        {steps.length > 0 && <FlowSteps steps={steps} />}
        {waiting ? (
          <p className="typing" role="status" aria-label="The assistant is writing">
            <span />
            <span />
            <span />
          </p>
        ) : (
          segments.map((segment, i) =>
            segment.kind === 'tools' ? (
              <ToolCallCards key={`tools-${i}`} calls={segment.calls} conversationId={message.conversationId} messageId={message.id} />
            ) : (
              <Suspense key={`text-${i}`} fallback={<p className="plain">{segment.raw}</p>}>
                <Markdown text={segment.text} onCite={openSource} />
              </Suspense>
            ),
          )
        )}
        {streaming && !waiting && <span className="cursor" aria-hidden="true" />}
        {message.status === 'stopped' && <p className="message__note">Stopped</p>}
        {message.finishReason === 'length' && <p className="message__note">The answer was cut off at the length limit.</p>}
        {message.finishReason === 'no_knowledge' && <p className="message__note">Nothing in this assistant’s knowledge answers this question.</p>}
        {described && (
          <div className="notice notice--error" role="alert">
            <strong>{described.title}.</strong> {described.detail}
          </div>
        )}
        {!streaming && <Sources messageId={message.id} conversationId={message.conversationId} sources={message.sources} />}
        {!streaming && (
          <div className="message__actions">
            <VersionSwitch {...props} />
            {message.content && <CopyButton text={message.content} label="Copy answer" />}
            {message.status !== 'streaming' && <FeedbackControl message={message} />}
            <button type="button" className="icon-button" aria-label="Regenerate answer" title="Regenerate" disabled={busy} onClick={() => onRegenerate(message.id)}>
              <RegenerateIcon />
            </button>
            {message.model && (
              <span className="message__meta" title={usageTitle(message)}>
                {message.model}
                {message.fallbackFrom && ` · fallback for ${message.fallbackFrom}`}
              </span>
            )}
          </div>
        )}
      </div>
    </article>
  );
}

/**
 * ‹ 2 / 3 › between the versions of a question (edits) or an answer
 * (regenerations). Real buttons, so Tab, Enter and Space work; the arrow keys
 * also step while the switch has the focus. The newly shown message remounts,
 * so its switch takes the focus back (the other button at an end).
 */
function VersionSwitch({ message, busy, versionBusy, onShowVersion, focusVersion }: Props) {
  const previous = useRef<HTMLButtonElement>(null);
  const next = useRef<HTMLButtonElement>(null);
  const branch = message.branch;
  useEffect(() => {
    if (!focusVersion) return;
    const wanted = focusVersion === 'previous' ? previous.current : next.current;
    const other = focusVersion === 'previous' ? next.current : previous.current;
    (wanted && !wanted.disabled ? wanted : other)?.focus();
  }, [focusVersion]);
  if (!branch || branch.count < 2) return null;
  const kind = message.role === 'user' ? 'question' : 'answer';
  const step = (direction: VersionStep) => {
    const target = direction === 'previous' ? branch.previousId : branch.nextId;
    if (target && !busy && !versionBusy) onShowVersion(target, direction);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    step(e.key === 'ArrowLeft' ? 'previous' : 'next');
  };
  return (
    <div className="versions" role="group" aria-label={`Versions of this ${kind}`} onKeyDown={onKeyDown}>
      <button ref={previous} type="button" className="icon-button icon-button--small" aria-label="Previous version" title="Previous version" disabled={busy || !branch.previousId} onClick={() => step('previous')}>
        <ChevronLeftIcon />
      </button>
      <span className="versions__position small" title={`Versions of this ${kind} (${kind === 'question' ? 'edited' : 'regenerated'})`}>
        {branch.index} / {branch.count}
      </span>
      <button ref={next} type="button" className="icon-button icon-button--small" aria-label="Next version" title="Next version" disabled={busy || !branch.nextId} onClick={() => step('next')}>
        <ChevronRightIcon />
      </button>
    </div>
  );
}

function usageTitle(m: Message): string {
  const parts = [m.fallbackFrom ? `Answered by ${m.model} because ${m.fallbackFrom} did not answer` : `Model: ${m.model}`];
  if (m.usage) parts.push(`${m.usage.promptTokens + m.usage.completionTokens} tokens`);
  if (m.latencyMs !== null) parts.push(`${(m.latencyMs / 1000).toFixed(1)} s`);
  return parts.join(' · ');
}
