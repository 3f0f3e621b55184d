-- MCP tool servers (issue 16): registered by admins over Streamable HTTP,
-- their headers (an API key, say) sealed by the key vault like provider keys,
-- usable by chosen groups, offered by chosen assistants.
CREATE TABLE tool_servers (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT true,
  -- The names of the sealed headers, shown in the console; their values never leave the server.
  header_names TEXT[] NOT NULL DEFAULT '{}',
  ciphertext BYTEA,
  iv BYTEA,
  auth_tag BYTEA,
  wrapped_data_key BYTEA,
  master_key_id TEXT,
  disabled_tools TEXT[] NOT NULL DEFAULT '{}',
  created_by_id UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX tool_servers_name_key ON tool_servers (lower(name));

CREATE TABLE tool_server_groups (
  tool_server_id UUID NOT NULL REFERENCES tool_servers(id) ON DELETE CASCADE,
  group_id UUID NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  PRIMARY KEY (tool_server_id, group_id)
);
CREATE INDEX tool_server_groups_group_id_idx ON tool_server_groups (group_id);

CREATE TABLE tool_server_assistants (
  tool_server_id UUID NOT NULL REFERENCES tool_servers(id) ON DELETE CASCADE,
  assistant_id UUID NOT NULL REFERENCES assistants(id) ON DELETE CASCADE,
  PRIMARY KEY (tool_server_id, assistant_id)
);
CREATE INDEX tool_server_assistants_assistant_id_idx ON tool_server_assistants (assistant_id);
