-- MCP servers that run as a command on the host (stdio) exist only when the
-- operator declares them in configuration (MCP_STDIO_SERVERS); their row keeps
-- what admins choose (groups, assistants, tools), never the command.
ALTER TABLE tool_servers ADD COLUMN transport TEXT NOT NULL DEFAULT 'http';
ALTER TABLE tool_servers ADD CONSTRAINT tool_servers_transport_check CHECK (transport IN ('http', 'stdio'));
