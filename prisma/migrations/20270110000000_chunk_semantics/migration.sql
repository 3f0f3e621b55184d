-- Sentence-encoder vectors per chunk, used to re-score the best passages of a
-- hybrid search (server/src/retrieval/semantic). Kept apart from chunks: they
-- are written later, by a background job, and read only for a few rows.
CREATE TABLE chunk_semantics (
  chunk_id   BIGINT      NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
  model      TEXT        NOT NULL,
  dimension  INTEGER     NOT NULL,
  -- int8 vectors end to end: the passage's, then one per sentence.
  vectors    BYTEA       NOT NULL,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (chunk_id, model)
);
