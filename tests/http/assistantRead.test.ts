import { assistantFor, type AssistantRecord } from '../../server/src/commands/assistants/assistantAccess.js';
import { listAssistants, type AssistantListQuery } from '../../server/src/commands/assistants/listAssistants.js';
import type { PrismaClient } from '../../server/src/db/database.js';
import { Prisma } from '../../server/src/db/generated/client.js';
import { literalLike } from '../../server/src/db/likePattern.js';
import { AppError } from '../../server/src/errors/appError.js';
import { presentAssistant } from '../../server/src/http/presenters/assistant.js';
import { pageWithTotal } from '../../server/src/lib/pageTotal.js';
import type { Actor } from '../../server/src/policies/actor.js';
import {
  assistantResource,
  authorize,
  can,
  manageableAssistants,
  manageableAssistantsSql,
  usableAssistants,
  usableAssistantsSql,
  type Action,
} from '../../server/src/policies/index.js';
import type { GroupRole, Role } from '../../server/src/db/generated/enums.js';
import { createGroupRecord, createUserRecord } from '../support/factories.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// The assistant list, one assistant and every command's access check read
// assistants with SQL of their own (commands/assistants/assistantRecords.ts),
// scoped by the SQL forms of the policies' scopes. Both must give what the
// Prisma include and the policies' `where` they replaced give, field for
// field, for every kind of reader and assistant.

/** The Prisma include the SQL replaced, as it was (every column of the groups). */
const includeBefore = {
  groups: true,
  model: { select: { id: true, name: true, displayName: true } },
  knowledgeBases: { select: { knowledgeBaseId: true, tags: true }, orderBy: { createdAt: 'asc' } },
} as const satisfies Prisma.AssistantInclude;
type RecordBefore = Prisma.AssistantGetPayload<{ include: typeof includeBefore }>;

/** The record as the presenter and policies see it (they read only the group ids). */
// Groups are a set; the SQL reads give them by id, the include in no set order.
const asRecord = ({ groups, ...rest }: RecordBefore): AssistantRecord => ({ ...rest, groups: groups.map((g) => ({ groupId: g.groupId })).sort((x, y) => (x.groupId < y.groupId ? -1 : 1)) });

/** GET /assistants as the route read it before. */
async function listBefore(prisma: PrismaClient, actor: Actor, query: AssistantListQuery) {
  const scope: Prisma.AssistantWhereInput = query.deleted ? { AND: [manageableAssistants(actor), { deletedAt: { not: null } }] } : usableAssistants(actor);
  const where: Prisma.AssistantWhereInput = { AND: [scope, query.q ? { name: { contains: literalLike(query.q), mode: 'insensitive' } } : {}] };
  const window = { skip: (query.page - 1) * query.pageSize, take: query.pageSize };
  const [rows, total] = await pageWithTotal(
    prisma.assistant.findMany({ where, include: includeBefore, orderBy: [{ [query.sort]: query.order }, { id: 'asc' }], ...window }),
    window,
    () => prisma.assistant.count({ where }),
  );
  return { rows: rows.map(asRecord), total };
}

/** assistantFor as it was before. */
async function assistantForBefore(prisma: PrismaClient, actor: Actor, id: string, action: Action, includeDeleted: boolean): Promise<AssistantRecord> {
  const assistant = await prisma.assistant.findFirst({ where: { id, ...(includeDeleted ? {} : { deletedAt: null }) }, include: includeBefore });
  if (!assistant) throw AppError.notFound('Assistant');
  const resource = assistantResource(assistant);
  if (!can(actor, assistant.deletedAt ? 'assistant.manage' : 'assistant.use', resource)) throw AppError.notFound('Assistant');
  authorize(actor, action, resource);
  return asRecord(assistant);
}

const outcome = async <T>(read: Promise<T>) => read.then((value) => ({ value }), (error: AppError) => ({ error: error.code }));

