-- Atrium initial schema. Written by hand to match prisma/schema.prisma
-- (tests/db/schema.test.ts checks every model through the Prisma client).

CREATE EXTENSION IF NOT EXISTS vector;

-- Enums
CREATE TYPE "Role" AS ENUM ('admin', 'manager', 'user');
CREATE TYPE "GroupRole" AS ENUM ('member', 'manager');
CREATE TYPE "FileStatus" AS ENUM ('queued', 'extracting', 'chunking', 'embedding', 'ready', 'failed');
CREATE TYPE "MessageRole" AS ENUM ('system', 'user', 'assistant');
CREATE TYPE "MessageStatus" AS ENUM ('streaming', 'complete', 'stopped', 'error');
CREATE TYPE "ProviderKind" AS ENUM ('openai_compatible', 'anthropic');
CREATE TYPE "ModelKind" AS ENUM ('chat', 'embedding', 'rerank');
CREATE TYPE "UsageOutcome" AS ENUM ('success', 'error', 'stopped', 'rejected');
CREATE TYPE "QuotaScope" AS ENUM ('global', 'group', 'user', 'assistant');
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'done', 'failed', 'cancelled');

-- People
CREATE TABLE "users" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "email" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "password_hash" TEXT NOT NULL,
  "role" "Role" NOT NULL DEFAULT 'user',
  "active" BOOLEAN NOT NULL DEFAULT true,
  "must_change_password" BOOLEAN NOT NULL DEFAULT false,
  "failed_login_count" INTEGER NOT NULL DEFAULT 0,
  "locked_until" TIMESTAMPTZ(3),
  "last_login_at" TIMESTAMPTZ(3),
  "password_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");
CREATE INDEX "users_role_idx" ON "users"("role");
CREATE INDEX "users_created_at_idx" ON "users"("created_at");

CREATE TABLE "groups" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "name" TEXT NOT NULL,
  "description" TEXT NOT NULL DEFAULT '',
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "groups_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "groups_name_key" ON "groups"("name");

