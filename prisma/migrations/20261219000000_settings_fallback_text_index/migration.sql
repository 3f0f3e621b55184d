-- Settings that take effect, provider fallback, and a full-text index that one
-- assistant's search can use without touching other assistants' rows.

-- The chunking a file was indexed with, so a change to the system's RAG
-- defaults (or an assistant's override) can say which files are out of date.
-- Files indexed before this migration were chunked with their assistant's
-- override or the built-in default of the time (512 / 50).
ALTER TABLE "knowledge_files" ADD COLUMN "chunk_size" INTEGER;
ALTER TABLE "knowledge_files" ADD COLUMN "chunk_overlap" INTEGER;
UPDATE "knowledge_files" f
   SET "chunk_size" = coalesce(a."chunk_size", 512), "chunk_overlap" = coalesce(a."chunk_overlap", 50)
  FROM "assistants" a
 WHERE a."id" = f."assistant_id" AND f."status" = 'ready';

-- An assistant may name a model to answer when its own fails before the first token.
ALTER TABLE "assistants" ADD COLUMN "fallback_model_id" UUID;
ALTER TABLE "assistants" ADD CONSTRAINT "assistants_fallback_model_id_fkey"
  FOREIGN KEY ("fallback_model_id") REFERENCES "models"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "assistants_fallback_model_id_idx" ON "assistants"("fallback_model_id");

-- The model that failed when a fallback answered (the answer's `model` is the one that answered).
ALTER TABLE "messages" ADD COLUMN "fallback_from" TEXT;

-- One GIN index over (assistant, lexemes): a search for one assistant's
-- matches intersects the assistant's posting list with the lexemes' inside
-- the index, instead of visiting every assistant's matching rows and
-- filtering them on the heap. btree_gin gives uuid a GIN operator class.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX "chunks_assistant_tsv_idx" ON "chunks" USING GIN ("assistant_id", "tsv");
DROP INDEX "chunks_tsv_idx";
