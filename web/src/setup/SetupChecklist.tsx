import { useQuery } from '@tanstack/react-query';
import { fetchSetupChecklist } from '../api/endpoints.js';
import type { SetupChecklist as Checklist } from '../api/types.js';
import { CheckIcon } from '../ui/icons.js';

// First run in the chat app: the administrator sees the console's setup
// checklist, each step ticked by what exists and linking to the console screen
// that does it, instead of being told to ask an administrator.

/** A step's console screen: the checklist names react-admin's hash routes. */
export const consoleHref = (link: string) => `/admin/#${link}`;

export function SetupChecklist({ checklist }: { checklist: Checklist }) {
  const done = checklist.steps.filter((s) => s.done).length;
  return (
    <section className="setup" aria-labelledby="setup-title" data-testid="setup-checklist">
      <h2 id="setup-title">Set up Atrium</h2>
      <p className="muted small">
        {done} of {checklist.steps.length} done. Until a model is connected, assistants answer with the best passages from their knowledge (search mode).
      </p>
      <ol className="setup__steps">
        {checklist.steps.map((step) => (
          <li key={step.id} className={step.done ? 'setup__step setup__step--done' : 'setup__step'} data-step={step.id} data-done={step.done}>
            <span className="setup__mark" aria-hidden="true">
              {step.done && <CheckIcon />}
            </span>
            <span className="setup__text">
              <a href={consoleHref(step.link)}>{step.title}</a>
              <span className="visually-hidden">{step.done ? ' (done)' : ' (to do)'}</span>
              {step.hint && <span className="setup__hint small">{step.hint}</span>}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The checklist for an administrator, while a step is left; nothing once all are done. */
export function FirstRunChecklist() {
  const checklist = useQuery({ queryKey: ['setup', 'checklist'], queryFn: ({ signal }) => fetchSetupChecklist(signal) });
  if (!checklist.data || checklist.data.complete) return null;
  return <SetupChecklist checklist={checklist.data} />;
}
