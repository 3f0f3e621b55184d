#!/usr/bin/env node
// What the read a question starts with costs the process, in CPU per read:
// the Prisma include it used to be against the SQL it is now
// (turnToAnswerIn), on the same rows, in the same process, alternating.
//   npm run bench:turn -- [--reads 2000] [--messages 10] [--rounds 3] [--concurrency 4]
//   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:turn
// Native Postgres when BENCH_DATABASE_URL/TEST_DATABASE_URL is set, else the
// embedded PGlite (where the database's own work runs in this process too).
import { parseArgs } from 'node:util';
import { turnToAnswerIn } from '../server/dist/commands/conversations/conversationAccess.js';
import { ownConversations } from '../server/dist/policies/index.js';
import { readableLinks } from '../server/dist/retrieval/searchScope.js';
import { benchDatabase } from './support/benchDatabase.mjs';

const { values } = parseArgs({
  options: {
    reads: { type: 'string', default: '2000' },
    messages: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '4' },
  },
});
const reads = Number(values.reads);
const concurrency = Number(values.concurrency);

const { db, engine, drop } = await benchDatabase();
try {
  const prisma = db.prisma;
  const user = await prisma.user.create({ data: { email: 'bench@example.com', name: 'Bench', passwordHash: 'x' } });
  const group = await prisma.group.create({ data: { name: 'Staff', memberships: { create: { userId: user.id } } } });
  const assistant = await prisma.assistant.create({ data: { name: 'Helpdesk', groups: { create: { groupId: group.id } } } });
  const base = await prisma.knowledgeBase.create({ data: { name: 'Handbook', readers: { create: { groupId: group.id } }, attachments: { create: { assistantId: assistant.id } } } });
  const conversation = await prisma.conversation.create({ data: { userId: user.id, assistantId: assistant.id } });
  let parentId = null;
  for (let i = 0; i < Number(values.messages); i++) {
    const m = await prisma.message.create({
      data: { conversationId: conversation.id, parentId, role: i % 2 ? 'assistant' : 'user', content: `Message ${i}: ${'words of a question or an answer '.repeat(12)}`, createdAt: new Date(Date.now() - 60_000 + i * 10) },
    });
    parentId = m.id;
  }
  const actor = { id: user.id, email: user.email, role: 'user', mustChangePassword: false, groups: new Map([[group.id, 'member']]) };

  const reads$ = {
    'Prisma include (before)': () =>
      prisma.conversation.findFirst({
        where: { id: conversation.id, ...ownConversations(actor) },
        include: {
          assistant: { include: { groups: true, knowledgeBases: readableLinks(actor) } },
          messages: { select: { id: true, parentId: true, createdAt: true, role: true, content: true, status: true }, orderBy: { createdAt: 'asc' } },
          attachments: { where: { status: 'ready' }, orderBy: { createdAt: 'asc' } },
        },
      }),
    'SQL, turnToAnswerIn (now)': () => turnToAnswerIn({ db }, actor, conversation.id),
  };
  const check = await reads$['SQL, turnToAnswerIn (now)']();
  if (check.thread.length !== Number(values.messages) || check.knowledgeLinks[0]?.knowledgeBaseId !== base.id) throw new Error('the SQL read did not find the seeded rows');

  /** Process CPU (user + system) per read, in microseconds, over `reads` reads `concurrency` at a time. */
  async function cpuPerRead(read) {
    const started = process.cpuUsage();
    const t0 = performance.now();
    let left = reads;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await read();
    }));
    const used = process.cpuUsage(started);
    return { cpu: (used.user + used.system) / reads, wall: ((performance.now() - t0) * 1000) / reads };
  }

  for (const read of Object.values(reads$)) await cpuPerRead(read); // warm both
  const figures = Object.fromEntries(Object.keys(reads$).map((k) => [k, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [name, read] of Object.entries(reads$)) figures[name].push(await cpuPerRead(read));
  }
  console.log(`\nthe read a question starts with; ${engine}; a thread of ${values.messages} messages; ${reads} reads ${concurrency} at a time, ${values.rounds} rounds alternating`);
  console.log('read                         | process CPU per read, each round (µs) | wall per read (µs)');
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [name, rounds] of Object.entries(figures)) {
    console.log(`${name.padEnd(28)} | ${rounds.map((r) => r.cpu.toFixed(0).padStart(6)).join(' ').padEnd(37)} | ${mean(rounds.map((r) => r.wall)).toFixed(0).padStart(6)}`);
  }
  const [before, now] = Object.values(figures).map((rounds) => mean(rounds.map((r) => r.cpu)));
  console.log(`now ÷ before, process CPU: ${(now / before).toFixed(2)}`);
} finally {
  await drop();
}
