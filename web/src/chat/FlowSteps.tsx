import type { FlowStepRun } from '../api/types.js';

// A flow answer's steps before the last (the last one's text is the answer):
// collapsed under their labels, open to read what each step wrote, with its
// model and how it went, during the stream and in history alike.

const STATE: Record<FlowStepRun['status'], string> = {
  pending: 'not run',
  running: 'writing…',
  done: 'done',
  failed: 'failed',
  stopped: 'stopped',
};

export function FlowSteps({ steps }: { steps: FlowStepRun[] }) {
  const earlier = steps.slice(0, -1);
  const last = steps.at(-1);
  if (earlier.length === 0) return null;
  return (
    <div className="flow-steps" aria-label="Steps of this answer">
      {earlier.map((step) => (
        <details key={step.index} className={`flow-step flow-step--${step.status}`} data-step={step.label}>
          <summary>
            Step {step.index + 1}: {step.label}
            <span className="flow-step__meta">
              {step.model ? ` · ${step.model}` : ''} · {STATE[step.status]}
            </span>
          </summary>
          {step.text ? <div className="flow-step__text">{step.text}</div> : <p className="flow-step__empty">Nothing written.</p>}
        </details>
      ))}
      {last && last.status !== 'pending' && (
        <p className="flow-step__final">
          Step {last.index + 1}: {last.label}
          {last.model ? ` · ${last.model}` : ''}
          {last.status === 'running' ? ' · writing the answer…' : ''}
        </p>
      )}
    </div>
  );
}
