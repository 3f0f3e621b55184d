-- Staff features: feedback on answers that reaches the assistant's maintainers,
-- knowledge-gap signals recorded with each answer, and the prompt library.

-- What retrieval found for an answer: how many passages, and the best one's
-- similarity. Null for answers written before this migration.
ALTER TABLE "messages" ADD COLUMN "retrieval_passages" INTEGER;
ALTER TABLE "messages" ADD COLUMN "retrieval_top_score" DOUBLE PRECISION;

CREATE TYPE "FeedbackRating" AS ENUM ('up', 'down');

CREATE TABLE "message_feedback" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "message_id" UUID NOT NULL,
  "user_id" UUID NOT NULL,
  "rating" "FeedbackRating" NOT NULL,
  "reasons" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
  "comment" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "message_feedback_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "message_feedback_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "message_feedback_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "message_feedback_message_id_user_id_key" ON "message_feedback"("message_id", "user_id");
CREATE INDEX "message_feedback_created_at_idx" ON "message_feedback"("created_at");

CREATE TABLE "saved_prompts" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "owner_id" UUID NOT NULL,
  "title" TEXT NOT NULL,
  "text" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "saved_prompts_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "saved_prompts_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "saved_prompts_owner_id_idx" ON "saved_prompts"("owner_id");

CREATE TABLE "saved_prompt_groups" (
  "prompt_id" UUID NOT NULL,
  "group_id" UUID NOT NULL,
  CONSTRAINT "saved_prompt_groups_pkey" PRIMARY KEY ("prompt_id", "group_id"),
  CONSTRAINT "saved_prompt_groups_prompt_id_fkey" FOREIGN KEY ("prompt_id") REFERENCES "saved_prompts"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "saved_prompt_groups_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "saved_prompt_groups_group_id_idx" ON "saved_prompt_groups"("group_id");
