-- Integrations (issue 13): personal access tokens, and where a call came from.

-- A token is shown once; only the SHA-256 of its secret part is kept. The
-- lookup part (in clear inside the token) finds the row; the secret is then
-- compared in constant time. No foreign key on user_id is declared to Prisma
-- (the User model stays untouched); the database still cascades.
CREATE TABLE "personal_access_tokens" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "user_id" UUID NOT NULL,
  "name" TEXT NOT NULL,
  "lookup" TEXT NOT NULL,
  "secret_hash" TEXT NOT NULL,
  "scopes" TEXT[] NOT NULL DEFAULT '{}',
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  "last_used_at" TIMESTAMPTZ(3),
  "revoked_at" TIMESTAMPTZ(3),
  "revoked_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "personal_access_tokens_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "personal_access_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "personal_access_tokens_lookup_key" ON "personal_access_tokens"("lookup");
CREATE INDEX "personal_access_tokens_user_id_idx" ON "personal_access_tokens"("user_id");

-- Conversations started through the OpenAI-compatible API or MCP are kept,
-- marked, and left out of the chat app's sidebar by default.
ALTER TABLE "conversations" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'chat';

-- Usage rows say where the call came from and, for a token, which one.
ALTER TABLE "usage_logs" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'chat';
ALTER TABLE "usage_logs" ADD COLUMN "token_id" UUID;
ALTER TABLE "usage_logs" ADD COLUMN "token_name" TEXT;

-- Audit entries made with a token record it ({ id, name }); hashed with the
-- entry only when present, so earlier entries still verify.
ALTER TABLE "audit_logs" ADD COLUMN "actor_token" JSONB;
