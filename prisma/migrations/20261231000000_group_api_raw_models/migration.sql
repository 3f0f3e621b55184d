-- The OpenAI-compatible API: members of a group with this switch on may call
-- the enabled chat models directly (no assistant), under their quotas.
ALTER TABLE "groups" ADD COLUMN "api_raw_models" BOOLEAN NOT NULL DEFAULT false;
