import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { usePromptPicker } from '../prompts/usePromptPicker.js';
import { SendIcon, StopIcon } from '../ui/icons.js';

interface Props {
  streaming: boolean;
  disabled: boolean;
  placeholder: string;
  onSend: (content: string) => Promise<boolean>;
  onStop: () => void;
}

const MAX_ROWS_PX = 240;

/** Enter sends, Shift+Enter starts a new line, Esc stops the answer being written. */
export function Composer({ streaming, disabled, placeholder, onSend, onStop }: Props) {
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
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
    if (!content || streaming || disabled) return;
    setText('');
    // A refused send gives the question back, so nothing typed is lost.
    if (!(await onSend(content))) setText(content);
    area.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (prompts.onKeyDown(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  }

  return (
    <form className="composer prompt-anchor" onSubmit={submit}>
      {prompts.element}
      <textarea
        {...prompts.inputProps}
        ref={area}
        aria-label="Message"
        placeholder={placeholder}
        rows={1}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        disabled={disabled}
        autoFocus
      />
      {streaming ? (
        <button type="button" className="composer__button composer__button--stop" onClick={onStop} aria-label="Stop answer" title="Stop (Esc)">
          <StopIcon />
        </button>
      ) : (
        <button type="submit" className="composer__button" disabled={!text.trim() || disabled} aria-label="Send message" title="Send (Enter)">
          <SendIcon />
        </button>
      )}
    </form>
  );
}