CREATE TABLE "group_memberships" (
  "user_id" UUID NOT NULL,
  "group_id" UUID NOT NULL,
  "role" "GroupRole" NOT NULL DEFAULT 'member',
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "group_memberships_pkey" PRIMARY KEY ("user_id", "group_id"),
  CONSTRAINT "group_memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "group_memberships_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "group_memberships_group_id_idx" ON "group_memberships"("group_id");

CREATE TABLE "refresh_token_families" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "user_id" UUID NOT NULL,
  "ip" TEXT,
  "user_agent" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "revoked_at" TIMESTAMPTZ(3),
  "revoked_reason" TEXT,
  CONSTRAINT "refresh_token_families_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "refresh_token_families_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "refresh_token_families_user_id_idx" ON "refresh_token_families"("user_id");

CREATE TABLE "refresh_tokens" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "family_id" UUID NOT NULL,
  "token_hash" TEXT NOT NULL,
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  "rotated_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "refresh_tokens_family_id_fkey" FOREIGN KEY ("family_id") REFERENCES "refresh_token_families"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens"("token_hash");
CREATE INDEX "refresh_tokens_family_id_idx" ON "refresh_tokens"("family_id");
CREATE INDEX "refresh_tokens_expires_at_idx" ON "refresh_tokens"("expires_at");

-- Providers and models (before assistants, which reference models)
CREATE TABLE "providers" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "name" TEXT NOT NULL,
  "kind" "ProviderKind" NOT NULL,
  "base_url" TEXT,
  "enabled" BOOLEAN NOT NULL DEFAULT true,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "providers_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "providers_name_key" ON "providers"("name");

CREATE TABLE "api_keys" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "provider_id" UUID NOT NULL,
  "label" TEXT NOT NULL DEFAULT 'default',
  "ciphertext" BYTEA NOT NULL,
  "iv" BYTEA NOT NULL,
  "auth_tag" BYTEA NOT NULL,
  "wrapped_data_key" BYTEA NOT NULL,
  "master_key_id" TEXT NOT NULL,
  "hint" TEXT NOT NULL,
  "enabled" BOOLEAN NOT NULL DEFAULT true,
  "last_used_at" TIMESTAMPTZ(3),
  "rotated_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "api_keys_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "api_keys_provider_id_idx" ON "api_keys"("provider_id");
CREATE INDEX "api_keys_master_key_id_idx" ON "api_keys"("master_key_id");

CREATE TABLE "models" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "provider_id" UUID NOT NULL,
  "name" TEXT NOT NULL,
  "display_name" TEXT,
  "kind" "ModelKind" NOT NULL DEFAULT 'chat',
  "context_window" INTEGER NOT NULL DEFAULT 8192,
  "max_output_tokens" INTEGER,
  "input_price_per_mtok" DECIMAL(14,6) NOT NULL DEFAULT 0,
  "output_price_per_mtok" DECIMAL(14,6) NOT NULL DEFAULT 0,
  "enabled" BOOLEAN NOT NULL DEFAULT true,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "models_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "models_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "models_provider_id_name_key" ON "models"("provider_id", "name");

-- Assistants
CREATE TABLE "assistants" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "name" TEXT NOT NULL,
  "description" TEXT NOT NULL DEFAULT '',
  "instructions" TEXT NOT NULL DEFAULT '',
  "model_id" UUID,
  "temperature" DOUBLE PRECISION NOT NULL DEFAULT 0.7,
  "max_tokens" INTEGER NOT NULL DEFAULT 1024,
  "avatar_path" TEXT,
  "top_k" INTEGER,
  "similarity_threshold" DOUBLE PRECISION,
  "chunk_size" INTEGER,
  "chunk_overlap" INTEGER,
  "knowledge_only" BOOLEAN NOT NULL DEFAULT false,
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "deleted_at" TIMESTAMPTZ(3),
  CONSTRAINT "assistants_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "assistants_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "assistants_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX "assistants_deleted_at_idx" ON "assistants"("deleted_at");
CREATE INDEX "assistants_model_id_idx" ON "assistants"("model_id");
CREATE INDEX "assistants_created_by_id_idx" ON "assistants"("created_by_id");

CREATE TABLE "assistant_groups" (
  "assistant_id" UUID NOT NULL,
  "group_id" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "assistant_groups_pkey" PRIMARY KEY ("assistant_id", "group_id"),
  CONSTRAINT "assistant_groups_assistant_id_fkey" FOREIGN KEY ("assistant_id") REFERENCES "assistants"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "assistant_groups_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "assistant_groups_group_id_idx" ON "assistant_groups"("group_id");

-- Knowledge
CREATE TABLE "knowledge_files" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "assistant_id" UUID NOT NULL,
  "original_name" TEXT NOT NULL,
  "mime_type" TEXT NOT NULL,
  "size_bytes" BIGINT NOT NULL,
  "sha256" TEXT NOT NULL,
  "storage_path" TEXT NOT NULL,
  "status" "FileStatus" NOT NULL DEFAULT 'queued',
  "progress" INTEGER NOT NULL DEFAULT 0,
  "error" TEXT,
  "page_count" INTEGER,
  "chunk_count" INTEGER NOT NULL DEFAULT 0,
  "embedder" TEXT,
  "embedding_dim" INTEGER,
  "uploaded_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "processed_at" TIMESTAMPTZ(3),
  CONSTRAINT "knowledge_files_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "knowledge_files_assistant_id_fkey" FOREIGN KEY ("assistant_id") REFERENCES "assistants"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "knowledge_files_uploaded_by_id_fkey" FOREIGN KEY ("uploaded_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "knowledge_files_progress_check" CHECK ("progress" BETWEEN 0 AND 100)
);
CREATE UNIQUE INDEX "knowledge_files_assistant_id_sha256_key" ON "knowledge_files"("assistant_id", "sha256");
CREATE INDEX "knowledge_files_assistant_id_status_idx" ON "knowledge_files"("assistant_id", "status");
CREATE INDEX "knowledge_files_status_idx" ON "knowledge_files"("status");

CREATE TABLE "chunks" (
  "id" BIGSERIAL NOT NULL,
  "file_id" UUID NOT NULL,
  "assistant_id" UUID NOT NULL,
  "ordinal" INTEGER NOT NULL,
  "text" TEXT NOT NULL,
  "token_count" INTEGER NOT NULL,
  "page" INTEGER,
  "section" TEXT,
  "embedder" TEXT NOT NULL,
  "embedding_dim" INTEGER NOT NULL,
  "embedding" vector,
  "tsv" tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce("section", '') || ' ' || "text")) STORED,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "chunks_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "chunks_file_id_fkey" FOREIGN KEY ("file_id") REFERENCES "knowledge_files"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "chunks_assistant_id_fkey" FOREIGN KEY ("assistant_id") REFERENCES "assistants"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "chunks_embedding_dim_check" CHECK ("embedding" IS NULL OR vector_dims("embedding") = "embedding_dim")
);
CREATE UNIQUE INDEX "chunks_file_id_ordinal_key" ON "chunks"("file_id", "ordinal");
CREATE INDEX "chunks_assistant_id_idx" ON "chunks"("assistant_id");
CREATE INDEX "chunks_tsv_idx" ON "chunks" USING GIN ("tsv");
-- HNSW needs a fixed dimension, so there is one partial expression index per
-- supported embedding size. Queries must use the same expression and predicate:
--   ORDER BY (embedding::vector(384)) <=> $1::vector(384) ... WHERE embedding_dim = 384
CREATE INDEX "chunks_embedding_256_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(256)) vector_cosine_ops) WHERE "embedding_dim" = 256;
CREATE INDEX "chunks_embedding_384_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(384)) vector_cosine_ops) WHERE "embedding_dim" = 384;
CREATE INDEX "chunks_embedding_512_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(512)) vector_cosine_ops) WHERE "embedding_dim" = 512;
CREATE INDEX "chunks_embedding_768_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(768)) vector_cosine_ops) WHERE "embedding_dim" = 768;
CREATE INDEX "chunks_embedding_1024_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(1024)) vector_cosine_ops) WHERE "embedding_dim" = 1024;
CREATE INDEX "chunks_embedding_1536_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(1536)) vector_cosine_ops) WHERE "embedding_dim" = 1536;

