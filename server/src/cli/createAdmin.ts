// `npm run admin:create -- --email a@b.c [--name "A B"]`; the password comes from
// ADMIN_PASSWORD or is asked for on the terminal (never a command-line argument,
// which other users of the machine could read).
import 'dotenv/config';
import { parseArgs } from 'node:util';
import readline from 'node:readline/promises';
import { bootstrapAdmin } from '../commands/users/bootstrapAdmin.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrator.js';
import { AuditLog } from '../governance/auditLog.js';
import { createLogger } from '../lib/logger.js';

async function askPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('Set ADMIN_PASSWORD or run this in a terminal to be asked for the password');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question('Password for the new admin: ');
  } finally {
    rl.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string', default: 'Administrator' } } });
  if (!values.email) throw new Error('Usage: npm run admin:create -- --email admin@example.com [--name "Jane Doe"]');
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config.database);
  try {
    await migrate(db);
    const password = process.env.ADMIN_PASSWORD || (await askPassword());
    const services = { prisma: db.prisma, audit: new AuditLog(db.prisma), logger };
    const outcome = await bootstrapAdmin(services, { email: values.email, name: values.name!, password }, config.auth.bcryptCost, 'cli');
    console.log(outcome === 'created' ? `Admin ${values.email} created.` : `A user with email ${values.email} already exists; nothing changed.`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
