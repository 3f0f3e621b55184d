-- Knowledge bases: files and chunks belong to a knowledge base instead of an
-- assistant, so one handbook can serve several assistants and be maintained
-- in one place. Each base has its own full-text language; BM25 statistics are
-- kept per base. Every assistant that had files gets a base of its own,
-- attached to it and read by its groups; files and chunks are re-pointed with
-- their text and vectors as they are (nothing is extracted or embedded again).

CREATE TABLE "knowledge_bases" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "name" TEXT NOT NULL,
  "description" TEXT NOT NULL DEFAULT '',
  "tags" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
  -- A text search configuration (pg_ts_config.cfgname), checked when set.
  "language" TEXT NOT NULL DEFAULT 'english',
  "assistant_id" UUID,
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "deleted_at" TIMESTAMPTZ(3),
  CONSTRAINT "knowledge_bases_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "knowledge_bases_assistant_id_fkey" FOREIGN KEY ("assistant_id") REFERENCES "assistants"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "knowledge_bases_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "knowledge_bases_assistant_id_key" ON "knowledge_bases"("assistant_id");
CREATE INDEX "knowledge_bases_deleted_at_idx" ON "knowledge_bases"("deleted_at");
CREATE INDEX "knowledge_bases_created_by_id_idx" ON "knowledge_bases"("created_by_id");
CREATE INDEX "knowledge_bases_tags_idx" ON "knowledge_bases" USING GIN ("tags");

