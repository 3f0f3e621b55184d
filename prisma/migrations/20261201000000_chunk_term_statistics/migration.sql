-- Corpus statistics for BM25 ranking in the full-text leg of retrieval: per
-- assistant, how many chunks contain each lexeme (document frequency), and how
-- many chunks and tokens there are in all (average chunk length). Statement
-- triggers on chunks keep them exact, so a query reads a few rows by key
-- instead of scanning the corpus.
--
-- No foreign keys: when an assistant or a file goes, its chunks go, the
-- triggers bring the counts down and rows that reach zero are deleted.

CREATE TABLE "chunk_term_stats" (
  "assistant_id" UUID NOT NULL,
  "lexeme" TEXT NOT NULL,
  "chunk_count" INTEGER NOT NULL,
  CONSTRAINT "chunk_term_stats_pkey" PRIMARY KEY ("assistant_id", "lexeme")
);

CREATE TABLE "chunk_corpus_stats" (
  "assistant_id" UUID NOT NULL,
  "chunk_count" BIGINT NOT NULL,
  "token_count" BIGINT NOT NULL,
  CONSTRAINT "chunk_corpus_stats_pkey" PRIMARY KEY ("assistant_id")
);

-- Applies the change one statement made to chunks, read from its transition
-- tables. Every writer locks rows in the same order (corpus row, then lexemes
-- in key order: the upserts are sorted), so two transactions indexing files of
-- the same assistant wait for each other instead of deadlocking.
CREATE FUNCTION "chunk_stats_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta TEXT := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT "assistant_id", 1 AS "sign", "token_count", "tsv" FROM "new_chunks"'
    WHEN 'DELETE' THEN 'SELECT "assistant_id", -1 AS "sign", "token_count", "tsv" FROM "old_chunks"'
    ELSE 'SELECT "assistant_id", 1 AS "sign", "token_count", "tsv" FROM "new_chunks"
          UNION ALL SELECT "assistant_id", -1, "token_count", "tsv" FROM "old_chunks"'
  END;
  emptied_assistants UUID[];
  emptied_terms_assistants UUID[];
  emptied_terms_lexemes TEXT[];
BEGIN
  EXECUTE format($sql$
    WITH "delta" AS (%s),
    "applied" AS (
      INSERT INTO "chunk_corpus_stats" AS s ("assistant_id", "chunk_count", "token_count")
      SELECT "assistant_id", sum("sign"), sum("sign" * "token_count") FROM "delta"
       GROUP BY "assistant_id" HAVING sum("sign") <> 0 OR sum("sign" * "token_count") <> 0
       ORDER BY "assistant_id"
      ON CONFLICT ("assistant_id") DO UPDATE
        SET "chunk_count" = s."chunk_count" + excluded."chunk_count", "token_count" = s."token_count" + excluded."token_count"
      RETURNING s."assistant_id", s."chunk_count"
    )
    SELECT array_agg("assistant_id") FILTER (WHERE "chunk_count" <= 0) FROM "applied"
  $sql$, delta) INTO emptied_assistants;

  EXECUTE format($sql$
    WITH "delta" AS (%s),
    "applied" AS (
      INSERT INTO "chunk_term_stats" AS s ("assistant_id", "lexeme", "chunk_count")
      SELECT d."assistant_id", l."lexeme", sum(d."sign")
        FROM "delta" d CROSS JOIN LATERAL unnest(tsvector_to_array(d."tsv")) AS l("lexeme")
       GROUP BY d."assistant_id", l."lexeme" HAVING sum(d."sign") <> 0
       ORDER BY d."assistant_id", l."lexeme"
      ON CONFLICT ("assistant_id", "lexeme") DO UPDATE SET "chunk_count" = s."chunk_count" + excluded."chunk_count"
      RETURNING s."assistant_id", s."lexeme", s."chunk_count"
    )
    SELECT array_agg("assistant_id") FILTER (WHERE "chunk_count" <= 0),
           array_agg("lexeme") FILTER (WHERE "chunk_count" <= 0)
      FROM "applied"
  $sql$, delta) INTO emptied_terms_assistants, emptied_terms_lexemes;

  IF emptied_terms_lexemes IS NOT NULL THEN
    DELETE FROM "chunk_term_stats" s
     USING unnest(emptied_terms_assistants, emptied_terms_lexemes) AS z("assistant_id", "lexeme")
     WHERE s."assistant_id" = z."assistant_id" AND s."lexeme" = z."lexeme" AND s."chunk_count" <= 0;
  END IF;
  IF emptied_assistants IS NOT NULL THEN
    DELETE FROM "chunk_corpus_stats" WHERE "assistant_id" = ANY (emptied_assistants) AND "chunk_count" <= 0;
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

-- Chunks indexed before this migration.
INSERT INTO "chunk_corpus_stats" ("assistant_id", "chunk_count", "token_count")
SELECT "assistant_id", count(*), sum("token_count") FROM "chunks" GROUP BY "assistant_id";
INSERT INTO "chunk_term_stats" ("assistant_id", "lexeme", "chunk_count")
SELECT c."assistant_id", l."lexeme", count(*)
  FROM "chunks" c CROSS JOIN LATERAL unnest(tsvector_to_array(c."tsv")) AS l("lexeme")
 GROUP BY c."assistant_id", l."lexeme";
