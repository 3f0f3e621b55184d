-- Tools in answers (issue 16): the built-in tools an assistant may call, and
-- each answer's tool calls in order (arguments and results live with the
-- message, not in the audit log).
ALTER TABLE assistants ADD COLUMN builtin_tools TEXT[] NOT NULL DEFAULT '{}';
ALTER TABLE messages ADD COLUMN tool_calls JSONB;
