import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { giveFeedback, removeFeedback } from '../api/staff.js';
import type { Feedback, FeedbackReason, Message } from '../api/types.js';
import { useDismiss } from '../ui/useDismiss.js';

// Thumbs up / down under an answer. A thumbs down opens a small form for the
// reasons and a comment. Staff are told where their words go: to the people who
// maintain the assistant (the console's Feedback screen).

export const FEEDBACK_AUDIENCE = 'Your feedback and the question are shown to the people who maintain this assistant.';

export const REASON_LABELS: Record<FeedbackReason, string> = {
  wrong: 'Wrong',
  outdated: 'Outdated',
  not_found_in_documents: 'Not found in the documents',
  unsafe: 'Unsafe',
  other: 'Other',
};

export function FeedbackControl({ message }: { message: Message }) {
  const [feedback, setFeedback] = useState<Feedback | null>(message.feedback ?? null);
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState('');
  const close = useCallback(() => setOpen(false), []);
  const ref = useDismiss<HTMLDivElement>(open, close);

  useEffect(() => setFeedback(message.feedback ?? null), [message.feedback]);

  async function save(input: { rating: 'up' | 'down'; reasons?: FeedbackReason[]; comment?: string | null } | null) {
    try {
      if (input) setFeedback(await giveFeedback(message.conversationId, message.id, input));
      else {
        await removeFeedback(message.conversationId, message.id);
        setFeedback(null);
      }
      setStatus(input ? `Thanks. ${FEEDBACK_AUDIENCE}` : 'Feedback removed.');
      setOpen(false);
    } catch {
      setStatus('The feedback could not be saved. Please try again.');
    }
  }

  return (
    <div className="feedback" ref={ref}>
      <button
        type="button"
        className="icon-button"
        aria-label="Good answer"
        aria-pressed={feedback?.rating === 'up'}
        title={`Good answer. ${FEEDBACK_AUDIENCE}`}
        onClick={() => void save(feedback?.rating === 'up' ? null : { rating: 'up' })}
      >
        <ThumbIcon up />
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label="Bad answer"
        aria-pressed={feedback?.rating === 'down'}
        aria-expanded={open}
        aria-haspopup="dialog"
        title={`Bad answer. ${FEEDBACK_AUDIENCE}`}
        onClick={() => setOpen(!open)}
      >
        <ThumbIcon />
      </button>
      {open && <FeedbackForm feedback={feedback} onSave={save} onCancel={close} />}
      <span className="feedback__status muted small" role="status">
        {status}
      </span>
    </div>
  );
}

function FeedbackForm({ feedback, onSave, onCancel }: { feedback: Feedback | null; onSave: (input: { rating: 'down'; reasons: FeedbackReason[]; comment: string | null } | null) => Promise<void>; onCancel: () => void }) {
  const [reasons, setReasons] = useState<FeedbackReason[]>(feedback?.rating === 'down' ? feedback.reasons : []);
  const [comment, setComment] = useState(feedback?.rating === 'down' ? (feedback.comment ?? '') : '');
  const titleId = useId();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  function submit(e: FormEvent) {
    e.preventDefault();
    void onSave({ rating: 'down', reasons, comment: comment.trim() || null });
  }
  const toggle = (reason: FeedbackReason) => setReasons((r) => (r.includes(reason) ? r.filter((x) => x !== reason) : [...r, reason]));

  return (
    <form className="feedback__popover" role="dialog" aria-labelledby={titleId} onSubmit={submit}>
      <p id={titleId} className="feedback__title">
        What was wrong with this answer?
      </p>
      <fieldset className="feedback__reasons">
        <legend className="visually-hidden">Reasons</legend>
        {(Object.keys(REASON_LABELS) as FeedbackReason[]).map((reason, i) => (
          <label key={reason}>
            <input ref={i === 0 ? first : undefined} type="checkbox" checked={reasons.includes(reason)} onChange={() => toggle(reason)} /> {REASON_LABELS[reason]}
          </label>
        ))}
      </fieldset>
      <label className="feedback__comment">
        Comment (optional)
        <textarea rows={2} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <p className="muted small">{FEEDBACK_AUDIENCE}</p>
      <div className="feedback__actions">
        {feedback?.rating === 'down' && (
          <button type="button" className="button button--ghost" onClick={() => void onSave(null)}>
            Remove feedback
          </button>
        )}
        <button type="button" className="button button--ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button--primary">
          Send feedback
        </button>
      </div>
    </form>
  );
}

function ThumbIcon({ up = false }: { up?: boolean }) {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" style={up ? undefined : { transform: 'rotate(180deg)' }}>
      <path d="M7 10v12M15 5.9 14 10h5.8a2 2 0 0 1 2 2.3l-1.4 8a2 2 0 0 1-2 1.7H7V10l4-8a3 3 0 0 1 4 3.9z" />
    </svg>
  );
}
