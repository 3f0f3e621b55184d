-- Shared conversations: a read-only snapshot of one conversation, shared with
-- a colleague, a group, or as a link for any signed-in member.
--
-- The snapshot is kept by reference: the last message shown when sharing
-- (leaf_message_id). Messages are never changed once written (regenerate and
-- edit add siblings), so the path from that leaf to the root is fixed, and
-- later messages are its descendants, never on it. Deleting the conversation
-- deletes its shares with it.

CREATE TYPE "ShareAudience" AS ENUM ('user', 'group', 'link');

CREATE TABLE "conversation_shares" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "conversation_id" UUID NOT NULL,
  "owner_id" UUID NOT NULL,
  "leaf_message_id" UUID NOT NULL,
  "title" TEXT NOT NULL,
  "audience" "ShareAudience" NOT NULL,
  "user_id" UUID,
  "group_id" UUID,
  "token" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "conversation_shares_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "conversation_shares_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "conversation_shares_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "conversation_shares_leaf_message_id_fkey" FOREIGN KEY ("leaf_message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "conversation_shares_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "conversation_shares_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "conversation_shares_audience_check" CHECK (
    ("audience" = 'user' AND "user_id" IS NOT NULL AND "group_id" IS NULL) OR
    ("audience" = 'group' AND "group_id" IS NOT NULL AND "user_id" IS NULL) OR
    ("audience" = 'link' AND "user_id" IS NULL AND "group_id" IS NULL)
  )
);
CREATE UNIQUE INDEX "conversation_shares_token_key" ON "conversation_shares"("token");
CREATE INDEX "conversation_shares_conversation_id_idx" ON "conversation_shares"("conversation_id");
CREATE INDEX "conversation_shares_user_id_idx" ON "conversation_shares"("user_id");
CREATE INDEX "conversation_shares_group_id_idx" ON "conversation_shares"("group_id");

-- Who has opened a share: a link's viewers appear in their "Shared with me",
-- and the first view by each person is audited once.
CREATE TABLE "conversation_share_views" (
  "share_id" UUID NOT NULL,
  "user_id" UUID NOT NULL,
  "first_viewed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "conversation_share_views_pkey" PRIMARY KEY ("share_id", "user_id"),
  CONSTRAINT "conversation_share_views_share_id_fkey" FOREIGN KEY ("share_id") REFERENCES "conversation_shares"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "conversation_share_views_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "conversation_share_views_user_id_idx" ON "conversation_share_views"("user_id");