CREATE TABLE "knowledge_base_maintainers" (
  "knowledge_base_id" UUID NOT NULL,
  "group_id" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "knowledge_base_maintainers_pkey" PRIMARY KEY ("knowledge_base_id", "group_id"),
  CONSTRAINT "knowledge_base_maintainers_knowledge_base_id_fkey" FOREIGN KEY ("knowledge_base_id") REFERENCES "knowledge_bases"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "knowledge_base_maintainers_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "knowledge_base_maintainers_group_id_idx" ON "knowledge_base_maintainers"("group_id");

CREATE TABLE "knowledge_base_readers" (
  "knowledge_base_id" UUID NOT NULL,
  "group_id" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "knowledge_base_readers_pkey" PRIMARY KEY ("knowledge_base_id", "group_id"),
  CONSTRAINT "knowledge_base_readers_knowledge_base_id_fkey" FOREIGN KEY ("knowledge_base_id") REFERENCES "knowledge_bases"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "knowledge_base_readers_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "knowledge_base_readers_group_id_idx" ON "knowledge_base_readers"("group_id");

-- An empty tag list searches every file of the base; otherwise files carrying any of the tags.
CREATE TABLE "assistant_knowledge_bases" (
  "assistant_id" UUID NOT NULL,
  "knowledge_base_id" UUID NOT NULL,
  "tags" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "assistant_knowledge_bases_pkey" PRIMARY KEY ("assistant_id", "knowledge_base_id"),
  CONSTRAINT "assistant_knowledge_bases_assistant_id_fkey" FOREIGN KEY ("assistant_id") REFERENCES "assistants"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "assistant_knowledge_bases_knowledge_base_id_fkey" FOREIGN KEY ("knowledge_base_id") REFERENCES "knowledge_bases"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "assistant_knowledge_bases_knowledge_base_id_idx" ON "assistant_knowledge_bases"("knowledge_base_id");

-- Each assistant's files become its own base: maintained and read by the
-- assistant's groups (whose managers managed the files until now).
INSERT INTO "knowledge_bases" ("name", "assistant_id", "created_by_id")
SELECT a."name" || ' knowledge', a."id", a."created_by_id"
  FROM "assistants" a
 WHERE EXISTS (SELECT 1 FROM "knowledge_files" f WHERE f."assistant_id" = a."id");
INSERT INTO "knowledge_base_maintainers" ("knowledge_base_id", "group_id")
SELECT b."id", g."group_id" FROM "knowledge_bases" b JOIN "assistant_groups" g ON g."assistant_id" = b."assistant_id";
INSERT INTO "knowledge_base_readers" ("knowledge_base_id", "group_id")
SELECT b."id", g."group_id" FROM "knowledge_bases" b JOIN "assistant_groups" g ON g."assistant_id" = b."assistant_id";
INSERT INTO "assistant_knowledge_bases" ("assistant_id", "knowledge_base_id")
SELECT "assistant_id", "id" FROM "knowledge_bases";

-- Files: owned by a base, with tags and a folder ('' is the top level).
ALTER TABLE "knowledge_files" ADD COLUMN "knowledge_base_id" UUID;
ALTER TABLE "knowledge_files" ADD COLUMN "tags" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "knowledge_files" ADD COLUMN "folder" TEXT NOT NULL DEFAULT '';
UPDATE "knowledge_files" f SET "knowledge_base_id" = b."id" FROM "knowledge_bases" b WHERE b."assistant_id" = f."assistant_id";
ALTER TABLE "knowledge_files" ALTER COLUMN "knowledge_base_id" SET NOT NULL;
ALTER TABLE "knowledge_files" ADD CONSTRAINT "knowledge_files_knowledge_base_id_fkey"
  FOREIGN KEY ("knowledge_base_id") REFERENCES "knowledge_bases"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "knowledge_files" DROP COLUMN "assistant_id";
CREATE UNIQUE INDEX "knowledge_files_knowledge_base_id_sha256_key" ON "knowledge_files"("knowledge_base_id", "sha256");
CREATE INDEX "knowledge_files_knowledge_base_id_status_idx" ON "knowledge_files"("knowledge_base_id", "status");
CREATE INDEX "knowledge_files_knowledge_base_id_folder_idx" ON "knowledge_files"("knowledge_base_id", "folder");
CREATE INDEX "knowledge_files_tags_idx" ON "knowledge_files" USING GIN ("tags");

-- Chunks. The statistics triggers and the secondary indexes go first, so
-- re-pointing every row neither recounts the statistics row by row nor
-- maintains the HNSW graphs twice; both are rebuilt once at the end.
DROP TRIGGER "chunks_stats_insert" ON "chunks";
DROP TRIGGER "chunks_stats_update" ON "chunks";
DROP TRIGGER "chunks_stats_delete" ON "chunks";
DROP INDEX "chunks_assistant_tsv_idx";
DROP INDEX "chunks_assistant_id_idx";
DROP INDEX "chunks_embedding_256_hnsw";
DROP INDEX "chunks_embedding_384_hnsw";
DROP INDEX "chunks_embedding_512_hnsw";
DROP INDEX "chunks_embedding_768_hnsw";
DROP INDEX "chunks_embedding_1024_hnsw";
DROP INDEX "chunks_embedding_1536_hnsw";

ALTER TABLE "chunks" ADD COLUMN "knowledge_base_id" UUID;
UPDATE "chunks" c SET "knowledge_base_id" = f."knowledge_base_id" FROM "knowledge_files" f WHERE f."id" = c."file_id";
ALTER TABLE "chunks" ALTER COLUMN "knowledge_base_id" SET NOT NULL;
ALTER TABLE "chunks" ADD CONSTRAINT "chunks_knowledge_base_id_fkey"
  FOREIGN KEY ("knowledge_base_id") REFERENCES "knowledge_bases"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "chunks" DROP COLUMN "assistant_id";

-- The lexemes come from the base's language, copied onto each chunk because a
-- generated column can only read its own row; changing a base's language
-- updates this column and Postgres recomputes tsv (the vectors stay).
-- Existing chunks were parsed as English and stay English.
ALTER TABLE "chunks"
  DROP COLUMN "tsv",
  ADD COLUMN "language" regconfig NOT NULL DEFAULT 'english',
  ADD COLUMN "tsv" tsvector GENERATED ALWAYS AS (to_tsvector("language", coalesce("section", '') || ' ' || "text")) STORED;

CREATE INDEX "chunks_knowledge_base_id_idx" ON "chunks"("knowledge_base_id");
-- One base's (or a few bases') matches are intersected inside the index (btree_gin).
CREATE INDEX "chunks_knowledge_base_tsv_idx" ON "chunks" USING GIN ("knowledge_base_id", "tsv");
-- HNSW needs a fixed dimension: one partial index per supported size, as before.
CREATE INDEX "chunks_embedding_256_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(256)) vector_cosine_ops) WHERE "embedding_dim" = 256;
CREATE INDEX "chunks_embedding_384_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(384)) vector_cosine_ops) WHERE "embedding_dim" = 384;
CREATE INDEX "chunks_embedding_512_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(512)) vector_cosine_ops) WHERE "embedding_dim" = 512;
CREATE INDEX "chunks_embedding_768_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(768)) vector_cosine_ops) WHERE "embedding_dim" = 768;
CREATE INDEX "chunks_embedding_1024_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(1024)) vector_cosine_ops) WHERE "embedding_dim" = 1024;
CREATE INDEX "chunks_embedding_1536_hnsw" ON "chunks" USING hnsw ((("embedding")::vector(1536)) vector_cosine_ops) WHERE "embedding_dim" = 1536;

-- BM25 statistics per base, kept by the same statement triggers as before.
DROP TABLE "chunk_term_stats";
DROP TABLE "chunk_corpus_stats";
CREATE TABLE "chunk_term_stats" (
  "knowledge_base_id" UUID NOT NULL,
  "lexeme" TEXT NOT NULL,
  "chunk_count" INTEGER NOT NULL,
  CONSTRAINT "chunk_term_stats_pkey" PRIMARY KEY ("knowledge_base_id", "lexeme")
);
CREATE TABLE "chunk_corpus_stats" (
  "knowledge_base_id" UUID NOT NULL,
  "chunk_count" BIGINT NOT NULL,
  "token_count" BIGINT NOT NULL,
  CONSTRAINT "chunk_corpus_stats_pkey" PRIMARY KEY ("knowledge_base_id")
);

-- Same function as in 20261201000000_chunk_term_statistics, keyed by base
-- (same lock order: corpus row, then lexemes in key order).
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
    WITH "delta" AS (%s),
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
    WITH "delta" AS (%s),
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

CREATE TRIGGER "chunks_stats_insert" AFTER INSERT ON "chunks"
  REFERENCING NEW TABLE AS "new_chunks" FOR EACH STATEMENT EXECUTE FUNCTION "chunk_stats_apply"();
CREATE TRIGGER "chunks_stats_update" AFTER UPDATE ON "chunks"
  REFERENCING OLD TABLE AS "old_chunks" NEW TABLE AS "new_chunks" FOR EACH STATEMENT EXECUTE FUNCTION "chunk_stats_apply"();
CREATE TRIGGER "chunks_stats_delete" AFTER DELETE ON "chunks"
  REFERENCING OLD TABLE AS "old_chunks" FOR EACH STATEMENT EXECUTE FUNCTION "chunk_stats_apply"();

INSERT INTO "chunk_corpus_stats" ("knowledge_base_id", "chunk_count", "token_count")
SELECT "knowledge_base_id", count(*), sum("token_count") FROM "chunks" GROUP BY "knowledge_base_id";
INSERT INTO "chunk_term_stats" ("knowledge_base_id", "lexeme", "chunk_count")
SELECT c."knowledge_base_id", l."lexeme", count(*)
  FROM "chunks" c CROSS JOIN LATERAL unnest(tsvector_to_array(c."tsv")) AS l("lexeme")
 GROUP BY c."knowledge_base_id", l."lexeme";
