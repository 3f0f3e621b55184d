-- Flows (issue 16): an assistant may answer in several steps, each with its
-- own model and instructions (generate -> critique -> refine); null means it
-- answers in one step with its own model. Each answer keeps its steps'
-- outputs (label, model, text, usage) beside its final text.
ALTER TABLE assistants ADD COLUMN flow_steps JSONB;
ALTER TABLE messages ADD COLUMN steps JSONB;