describe(`reading assistants (${engineName})`, () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  const actors: Record<string, Actor> = {};
  let assistantIds: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = database.db.prisma;
    const user = async (role: Role) => createUserRecord(prisma, { role });
    const people = {
      admin: await user('admin'),
      manager: await user('manager'),
      managerAlone: await user('manager'),
      member: await user('user'),
      twoGroups: await user('user'),
      noGroups: await user('user'),
      groupManagerButUser: await user('user'),
    };
    const [g1, g2, g3] = [await createGroupRecord(prisma), await createGroupRecord(prisma), await createGroupRecord(prisma)];
    const memberships: [keyof typeof people, string, GroupRole][] = [
      ['manager', g1.id, 'manager'],
      ['manager', g2.id, 'member'],
      ['member', g2.id, 'member'],
      ['twoGroups', g1.id, 'member'],
      ['twoGroups', g3.id, 'member'],
      ['groupManagerButUser', g1.id, 'manager'],
    ];
    for (const [who, groupId, role] of memberships) await prisma.groupMembership.create({ data: { userId: people[who].id, groupId, role } });
    for (const [who, u] of Object.entries(people)) {
      actors[who] = {
        id: u.id,
        email: u.email,
        role: u.role,
        mustChangePassword: false,
        groups: new Map(memberships.filter(([w]) => w === who).map(([, groupId, role]) => [groupId, role])),
      };
    }

    const provider = await prisma.provider.create({ data: { name: 'p', kind: 'openai_compatible' } });
    const named = await prisma.model.create({ data: { providerId: provider.id, name: 'named', displayName: 'Named model' } });
    const bare = await prisma.model.create({ data: { providerId: provider.id, name: 'bare' } });
    const bases = await Promise.all(['kb one', 'kb two', 'kb three'].map((name) => prisma.knowledgeBase.create({ data: { name } })));
    const at = (day: number) => new Date(Date.UTC(2026, 11, day, 9, 30, 15, 250));

    const make = async (data: Prisma.AssistantUncheckedCreateInput, groupIds: string[] = [], kbs: { id: string; tags: string[]; day: number }[] = []) => {
      const a = await prisma.assistant.create({ data });
      // One at a time and out of id order: the groups come back in the order Postgres keeps them.
      for (const groupId of groupIds) await prisma.assistantGroup.create({ data: { assistantId: a.id, groupId } });
      for (const kb of kbs) await prisma.assistantKnowledgeBase.create({ data: { assistantId: a.id, knowledgeBaseId: kb.id, tags: kb.tags, createdAt: at(kb.day) } });
      return a.id;
    };
    assistantIds = [
      await make(
        {
          name: 'Alpha',
          description: 'Everything set',
          instructions: 'Be precise.',
          modelId: named.id,
          fallbackModelId: bare.id,
          temperature: 0.35,
          maxTokens: 2048,
          avatarPath: 'avatars/alpha-1700000000000.webp',
          topK: 7,
          similarityThreshold: 0.125,
          chunkSize: 300,
          chunkOverlap: 30,
          knowledgeOnly: true,
          builtinTools: ['search_knowledge', 'current_time'],
          flowSteps: [
            { label: 'draft', modelId: named.id, instructions: 'Draft.' },
            { label: 'refine', modelId: bare.id, instructions: 'Refine.' },
          ],
          attachmentsEnabled: false,
          createdById: people.admin.id,
          createdAt: at(1),
          updatedAt: at(2),
        },
        [g2.id, g1.id, g3.id].sort().reverse(),
        [
          { id: bases[0]!.id, tags: ['b', 'a,"quoted"', 'é'], day: 5 },
          { id: bases[1]!.id, tags: [], day: 3 },
          { id: bases[2]!.id, tags: ['x'], day: 4 },
        ],
      ),
      await make({ name: 'beta', modelId: bare.id, createdById: people.manager.id, flowSteps: Prisma.JsonNull, createdAt: at(2) }, [g3.id]),
      await make({ name: 'beta', createdAt: at(3) }, [g2.id]),
      await make({ name: 'Gamma_1', createdById: people.managerAlone.id, createdAt: at(4) }),
      await make({ name: 'alpha (old)', modelId: bare.id, deletedAt: at(9), createdAt: at(5) }, [g1.id]),
      await make({ name: 'Delta', createdById: people.manager.id, deletedAt: at(8), createdAt: at(6) }),
      await make({ name: 'Epsilon', createdById: people.member.id, flowSteps: [{ label: 'one' }], createdAt: at(7) }),
      await make({ name: 'Zeta', createdAt: at(8) }, [g1.id, g2.id]),
    ];
  });
  afterAll(() => database.drop());

  it('scopes in SQL exactly as the policies’ Prisma scopes and their rules do', async () => {
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
    const all = (await prisma.assistant.findMany({ include: includeBefore })).map((a) => ({ id: a.id, deleted: a.deletedAt !== null, resource: assistantResource(a) }));
    for (const [who, actor] of Object.entries(actors)) {
      const usable = ids(await prisma.$queryRaw<{ id: string }[]>`SELECT a.id FROM assistants a WHERE ${usableAssistantsSql(actor)}`);
      const manageable = ids(await prisma.$queryRaw<{ id: string }[]>`SELECT a.id FROM assistants a WHERE ${manageableAssistantsSql(actor)}`);
      expect({ who, usable }).toEqual({ who, usable: ids(await prisma.assistant.findMany({ where: usableAssistants(actor), select: { id: true } })) });
      expect({ who, manageable }).toEqual({ who, manageable: ids(await prisma.assistant.findMany({ where: manageableAssistants(actor), select: { id: true } })) });
      expect({ who, usable }).toEqual({ who, usable: ids(all.filter((a) => !a.deleted && can(actor, 'assistant.use', a.resource))) });
      expect({ who, manageable }).toEqual({ who, manageable: ids(all.filter((a) => can(actor, 'assistant.manage', a.resource))) });
    }
    // Every kind of reader sees something different here, or the comparison proves little.
    const seen = await Promise.all(Object.values(actors).map(async (actor) => (await listAssistants({ prisma }, actor, query({ pageSize: 200 }))).rows.map((r) => r.id).join()));
    expect(new Set(seen).size).toBe(Object.keys(actors).length);
  });

  const query = (q: Partial<AssistantListQuery>): AssistantListQuery => ({ page: 1, pageSize: 25, sort: 'name', order: 'asc', ...q });

  it('lists what the Prisma include listed, field for field and page by page, for every reader', async () => {
    const queries: AssistantListQuery[] = [];
    for (const deleted of [false, true]) {
      for (const sort of ['name', 'createdAt'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          queries.push(query({ deleted, sort, order }));
          for (const page of [1, 2, 3, 4]) queries.push(query({ deleted, sort, order, page, pageSize: 2 }));
        }
      }
      for (const q of ['a', 'ALPHA', 'beta', '_', '%', 'a_1', 'nothing like it']) queries.push(query({ deleted, q }), query({ deleted, q, pageSize: 1, page: 2 }));
    }
    for (const [who, actor] of Object.entries(actors)) {
      for (const q of queries) {
        const after = await listAssistants({ prisma }, actor, q);
        const before = await listBefore(prisma, actor, q);
        expect({ who, q, ...after }).toEqual({ who, q, ...before });
        // What the API sends: the same bytes.
        expect(JSON.stringify(after.rows.map((a) => presentAssistant(a, actor, false)))).toBe(JSON.stringify(before.rows.map((a) => presentAssistant(a, actor, false))));
      }
    }
    // The full record of the assistant with everything set, as read.
    const [alpha] = (await listAssistants({ prisma }, actors.admin!, query({ q: 'Alpha', pageSize: 1 }))).rows;
    expect(alpha).toMatchObject({
      name: 'Alpha',
      temperature: 0.35,
      similarityThreshold: 0.125,
      builtinTools: ['search_knowledge', 'current_time'],
      model: { name: 'named', displayName: 'Named model' },
      knowledgeBases: [{ tags: [] }, { tags: ['x'] }, { tags: ['b', 'a,"quoted"', 'é'] }],
    });
    expect(alpha!.groups).toHaveLength(3);
    expect(alpha!.createdAt).toBeInstanceOf(Date);
  });

  it('finds one assistant for each action as before: the record, "not found" or "forbidden" alike', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [who, actor] of Object.entries(actors)) {
      for (const id of [...assistantIds, missing]) {
        for (const action of ['assistant.use', 'assistant.manage'] as const) {
          for (const includeDeleted of [false, true]) {
            const after = await outcome(assistantFor({ prisma }, actor, id, action, { includeDeleted }));
            expect({ who, id, action, includeDeleted, ...after }).toEqual({
              who,
              id,
              action,
              includeDeleted,
              ...(await outcome(assistantForBefore(prisma, actor, id, action, includeDeleted))),
            });
          }
        }
      }
    }
  });

  it('reads inside a transaction, as the commands that change an assistant do', async () => {
    const read = await prisma.$transaction((tx) => assistantFor({ prisma: tx }, actors.admin!, assistantIds[0]!, 'assistant.manage'));
    expect(read).toEqual(await assistantForBefore(prisma, actors.admin!, assistantIds[0]!, 'assistant.manage', false));
  });
});
