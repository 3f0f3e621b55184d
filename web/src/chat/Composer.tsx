import { useEffect, useRef, useState, type ClipboardEvent, type DragEvent, type FormEvent, type KeyboardEvent } from 'react';
import { usePromptPicker } from '../prompts/usePromptPicker.js';
import { AttachIcon, CloseIcon, SendIcon, StopIcon } from '../ui/icons.js';
import { useAttachments, type AttachmentChip } from './useAttachments.js';

interface Props {
  streaming: boolean;
  disabled: boolean;
  placeholder: string;
  onSend: (content: string) => Promise<boolean>;
  onStop: () => void;
  /** The conversation files are attached to, created first when the chat has none; absent: no attaching. */
  ensureConversation?: () => Promise<string>;
}

const ACCEPT = '.pdf,.docx,.txt,.md,.markdown,.html,.htm,.csv,image/png,image/jpeg,image/webp,image/gif,image/tiff';

const MAX_ROWS_PX = 240;

/** Enter sends, Shift+Enter starts a new line, Esc stops the answer being written. */
export function Composer({ streaming, disabled, placeholder, onSend, onStop, ensureConversation }: Props) {
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const attachments = useAttachments(ensureConversation ?? noConversation);
  const canAttach = ensureConversation !== undefined && !disabled;
  // `/` at the start opens the saved prompts.
  const prompts = usePromptPicker(text, setText, area);

  // Grow with the text up to a limit, then scroll.
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_ROWS_PX)}px`;
  }, [text]);

  // Esc stops from anywhere on the page, not only from the text box.
  useEffect(() => {
    if (!streaming) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape') onStop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [streaming, onStop]);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const content = text.trim();
    // The question waits until its attachments are read, so the answer can use them.
    if (!content || streaming || disabled || attachments.busy) return;
    setText('');
    // A refused send gives the question back, so nothing typed is lost.
    if (!(await onSend(content))) setText(content);
    else attachments.clear();
    area.current?.focus();
  }

  // Pasted screenshots and files become attachments; pasted text stays text.
  function onPaste(e: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...e.clipboardData.files];
    if (!canAttach || files.length === 0) return;
    e.preventDefault();
    void attachments.add(files);
  }

  function onDrop(e: DragEvent<HTMLFormElement>) {
    setDragging(false);
    if (!canAttach || e.dataTransfer.files.length === 0) return;
    e.preventDefault();
    void attachments.add([...e.dataTransfer.files]);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (prompts.onKeyDown(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  }

  return (
    <form
      className={`composer prompt-anchor${dragging ? ' composer--dragging' : ''}`}
      onSubmit={submit}
      onDragOver={(e) => {
        if (!canAttach) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {prompts.element}
      {attachments.chips.length > 0 && (
        <ul className="composer__chips" aria-label="Attachments">
          {attachments.chips.map((chip) => (
            <Chip key={chip.key} chip={chip} onRemove={() => void attachments.remove(chip)} />
          ))}
        </ul>
      )}
      {ensureConversation && (
        <>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            accept={ACCEPT}
            aria-label="Files to attach"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              void attachments.add(files);
            }}
          />
          <button type="button" className="composer__attach" onClick={() => picker.current?.click()} disabled={!canAttach} aria-label="Attach files" title="Attach files or images">
            <AttachIcon />
          </button>
        </>
      )}
      <textarea
        {...prompts.inputProps}
        ref={area}
        aria-label="Message"
        placeholder={placeholder}
        rows={1}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        disabled={disabled}
        autoFocus
      />
      {streaming ? (
        <button type="button" className="composer__button composer__button--stop" onClick={onStop} aria-label="Stop answer" title="Stop (Esc)">
          <StopIcon />
        </button>
      ) : (
        <button
          type="submit"
          className="composer__button"
          disabled={!text.trim() || disabled || attachments.busy}
          aria-label="Send message"
          title={attachments.busy ? 'Waiting for the attachments to be read' : 'Send (Enter)'}
        >
          <SendIcon />
        </button>
      )}
    </form>
  );
}

const noConversation = () => Promise.reject(new Error('Attaching is not available here'));

const STATE_LABEL: Record<AttachmentChip['state'], string> = { uploading: 'Uploading…', reading: 'Reading', ready: 'Ready', failed: 'Failed' };

/** One attached file: its name and where it is (uploading, reading n %, ready, failed with the reason), removable until sent. */
function Chip({ chip, onRemove }: { chip: AttachmentChip; onRemove: () => void }) {
  const label = chip.state === 'reading' ? `Reading ${chip.progress}%` : STATE_LABEL[chip.state];
  return (
    <li className={`chip chip--${chip.state}`} data-state={chip.state} title={chip.error ?? undefined}>
      <span className="chip__name">{chip.name}</span>
      <span className="chip__state" role="status">
        {label}
        {chip.state === 'failed' && chip.error ? `: ${chip.error}` : ''}
      </span>
      <button type="button" className="chip__remove" onClick={onRemove} aria-label={`Remove ${chip.name}`}>
        <CloseIcon />
      </button>
    </li>
  );
}
