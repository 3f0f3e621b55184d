-- Memory (issue 18): notes a user asks Atrium to keep, or keeps from its
-- proposals, retrieved into their own prompts. Off until the user turns it on;
-- an admin may turn it off for a group.

ALTER TABLE "users" ADD COLUMN "memory_enabled" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "groups" ADD COLUMN "memory_disabled" BOOLEAN NOT NULL DEFAULT false;
-- Up to when a conversation's turns were read for memory proposals.
ALTER TABLE "conversations" ADD COLUMN "memory_reviewed_at" TIMESTAMPTZ(3);

CREATE TYPE "MemoryStatus" AS ENUM ('kept', 'proposed');

-- Few per user, so searched exactly (no vector index): the embedding is untyped
-- like chunks.embedding, with the embedder and dimension that made it.
CREATE TABLE "memories" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "user_id" UUID NOT NULL,
  "text" TEXT NOT NULL,
  "status" "MemoryStatus" NOT NULL DEFAULT 'kept',
  -- explicit ("remember that ..."), manual (the Memory page) or proposed (after a conversation).
  "origin" TEXT NOT NULL,
  "conversation_id" UUID,
  "embedder" TEXT,
  "embedding_dim" INTEGER,
  "embedding" vector,
  "tsv" tsvector GENERATED ALWAYS AS (to_tsvector('english', "text")) STORED,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "memories_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "memories_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "memories_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX "memories_user_id_status_idx" ON "memories"("user_id", "status");
CREATE INDEX "memories_conversation_id_idx" ON "memories"("conversation_id");
