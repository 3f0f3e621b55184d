-- "Ask first" tools (issue 16): calls to these tools of a server wait for the
-- asking user to allow or deny each one before Atrium runs it.
ALTER TABLE tool_servers ADD COLUMN ask_first_tools TEXT[] NOT NULL DEFAULT '{}';
