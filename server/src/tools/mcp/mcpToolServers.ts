import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { StdioServerDeclaration } from '../../config/index.js';
import type { Logger } from 'pino';
import type { PrismaClient } from '../../db/database.js';
import type { ToolServer } from '../../db/generated/client.js';
import type { KeyVault } from '../../governance/keyVault.js';
import { ToolFailure } from '../tool.js';

// Atrium as an MCP client of the tool servers admins registered, through the
// official SDK over Streamable HTTP. Each listing and each call opens its own
// short session: no state to go stale when a server restarts, and a server
// that is down costs one failed connection, never a stuck chat. Tool lists
// are cached briefly and dropped when an admin changes the server, or at once
// when the server says its list changed: a server that advertises
// `tools.listChanged` gets one long-lived session per process that only
// listens for that notification (stateless servers do not advertise it).

/** A tool as the server describes it. */
export interface RemoteTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

const LIST_TTL_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

export class McpToolServers {
  private readonly lists = new Map<string, { at: number; tools: Promise<RemoteTool[]> }>();

  constructor(
    private readonly keyVault: KeyVault,
    private readonly logger: Logger,
    /** The stdio servers the operator declared (MCP_STDIO_SERVERS), by name. */
    readonly declared: readonly StdioServerDeclaration[] = [],
  ) {}

  /** The server's tools, from the cache when fresh; throws when the server cannot be reached. */
  async tools(server: ToolServer): Promise<RemoteTool[]> {
    const cached = this.lists.get(server.id);
    if (cached && Date.now() - cached.at < LIST_TTL_MS) return cached.tools;
    const tools = this.session(server, AbortSignal.timeout(CONNECT_TIMEOUT_MS * 2), async (client) => {
      const listed: RemoteTool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {});
        for (const tool of page.tools) listed.push({ name: tool.name, description: tool.description ?? '', inputSchema: tool.inputSchema as Record<string, unknown> });
        cursor = page.nextCursor;
      } while (cursor);
      return listed;
    });
    this.lists.set(server.id, { at: Date.now(), tools });
    tools.then(
      () => this.watch(server),
      () => this.lists.delete(server.id),
    );
    return tools;
  }

  /** Runs one tool; the text parts of its result, or ToolFailure when the server reports an error. */
  async call(server: ToolServer, name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    return this.session(server, signal, async (client) => {
      const result = await client.callTool({ name, arguments: args }, undefined, { signal, timeout: 24 * 3600_000 });
      const text = resultText(result as { content?: unknown; structuredContent?: unknown });
      if (result.isError) throw new ToolFailure(text || 'The tool reported an error.');
      return text;
    });
  }

  /** Forgets a server's cached tools, and whether any server is enabled (after an admin changes one). */
  forget(serverId: string): void {
    this.lists.delete(serverId);
    this.enabledCheck = undefined;
    void this.unwatch(serverId);
  }

  /** The operator's declaration of a stdio server, matched by name as names are (case-insensitively). */
  declarationOf(name: string): StdioServerDeclaration | undefined {
    return this.declared.find((d) => d.name.toLowerCase() === name.toLowerCase());
  }

  /** Closes the sessions that listen for list changes (on shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.watchers.keys()].map((id) => this.unwatch(id)));
  }

  private readonly watchers = new Map<string, Promise<Client | null>>();

  // One listening session per server, opened after a successful listing; kept
  // only when the server advertises list changes.
  private watch(server: ToolServer): void {
    // A stdio server's process lives for one session: nothing stays to listen.
    if (server.transport === 'stdio' || this.watchers.has(server.id)) return;
    const watcher = (async () => {
      const client = new Client(
        { name: 'atrium', version: '1.0.0' },
        { listChanged: { tools: { autoRefresh: false, debounceMs: 100, onChanged: () => this.lists.delete(server.id) } } },
      );
      try {
        await client.connect(this.transportFor(server), { timeout: CONNECT_TIMEOUT_MS });
        if (client.getServerCapabilities()?.tools?.listChanged) return client;
      } catch (error) {
        this.logger.debug({ toolServer: server.name, err: (error as Error).message }, 'no list-change session for tool server');
      }
      await client.close().catch(() => undefined);
      return null;
    })();
    this.watchers.set(server.id, watcher);
  }

  private async unwatch(serverId: string): Promise<void> {
    const watcher = this.watchers.get(serverId);
    this.watchers.delete(serverId);
    await (await watcher)?.close().catch(() => undefined);
  }

  // Most installations have no tool server: answering then skips the query for
  // the asker's servers. Read again after LIST_TTL_MS, at once after a change
  // made through this process (another process's change shows within the TTL).
  private enabledCheck?: { at: number; any: Promise<boolean> };

  /** Whether any tool server is enabled at all, cached briefly. */
  anyEnabled(prisma: PrismaClient): Promise<boolean> {
    if (this.enabledCheck && Date.now() - this.enabledCheck.at < LIST_TTL_MS) return this.enabledCheck.any;
    const check = { at: Date.now(), any: prisma.toolServer.findFirst({ where: { enabled: true }, select: { id: true } }).then((row) => row !== null) };
    this.enabledCheck = check;
    check.any.catch(() => {
      if (this.enabledCheck === check) this.enabledCheck = undefined;
    });
    return check.any;
  }

  private async session<T>(server: ToolServer, signal: AbortSignal, work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ name: 'atrium', version: '1.0.0' });
    try {
      await client.connect(this.transportFor(server, signal), { signal, timeout: CONNECT_TIMEOUT_MS });
      return await work(client);
    } catch (error) {
      if (error instanceof ToolFailure) throw error;
      this.logger.warn({ toolServer: server.name, err: (error as Error).message }, 'tool server call failed');
      throw new ToolFailure(`The tool server "${server.name}" could not be reached or failed: ${(error as Error).message}`);
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  // A stdio server runs its declared command for the session and is stopped
  // when the session closes; only the declaration says what runs, never the row.
  private transportFor(server: ToolServer, signal?: AbortSignal): Transport {
    if (server.transport !== 'stdio') return new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: this.headersOf(server), signal } });
    const declared = this.declarationOf(server.name);
    if (!declared) throw new ToolFailure(`The tool server "${server.name}" is no longer declared by the operator (MCP_STDIO_SERVERS).`);
    return new StdioClientTransport({ command: declared.command, args: declared.args, env: { ...getDefaultEnvironment(), ...declared.env }, cwd: declared.cwd, stderr: 'ignore' });
  }

  private headersOf(server: ToolServer): Record<string, string> {
    if (!server.ciphertext || !server.iv || !server.authTag || !server.wrappedDataKey || !server.masterKeyId) return {};
    const sealed = { id: server.id, ciphertext: server.ciphertext, iv: server.iv, authTag: server.authTag, wrappedDataKey: server.wrappedDataKey, masterKeyId: server.masterKeyId };
    return JSON.parse(this.keyVault.open(sealed)) as Record<string, string>;
  }
}

/** What a tool result says, as text for the model: its text parts, else its structured content. */
function resultText(result: { content?: unknown; structuredContent?: unknown }): string {
  const parts = Array.isArray(result.content) ? (result.content as { type: string; text?: string; mimeType?: string }[]) : [];
  const texts = parts.map((p) => (p.type === 'text' ? (p.text ?? '') : `[${p.type}${p.mimeType ? ` ${p.mimeType}` : ''} content omitted]`));
  if (texts.some((t) => t.trim() !== '')) return texts.join('\n');
  return result.structuredContent === undefined ? '' : JSON.stringify(result.structuredContent);
}
