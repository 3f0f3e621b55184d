import type { Services } from '../../services.js';

/**
 * Gives each stdio server the operator declared (MCP_STDIO_SERVERS) a row, so
 * admins can choose its groups, assistants and tools like any other server.
 * A new row offers nothing until an admin picks groups and assistants. Rows of
 * servers no longer declared stay (their tools fail with a clear note) until an
 * admin deletes them. A name an admin already gave an HTTP server is refused
 * loudly rather than taken over.
 */
export async function syncDeclaredToolServers(s: Pick<Services, 'prisma' | 'logger' | 'audit' | 'toolServers'>): Promise<void> {
  for (const declared of s.toolServers.declared) {
    const existing = await s.prisma.toolServer.findFirst({ where: { name: { equals: declared.name, mode: 'insensitive' } } });
    if (existing?.transport === 'stdio') continue;
    if (existing) {
      s.logger.error({ toolServer: declared.name }, 'MCP_STDIO_SERVERS declares a name an admin gave an HTTP tool server; the declared server is not added');
      continue;
    }
    const created = await s.prisma.toolServer.create({ data: { name: declared.name, url: `stdio:${declared.name}`, transport: 'stdio' } });
    await s.audit.record({ actor: null, action: 'tool_server.create', resource: { type: 'tool_server', id: created.id }, newValues: { name: created.name, transport: 'stdio', declaredBy: 'MCP_STDIO_SERVERS' } });
    s.logger.info({ toolServer: declared.name }, 'stdio tool server declared by the operator; admins choose who may use it');
  }
}
