-- The word forms of a base that share a question word's first four letters
-- (retrieval/passageEvidence.ts, evidenceParameters.prefixLength) are looked
-- up once per question here, instead of every candidate chunk's lexemes being
-- unnested and compared (retrieval/queryTerms.ts).
CREATE INDEX "chunk_term_stats_prefix_idx" ON "chunk_term_stats" ("knowledge_base_id", left("lexeme", 4));
