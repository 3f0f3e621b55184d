/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import type { Assistant, Message, SetupChecklist } from '../../web/src/api/types.js';
import { AssistantPicker } from '../../web/src/chat/AssistantPicker.js';
import { MessageItem } from '../../web/src/chat/MessageItem.js';

// First run in the chat app: an administrator sees the setup checklist (each
// step ticked or not, linking to the console screen that does it), staff are
// told to ask their administrator, and a search-mode answer says it was not
// written by a model.

const checklist = (over: Partial<SetupChecklist> = {}): SetupChecklist => ({
  steps: [
    { id: 'provider', title: 'Connect a model provider', done: false, link: '/providers/create', hint: 'An Ollama answers at http://127.0.0.1:11434' },
    { id: 'assistant', title: 'Create the first assistant', done: true, link: '/assistants/create' },
    { id: 'knowledge', title: 'Add knowledge to an assistant', done: true, link: '/assistants' },
    { id: 'shared', title: 'Share an assistant with a group', done: false, link: '/assistants' },
    { id: 'people', title: 'Invite people or connect single sign-on', done: false, link: '/users/create' },
  ],
  complete: false,
  ...over,
});

const assistant = (over: Partial<Assistant> = {}): Assistant => ({
  id: 'a1',
  name: 'Helpdesk',
  description: 'Answers from the handbook',
  avatarUrl: null,
  model: null,
  knowledgeOnly: false,
  searchMode: true,
  ...over,
});

/** The picker with the checklist already in the query cache (as the API returned it), so nothing is fetched. */
function renderPicker(props: { isAdmin: boolean; assistants?: Assistant[]; list?: SetupChecklist }) {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  if (props.list) client.setQueryData(['setup', 'checklist'], props.list);
  render(
    <QueryClientProvider client={client}>
      <AssistantPicker assistants={props.assistants ?? []} loading={false} isAdmin={props.isAdmin} />
    </QueryClientProvider>,
  );
}

afterEach(cleanup);

describe('the setup checklist in the chat app', () => {
  it('shows an administrator every step, ticked or not, each linking to its console screen', () => {
    renderPicker({ isAdmin: true, list: checklist() });
    const region = screen.getByRole('region', { name: 'Set up Atrium' });
    expect(within(region).getByText(/2 of 5 done/)).toBeTruthy();
    const steps = within(region).getAllByRole('listitem');
    expect(steps.map((s) => [s.getAttribute('data-step'), s.getAttribute('data-done')])).toEqual([
      ['provider', 'false'],
      ['assistant', 'true'],
      ['knowledge', 'true'],
      ['shared', 'false'],
      ['people', 'false'],
    ]);
    expect(steps.map((s) => s.textContent)).toEqual([
      expect.stringContaining('(to do)'),
      expect.stringContaining('(done)'),
      expect.stringContaining('(done)'),
      expect.stringContaining('(to do)'),
      expect.stringContaining('(to do)'),
    ]);
    expect(within(region).getByRole('link', { name: 'Connect a model provider' }).getAttribute('href')).toBe('/admin/#/providers/create');
    expect(within(region).getByRole('link', { name: 'Invite people or connect single sign-on' }).getAttribute('href')).toBe('/admin/#/users/create');
    expect(within(region).getByText(/An Ollama answers at/)).toBeTruthy();
    expect(screen.queryByText(/Ask an administrator/)).toBeNull();
  });

  it('goes away once every step is done', () => {
    renderPicker({ isAdmin: true, assistants: [assistant({ searchMode: false })], list: checklist({ complete: true, steps: checklist().steps.map((s) => ({ ...s, done: true })) }) });
    expect(screen.queryByRole('region', { name: 'Set up Atrium' })).toBeNull();
    expect(screen.getByRole('button', { name: /Helpdesk/ })).toBeTruthy();
  });

  it('tells staff with no assistant to ask their administrator, without a checklist', () => {
    renderPicker({ isAdmin: false, list: checklist() });
    expect(screen.getByText(/No assistant is shared with you yet\. Ask an administrator/)).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Set up Atrium' })).toBeNull();
  });

  it('marks an assistant that answers in search mode', () => {
    renderPicker({ isAdmin: false, assistants: [assistant(), assistant({ id: 'a2', name: 'Writer', searchMode: false })] });
    expect(within(screen.getByRole('button', { name: /Helpdesk/ })).getByText('Search mode')).toBeTruthy();
    expect(within(screen.getByRole('button', { name: /Writer/ })).queryByText('Search mode')).toBeNull();
  });
});

describe('a search-mode answer', () => {
  const answer = (over: Partial<Message>): Message => ({
    id: 'm1',
    conversationId: 'c',
    parentId: 'q',
    fallbackFrom: null,
    role: 'assistant',
    content: 'No model is connected yet, so here are the passages…\n\n**[1]** handbook.pdf, page 2\n\n> Twenty-seven days of paid holiday.',
    status: 'complete',
    model: null,
    usage: null,
    finishReason: 'search',
    latencyMs: 3,
    sources: [{ kind: 'file', index: 1, fileId: 'f', fileName: 'handbook.pdf', page: 2, section: null, text: 'Twenty-seven days of paid holiday.', score: 0.8 }],
    error: null,
    editHistory: [],
    feedback: null,
    createdAt: new Date(0).toISOString(),
    ...over,
  });
  const renderAnswer = (message: Message) =>
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MessageItem message={message} assistant={undefined} streaming={false} failure={undefined} busy={false} onRegenerate={() => undefined} onEdit={() => undefined} onShowVersion={() => undefined} />
      </QueryClientProvider>,
    );

  it('is labelled as not written by a model, with its sources', () => {
    renderAnswer(answer({}));
    expect(screen.getByText('Search results — not written by a model')).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Sources' })).getByText('handbook.pdf')).toBeTruthy();
  });

  it('is the only kind of answer so labelled', () => {
    renderAnswer(answer({ finishReason: 'stop', model: 'test-model', content: 'Twenty-seven days [1].' }));
    expect(screen.queryByText('Search results — not written by a model')).toBeNull();
  });
});