-- Chat
CREATE TABLE "conversations" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "user_id" UUID NOT NULL,
  "assistant_id" UUID NOT NULL,
  "title" TEXT NOT NULL DEFAULT 'New conversation',
  "archived" BOOLEAN NOT NULL DEFAULT false,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "last_message_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "conversations_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "conversations_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "conversations_assistant_id_fkey" FOREIGN KEY ("assistant_id") REFERENCES "assistants"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "conversations_user_id_archived_last_message_at_idx" ON "conversations"("user_id", "archived", "last_message_at");
CREATE INDEX "conversations_assistant_id_idx" ON "conversations"("assistant_id");

CREATE TABLE "messages" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "conversation_id" UUID NOT NULL,
  "parent_id" UUID,
  "role" "MessageRole" NOT NULL,
  "content" TEXT NOT NULL,
  "status" "MessageStatus" NOT NULL DEFAULT 'complete',
  "model" TEXT,
  "prompt_tokens" INTEGER,
  "completion_tokens" INTEGER,
  "finish_reason" TEXT,
  "latency_ms" INTEGER,
  "sources" JSONB,
  "error" TEXT,
  "edit_history" JSONB NOT NULL DEFAULT '[]',
  "tsv" tsvector GENERATED ALWAYS AS (to_tsvector('english', "content")) STORED,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "messages_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "messages_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "messages_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX "messages_conversation_id_created_at_idx" ON "messages"("conversation_id", "created_at");
CREATE INDEX "messages_parent_id_idx" ON "messages"("parent_id");
CREATE INDEX "messages_tsv_idx" ON "messages" USING GIN ("tsv");

-- Governance
CREATE TABLE "usage_logs" (
  "id" BIGSERIAL NOT NULL,
  "user_id" UUID,
  "group_ids" UUID[] NOT NULL DEFAULT ARRAY[]::UUID[],
  "assistant_id" UUID,
  "conversation_id" UUID,
  "message_id" UUID,
  "model_id" UUID,
  "model_name" TEXT NOT NULL,
  "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
  "completion_tokens" INTEGER NOT NULL DEFAULT 0,
  "cost" DECIMAL(14,6) NOT NULL DEFAULT 0,
  "latency_ms" INTEGER,
  "outcome" "UsageOutcome" NOT NULL DEFAULT 'success',
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "usage_logs_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "usage_logs_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "usage_logs_assistant_id_fkey" FOREIGN KEY ("assistant_id") REFERENCES "assistants"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "usage_logs_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "usage_logs_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "usage_logs_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX "usage_logs_created_at_idx" ON "usage_logs"("created_at");
CREATE INDEX "usage_logs_user_id_created_at_idx" ON "usage_logs"("user_id", "created_at");
CREATE INDEX "usage_logs_assistant_id_created_at_idx" ON "usage_logs"("assistant_id", "created_at");
CREATE INDEX "usage_logs_model_id_created_at_idx" ON "usage_logs"("model_id", "created_at");

CREATE TABLE "quotas" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "scope" "QuotaScope" NOT NULL,
  "scope_id" UUID,
  "requests_per_minute" INTEGER,
  "requests_per_hour" INTEGER,
  "tokens_per_day" BIGINT,
  "tokens_per_month" BIGINT,
  "cost_per_day" DECIMAL(14,6),
  "cost_per_month" DECIMAL(14,6),
  "alert_threshold_pct" INTEGER NOT NULL DEFAULT 80,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "quotas_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "quotas_scope_id_check" CHECK (("scope" = 'global') = ("scope_id" IS NULL))
);
CREATE UNIQUE INDEX "quotas_scope_scope_id_key" ON "quotas"("scope", "scope_id");
-- NULLs are distinct in a unique index, so the single global quota needs its own.
CREATE UNIQUE INDEX "quotas_one_global" ON "quotas"("scope") WHERE "scope_id" IS NULL;

