// A real MCP server over stdio, built with the official SDK: what an operator
// declares in MCP_STDIO_SERVERS (a command Atrium runs for each session).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'text-tools', version: '1.0.0' });
server.registerTool('word_count', { description: 'Counts the words of a text.', inputSchema: { text: z.string() } }, async ({ text }) => ({
  content: [{ type: 'text', text: `${text.split(/\s+/).filter(Boolean).length} words (pid ${process.pid}, ${process.env.TEXT_TOOLS_GREETING ?? 'no greeting'})` }],
}));
await server.connect(new StdioServerTransport());
