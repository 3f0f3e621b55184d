-- Attachments (issue 15): files and images a user attaches to one of their
-- conversations. They go through the same pipeline as knowledge files (type by
-- bytes, sandboxed extraction, chunking, embedding) and their chunks live in
-- the same table, owned by the attachment instead of a knowledge base: a chunk
-- has exactly one owner, either (file, base) or an attachment. Every existing
-- retrieval query filters on knowledge_base_id or file_id, which are NULL for
-- attachment chunks, so those queries never see them; attachment chunks are
-- searched only when their own conversation's answer names them.

CREATE TYPE "AttachmentKind" AS ENUM ('document', 'image');

CREATE TABLE "conversation_attachments" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "conversation_id" UUID NOT NULL,
  -- The conversation's owner, kept here for the per-user storage sum.
  "user_id" UUID NOT NULL,
  "original_name" TEXT NOT NULL,
  "mime_type" TEXT NOT NULL,
  "kind" "AttachmentKind" NOT NULL DEFAULT 'document',
  "size_bytes" BIGINT NOT NULL,
  "sha256" TEXT NOT NULL,
  "storage_path" TEXT NOT NULL,
  "status" "FileStatus" NOT NULL DEFAULT 'queued',
  "progress" INTEGER NOT NULL DEFAULT 0,
  "error" TEXT,
  "page_count" INTEGER,
  "chunk_count" INTEGER NOT NULL DEFAULT 0,
  -- Sum of the chunks' tokens: decides whether the document goes whole into a prompt.
  "token_count" INTEGER NOT NULL DEFAULT 0,
  "embedder" TEXT,
  "embedding_dim" INTEGER,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "processed_at" TIMESTAMPTZ(3),
  CONSTRAINT "conversation_attachments_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "conversation_attachments_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "conversation_attachments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "conversation_attachments_conversation_id_idx" ON "conversation_attachments"("conversation_id");
CREATE INDEX "conversation_attachments_user_id_idx" ON "conversation_attachments"("user_id");

-- Chunks: the owner is a knowledge file (with its base) or an attachment.
ALTER TABLE "chunks" ALTER COLUMN "file_id" DROP NOT NULL;
ALTER TABLE "chunks" ALTER COLUMN "knowledge_base_id" DROP NOT NULL;
ALTER TABLE "chunks" ADD COLUMN "attachment_id" UUID;
ALTER TABLE "chunks" ADD CONSTRAINT "chunks_attachment_id_fkey"
  FOREIGN KEY ("attachment_id") REFERENCES "conversation_attachments"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chunks" ADD CONSTRAINT "chunks_one_owner" CHECK (
  ("attachment_id" IS NULL AND "file_id" IS NOT NULL AND "knowledge_base_id" IS NOT NULL)
  OR ("attachment_id" IS NOT NULL AND "file_id" IS NULL AND "knowledge_base_id" IS NULL)
);
CREATE UNIQUE INDEX "chunks_attachment_id_ordinal_key" ON "chunks"("attachment_id", "ordinal");

-- Attachments are switched per assistant (on by default); models that can see images say so (admin-set).
ALTER TABLE "assistants" ADD COLUMN "attachments_enabled" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "models" ADD COLUMN "vision" BOOLEAN NOT NULL DEFAULT false;

-- BM25 statistics stay per knowledge base: attachment chunks (no base) are
-- left out of them; a conversation's few attachment chunks are counted when
-- they are searched. Same function as in 20270101000000_knowledge_bases, with
-- rows without a base filtered out of the delta.
CREATE OR REPLACE FUNCTION "chunk_stats_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta TEXT := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT "knowledge_base_id", 1 AS "sign", "token_count", "tsv" FROM "new_chunks"'
    WHEN 'DELETE' THEN 'SELECT "knowledge_base_id", -1 AS "sign", "token_count", "tsv" FROM "old_chunks"'
    ELSE 'SELECT "knowledge_base_id", 1 AS "sign", "token_count", "tsv" FROM "new_chunks"
          UNION ALL SELECT "knowledge_base_id", -1, "token_count", "tsv" FROM "old_chunks"'
  END;
  emptied_bases UUID[];
  emptied_terms_bases UUID[];
  emptied_terms_lexemes TEXT[];
BEGIN
  EXECUTE format($sql$
    WITH "delta" AS (SELECT * FROM (%s) AS d WHERE d."knowledge_base_id" IS NOT NULL),
    "applied" AS (
      INSERT INTO "chunk_corpus_stats" AS s ("knowledge_base_id", "chunk_count", "token_count")
      SELECT "knowledge_base_id", sum("sign"), sum("sign" * "token_count") FROM "delta"
       GROUP BY "knowledge_base_id" HAVING sum("sign") <> 0 OR sum("sign" * "token_count") <> 0
       ORDER BY "knowledge_base_id"
      ON CONFLICT ("knowledge_base_id") DO UPDATE
        SET "chunk_count" = s."chunk_count" + excluded."chunk_count", "token_count" = s."token_count" + excluded."token_count"
      RETURNING s."knowledge_base_id", s."chunk_count"
    )
    SELECT array_agg("knowledge_base_id") FILTER (WHERE "chunk_count" <= 0) FROM "applied"
  $sql$, delta) INTO emptied_bases;

  EXECUTE format($sql$
    WITH "delta" AS (SELECT * FROM (%s) AS d WHERE d."knowledge_base_id" IS NOT NULL),
    "applied" AS (
      INSERT INTO "chunk_term_stats" AS s ("knowledge_base_id", "lexeme", "chunk_count")
      SELECT d."knowledge_base_id", l."lexeme", sum(d."sign")
        FROM "delta" d CROSS JOIN LATERAL unnest(tsvector_to_array(d."tsv")) AS l("lexeme")
       GROUP BY d."knowledge_base_id", l."lexeme" HAVING sum(d."sign") <> 0
       ORDER BY d."knowledge_base_id", l."lexeme"
      ON CONFLICT ("knowledge_base_id", "lexeme") DO UPDATE SET "chunk_count" = s."chunk_count" + excluded."chunk_count"
      RETURNING s."knowledge_base_id", s."lexeme", s."chunk_count"
    )
    SELECT array_agg("knowledge_base_id") FILTER (WHERE "chunk_count" <= 0),
           array_agg("lexeme") FILTER (WHERE "chunk_count" <= 0)
      FROM "applied"
  $sql$, delta) INTO emptied_terms_bases, emptied_terms_lexemes;

  IF emptied_terms_lexemes IS NOT NULL THEN
    DELETE FROM "chunk_term_stats" s
     USING unnest(emptied_terms_bases, emptied_terms_lexemes) AS z("knowledge_base_id", "lexeme")
     WHERE s."knowledge_base_id" = z."knowledge_base_id" AND s."lexeme" = z."lexeme" AND s."chunk_count" <= 0;
  END IF;
  IF emptied_bases IS NOT NULL THEN
    DELETE FROM "chunk_corpus_stats" WHERE "knowledge_base_id" = ANY (emptied_bases) AND "chunk_count" <= 0;
  END IF;
  RETURN NULL;
END;
$$;