CREATE TABLE "quota_counters" (
  "quota_id" UUID NOT NULL,
  "period" TEXT NOT NULL,
  "period_start" TIMESTAMPTZ(3) NOT NULL,
  "requests" INTEGER NOT NULL DEFAULT 0,
  "tokens" BIGINT NOT NULL DEFAULT 0,
  "cost" DECIMAL(14,6) NOT NULL DEFAULT 0,
  "reserved_tokens" BIGINT NOT NULL DEFAULT 0,
  "reserved_cost" DECIMAL(14,6) NOT NULL DEFAULT 0,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "quota_counters_pkey" PRIMARY KEY ("quota_id", "period", "period_start"),
  CONSTRAINT "quota_counters_quota_id_fkey" FOREIGN KEY ("quota_id") REFERENCES "quotas"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "quota_alerts" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "quota_id" UUID NOT NULL,
  "limit_name" TEXT NOT NULL,
  "period_start" TIMESTAMPTZ(3) NOT NULL,
  "used_pct" INTEGER NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "quota_alerts_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "quota_alerts_quota_id_fkey" FOREIGN KEY ("quota_id") REFERENCES "quotas"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "quota_alerts_quota_id_limit_name_period_start_key" ON "quota_alerts"("quota_id", "limit_name", "period_start");
CREATE INDEX "quota_alerts_created_at_idx" ON "quota_alerts"("created_at");

CREATE TABLE "audit_logs" (
  "id" BIGSERIAL NOT NULL,
  "actor_id" UUID,
  "actor_email" TEXT,
  "action" TEXT NOT NULL,
  "resource_type" TEXT,
  "resource_id" TEXT,
  "old_values" JSONB,
  "new_values" JSONB,
  "ip" TEXT,
  "user_agent" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "prev_hash" TEXT NOT NULL,
  "hash" TEXT NOT NULL,
  CONSTRAINT "audit_logs_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "audit_logs_hash_key" ON "audit_logs"("hash");
-- One successor per entry: two writers that read the same head cannot both land.
CREATE UNIQUE INDEX "audit_logs_prev_hash_key" ON "audit_logs"("prev_hash");
CREATE INDEX "audit_logs_created_at_idx" ON "audit_logs"("created_at");
CREATE INDEX "audit_logs_actor_id_created_at_idx" ON "audit_logs"("actor_id", "created_at");
CREATE INDEX "audit_logs_action_created_at_idx" ON "audit_logs"("action", "created_at");
CREATE INDEX "audit_logs_resource_type_resource_id_idx" ON "audit_logs"("resource_type", "resource_id");

CREATE FUNCTION "audit_logs_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_logs is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "audit_logs_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_logs"
  FOR EACH ROW EXECUTE FUNCTION "audit_logs_append_only"();
CREATE TRIGGER "audit_logs_no_truncate" BEFORE TRUNCATE ON "audit_logs"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_logs_append_only"();

CREATE TABLE "settings" (
  "key" TEXT NOT NULL,
  "value" JSONB NOT NULL,
  "updated_by_id" UUID,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "settings_pkey" PRIMARY KEY ("key")
);

-- Jobs
CREATE TABLE "jobs" (
  "id" BIGSERIAL NOT NULL,
  "type" TEXT NOT NULL,
  "payload" JSONB NOT NULL,
  "status" "JobStatus" NOT NULL DEFAULT 'queued',
  "dedupe_key" TEXT,
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "max_attempts" INTEGER NOT NULL DEFAULT 3,
  "run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "locked_by" TEXT,
  "locked_at" TIMESTAMPTZ(3),
  "heartbeat_at" TIMESTAMPTZ(3),
  "last_error" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "finished_at" TIMESTAMPTZ(3),
  CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "jobs_status_run_at_idx" ON "jobs"("status", "run_at");
CREATE INDEX "jobs_type_status_idx" ON "jobs"("type", "status");
CREATE UNIQUE INDEX "jobs_dedupe_key_active" ON "jobs"("dedupe_key") WHERE "status" IN ('queued', 'running');
