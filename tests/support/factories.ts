import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { PrismaClient } from '../../server/src/db/database.js';
import type { GroupRole, Role } from '../../server/src/db/generated/enums.js';

export const DEFAULT_PASSWORD = 'correct horse battery 42';

// bcrypt at cost 12 takes ~0.2 s; factories hash each distinct password once.
const hashes = new Map<string, Promise<string>>();
function hashOnce(password: string): Promise<string> {
  if (!hashes.has(password)) hashes.set(password, bcrypt.hash(password, 12));
  return hashes.get(password)!;
}

export const uniqueEmail = (prefix = 'user') => `${prefix}-${randomBytes(5).toString('hex')}@example.com`;

export interface UserFactoryInput {
  email?: string;
  name?: string;
  role?: Role;
  password?: string;
  active?: boolean;
  mustChangePassword?: boolean;
}

export async function createUserRecord(prisma: PrismaClient, input: UserFactoryInput = {}) {
  return prisma.user.create({
    data: {
      email: input.email ?? uniqueEmail(input.role ?? 'user'),
      name: input.name ?? 'Test User',
      role: input.role ?? 'user',
      active: input.active ?? true,
      mustChangePassword: input.mustChangePassword ?? false,
      passwordHash: await hashOnce(input.password ?? DEFAULT_PASSWORD),
    },
  });
}

export async function createGroupRecord(prisma: PrismaClient, name = `group-${randomBytes(4).toString('hex')}`, members: { userId: string; role?: GroupRole }[] = []) {
  return prisma.group.create({
    data: { name, memberships: { create: members.map((m) => ({ userId: m.userId, role: m.role ?? 'member' })) } },
  });
}

/** An assistant's own knowledge base (as the migration or its files routes make it), attached to it. */
export async function ownKnowledgeBaseRecord(prisma: PrismaClient, assistantId: string) {
  const existing = await prisma.knowledgeBase.findUnique({ where: { assistantId } });
  return existing ?? prisma.knowledgeBase.create({ data: { name: 'Own knowledge', assistantId, attachments: { create: { assistantId } } } });
}
