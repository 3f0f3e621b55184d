import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { createGroupRecord } from '../support/factories.js';
import { startChatServer, uploadAndWait, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// Feedback on answers, and the reports that bring it to the people who
// maintain an assistant: negative answers, knowledge gaps grouped by similar
// question, the per-day trend and CSV, each scoped to the reader's assistants.

const TEXT = fileURLToPath(new URL('../fixtures/documents/misc/unstructured__norwich-city.txt', import.meta.url));

type Login = { id: string; token: string };

describe(`feedback on answers and its reports (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: Login;
  let manager: Login;
  let staff: Login;
  let other: Login;
  let managed: string; // an assistant the manager maintains (shared with the group they manage)
  let elsewhere: string; // one they do not
  let groupId: string;

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    manager = await t.login({ role: 'manager' });
    staff = await t.login();
    other = await t.login();
    const prisma = t.server.services.prisma;
    groupId = (await createGroupRecord(prisma, undefined, [{ userId: manager.id, role: 'manager' }, { userId: staff.id }, { userId: other.id }])).id;
    const otherGroup = await createGroupRecord(prisma, undefined, [{ userId: staff.id }]);
    managed = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Football', groupIds: [groupId] })).body.id;
    elsewhere = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Finance', groupIds: [otherGroup.id] })).body.id;
    expect(managed).toBeDefined();
    expect(elsewhere).toBeDefined();
    expect(await uploadAndWait(t, admin.token, managed, TEXT)).toBe('ready');
  }, 120_000);
  afterAll(() => t.close());

  /** Asks through the real answer pipeline; returns the conversation and the stored answer. */
  async function ask(user: Login, assistantId: string, question: string) {
    const conversationId = (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    const res = await t.json(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: question });
    expect(res.status).toBe(201);
    return { conversationId, answerId: res.body.message.id as string, questionId: res.body.userMessage.id as string };
  }
  const feedbackPath = (a: { conversationId: string; answerId: string }) => `/api/v1/conversations/${a.conversationId}/messages/${a.answerId}/feedback`;

  it('records what retrieval found with each answer', async () => {
    const covered = await ask(staff, managed, 'How many goals did Iwan Roberts score for Norwich City?');
    const uncovered = await ask(staff, managed, 'zzyzx quokka?');
    const prisma = t.server.services.prisma;
    const a = await prisma.message.findUniqueOrThrow({ where: { id: covered.answerId } });
    const b = await prisma.message.findUniqueOrThrow({ where: { id: uncovered.answerId } });
    expect(a.retrievalPassages).toBeGreaterThan(0);
    expect(a.retrievalTopScore).toBeGreaterThan(0.25);
    expect(b).toMatchObject({ retrievalPassages: 0, retrievalTopScore: null });
  });

  it('lets a user give, change and remove feedback on their own answers only', async () => {
    const turn = await ask(staff, managed, 'Who was the Norwich City captain?');
    const down = await t.json(staff.token, 'PUT', feedbackPath(turn), { rating: 'down', reasons: ['wrong', 'outdated', 'wrong'], comment: '  The captain changed in 2020.  ' });
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ rating: 'down', reasons: ['wrong', 'outdated'], comment: 'The captain changed in 2020.' });

    const shown = async () => (await t.json(staff.token, 'GET', `/api/v1/conversations/${turn.conversationId}`)).body.messages.find((m: { id: string }) => m.id === turn.answerId).feedback;
    expect(await shown()).toMatchObject({ rating: 'down', reasons: ['wrong', 'outdated'] });

    // Changed to a thumbs up: reasons describe what was wrong, so they go.
    expect((await t.json(staff.token, 'PUT', feedbackPath(turn), { rating: 'up', reasons: ['wrong'] })).body).toMatchObject({ rating: 'up', reasons: [], comment: null });
    expect(await t.server.services.prisma.messageFeedback.count({ where: { messageId: turn.answerId } })).toBe(1);

    // Another user, even an admin, cannot see or rate this answer; a question is not an answer.
    for (const who of [other, admin]) {
      const res = await t.json(who.token, 'PUT', feedbackPath(turn), { rating: 'down' });
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 404, code: 'not_found' });
      expect((await t.json(who.token, 'DELETE', feedbackPath(turn))).status).toBe(404);
    }
    expect((await t.json(staff.token, 'PUT', feedbackPath({ ...turn, answerId: turn.questionId }), { rating: 'up' })).status).toBe(404);
    const invalid = await t.json(staff.token, 'PUT', feedbackPath(turn), { rating: 'down', reasons: ['boring'] });
    expect({ status: invalid.status, code: invalid.body.error.code }).toEqual({ status: 400, code: 'validation_failed' });

    expect((await t.json(staff.token, 'DELETE', feedbackPath(turn))).status).toBe(204);
    expect(await shown()).toBeNull();
  });

  it('shows negative answers to admins for every assistant and to managers for theirs only', async () => {
    const mine = await ask(staff, managed, 'When was Norwich City founded?');
    const theirs = await ask(staff, elsewhere, 'What is the travel budget?');
    await t.json(staff.token, 'PUT', feedbackPath(mine), { rating: 'down', reasons: ['not_found_in_documents'], comment: 'Founded 1902, says the club site' });
    await t.json(staff.token, 'PUT', feedbackPath(theirs), { rating: 'down', reasons: ['other'] });

    const asAdmin = await t.json(admin.token, 'GET', '/api/v1/feedback/negative');
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.data.map((r: { messageId: string }) => r.messageId).sort()).toEqual([mine.answerId, theirs.answerId].sort());

    const asManager = await t.json(manager.token, 'GET', '/api/v1/feedback/negative');
    expect(asManager.body.total).toBe(1);
    expect(asManager.body.data[0]).toMatchObject({
      messageId: mine.answerId,
      assistant: { id: managed, name: 'Football' },
      question: 'When was Norwich City founded?',
      answer: 'You asked: When was Norwich City founded?',
      reasons: ['not_found_in_documents'],
      comment: 'Founded 1902, says the club site',
    });
    expect(asManager.body.data[0].sources[0]).toMatchObject({ fileName: 'unstructured__norwich-city.txt' });

    expect((await t.json(manager.token, 'GET', `/api/v1/feedback/negative?assistantId=${elsewhere}`)).status).toBe(404);
    expect((await t.json(manager.token, 'GET', `/api/v1/feedback/negative?assistantId=${managed}`)).body.total).toBe(1);
    // Per knowledge base: the answers of assistants that search it.
    const ownBase = await t.server.services.prisma.knowledgeBase.findFirstOrThrow({ where: { assistantId: managed } });
    expect((await t.json(manager.token, 'GET', `/api/v1/feedback/negative?knowledgeBaseId=${ownBase.id}`)).body.total).toBe(1);
    const unattached = (await t.json(admin.token, 'POST', '/api/v1/knowledge-bases', { name: 'Unused handbook' })).body.id as string;
    expect((await t.json(admin.token, 'GET', `/api/v1/feedback/negative?knowledgeBaseId=${unattached}`)).body.total).toBe(0);
    expect((await t.json(admin.token, 'GET', `/api/v1/feedback/trend?knowledgeBaseId=${ownBase.id}`)).status).toBe(200);
    // A base the manager does not maintain is not theirs to report on.
    expect((await t.json(manager.token, 'GET', `/api/v1/feedback/negative?knowledgeBaseId=${unattached}`)).status).toBe(404);
    expect((await t.json(staff.token, 'GET', '/api/v1/feedback/negative')).status).toBe(403);
  });

  describe('knowledge gaps', () => {
    // A seeded set: three ways of asking about vacation, three about the VPN,
    // two about travel expenses, two unrelated questions, and one well covered
    // question that is not a gap.
    const seeded: { q: string; passages: number; top: number | null; daysAgo: number }[] = [
      { q: 'How many vacation days do I get per year?', passages: 0, top: null, daysAgo: 3 },
      { q: 'How do I reset my VPN password?', passages: 0, top: null, daysAgo: 3 },
      { q: 'How many days of vacation do employees get each year?', passages: 1, top: 0.21, daysAgo: 2 },
      { q: 'I forgot my VPN password, how can I reset it?', passages: 0, top: null, daysAgo: 2 },
      { q: 'Who approves travel expenses above 500 euros?', passages: 2, top: 0.22, daysAgo: 2 },
      { q: 'What is my yearly vacation allowance in days?', passages: 0, top: null, daysAgo: 1 },
      { q: 'VPN password reset steps', passages: 0, top: null, daysAgo: 1 },
      { q: 'What is the approval process for travel expenses?', passages: 0, top: null, daysAgo: 1 },
      { q: 'Where is the parking garage?', passages: 0, top: null, daysAgo: 0 },
      { q: 'Can I bring my dog to the office?', passages: 0, top: null, daysAgo: 0 },
      { q: 'Who won the league in 2004?', passages: 4, top: 0.61, daysAgo: 0 },
    ];

    beforeAll(async () => {
      const prisma = t.server.services.prisma;
      // A separate assistant in the managed group, so earlier tests' answers do not mix in.
      const gapsAssistant = await prisma.assistant.create({ data: { name: 'Handbook', groups: { create: [{ groupId }] } } });
      const conversation = await prisma.conversation.create({ data: { userId: staff.id, assistantId: gapsAssistant.id } });
      for (const [i, s] of seeded.entries()) {
        const at = new Date(Date.now() - s.daysAgo * 86_400_000 - (seeded.length - i) * 1000);
        seededAt.push(at);
        const question = await prisma.message.create({ data: { conversationId: conversation.id, role: 'user', content: s.q, createdAt: at } });
        await prisma.message.create({
          data: { conversationId: conversation.id, parentId: question.id, role: 'assistant', content: 'answer', createdAt: new Date(at.getTime() + 1), retrievalPassages: s.passages, retrievalTopScore: s.top },
        });
      }
      seededAssistant = gapsAssistant.id;
    });
    let seededAssistant: string;
    const seededAt: Date[] = [];

    it('groups questions the knowledge did not cover by similar wording', async () => {
      const res = await t.json(manager.token, 'GET', `/api/v1/feedback/gaps?assistantId=${seededAssistant}`);
      expect(res.status).toBe(200);
      const groups = (res.body.groups as { question: string; count: number; questions: { question: string }[] }[]).map((g) => g.questions.map((q) => q.question));
      // Largest first; of equal size, the one asked most recently first.
      expect(groups).toEqual([
        ['How do I reset my VPN password?', 'I forgot my VPN password, how can I reset it?', 'VPN password reset steps'],
        ['How many vacation days do I get per year?', 'How many days of vacation do employees get each year?', 'What is my yearly vacation allowance in days?'],
        ['Who approves travel expenses above 500 euros?', 'What is the approval process for travel expenses?'],
        ['Can I bring my dog to the office?'],
        ['Where is the parking garage?'],
      ]);
      expect(res.body.groups[1]).toMatchObject({ question: 'How many vacation days do I get per year?', count: 3 });

      // A stricter grouping splits the looser paraphrases apart; a lower weak line drops the weak-but-found ones.
      const strict = await t.json(manager.token, 'GET', `/api/v1/feedback/gaps?assistantId=${seededAssistant}&similarity=0.9`);
      expect(strict.body.groups.length).toBeGreaterThan(5);
      const found = await t.json(manager.token, 'GET', `/api/v1/feedback/gaps?assistantId=${seededAssistant}&weakBelow=0.2`);
      expect(found.body.groups.flatMap((g: { questions: unknown[] }) => g.questions)).toHaveLength(8);

      // The manager's other assistants' gaps appear without a filter; the admin's view includes them too.
      const all = await t.json(manager.token, 'GET', '/api/v1/feedback/gaps');
      expect(all.body.groups.flatMap((g: { questions: { question: string }[] }) => g.questions.map((q) => q.question))).toContain('zzyzx quokka?');
      expect((await t.json(manager.token, 'GET', `/api/v1/feedback/gaps?assistantId=${elsewhere}`)).status).toBe(404);
    });

    it('counts feedback and gaps per day', async () => {
      const res = await t.json(manager.token, 'GET', `/api/v1/feedback/trend?assistantId=${seededAssistant}`);
      expect(res.status).toBe(200);
      expect(res.body.dates).toHaveLength(30);
      // Ten gaps over the last four days (the covered question is not one), counted on the report's calendar.
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: res.body.range.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
      const expected = new Map<string, number>();
      for (const at of seededAt.filter((_, i) => seeded[i]!.passages === 0 || seeded[i]!.top! < 0.25)) expected.set(day.format(at), (expected.get(day.format(at)) ?? 0) + 1);
      expect(res.body.dates.map((d: string, i: number) => [d, res.body.gaps[i]]).filter(([, n]: [string, number]) => n > 0)).toEqual([...expected].sort());
      expect(res.body.gaps.reduce((a: number, b: number) => a + b, 0)).toBe(10);

      const managedTrend = await t.json(manager.token, 'GET', `/api/v1/feedback/trend?assistantId=${managed}`);
      expect(managedTrend.body.down.at(-1)).toBe(1);
    });

    it('exports negative answers and grouped gaps as CSV, with formulas defused', async () => {
      const turn = await ask(staff, managed, 'Which stadium does Norwich City play in?');
      await t.json(staff.token, 'PUT', feedbackPath(turn), { rating: 'down', reasons: ['wrong'], comment: '=HYPERLINK("http://evil.example","click")' });
      const res = await t.api(manager.token, 'GET', '/api/v1/feedback/export.csv?kind=negative');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/csv/);
      const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => r.question).sort()).toEqual(['When was Norwich City founded?', 'Which stadium does Norwich City play in?']);
      expect(rows.find((r) => r.question?.startsWith('Which'))!.comment).toBe('\'=HYPERLINK("http://evil.example","click")');
      expect(rows.every((r) => r.assistant === 'Football')).toBe(true);

      const gaps = parse(await (await t.api(manager.token, 'GET', `/api/v1/feedback/export.csv?kind=gaps&assistantId=${seededAssistant}`)).text(), { columns: true }) as Record<string, string>[];
      expect(gaps).toHaveLength(10);
      expect(gaps.filter((r) => r.group === '1').map((r) => r.question)).toHaveLength(3);
      expect(gaps[0]).toMatchObject({ groupSize: '3', groupQuestion: 'How do I reset my VPN password?', assistant: 'Handbook' });
      expect((await t.api(staff.token, 'GET', '/api/v1/feedback/export.csv')).status).toBe(403);
    });
  });
});
