-- Web sources (issue 14): a page or a same-site crawl kept in step with a
-- knowledge base. Each page found becomes a knowledge file of the base, so
-- chunking, embedding, retrieval and access rules are the files' own; these
-- tables keep what the next sync compares against (validators, content hash,
-- links) and the last sync's outcome for the console.

CREATE TYPE "WebSourceMode" AS ENUM ('page', 'site');
CREATE TYPE "WebSourceStatus" AS ENUM ('queued', 'syncing', 'done', 'failed');

CREATE TABLE "web_sources" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "knowledge_base_id" UUID NOT NULL,
  "url" TEXT NOT NULL,
  "mode" "WebSourceMode" NOT NULL DEFAULT 'page',
  "max_depth" INTEGER NOT NULL DEFAULT 3,
  "max_pages" INTEGER NOT NULL DEFAULT 200,
  -- Minutes between scheduled syncs; 0 syncs only on demand.
  "schedule_minutes" INTEGER NOT NULL DEFAULT 0,
  "status" "WebSourceStatus" NOT NULL DEFAULT 'queued',
  "last_sync_started_at" TIMESTAMPTZ(3),
  "last_sync_finished_at" TIMESTAMPTZ(3),
  "last_added" INTEGER NOT NULL DEFAULT 0,
  "last_changed" INTEGER NOT NULL DEFAULT 0,
  "last_removed" INTEGER NOT NULL DEFAULT 0,
  "last_unchanged" INTEGER NOT NULL DEFAULT 0,
  "last_errors" INTEGER NOT NULL DEFAULT 0,
  "last_error" TEXT,
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "web_sources_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "web_sources_knowledge_base_id_fkey" FOREIGN KEY ("knowledge_base_id") REFERENCES "knowledge_bases"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "web_sources_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX "web_sources_knowledge_base_id_idx" ON "web_sources"("knowledge_base_id");
CREATE INDEX "web_sources_schedule_minutes_idx" ON "web_sources"("schedule_minutes");

CREATE TABLE "web_source_pages" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "web_source_id" UUID NOT NULL,
  -- Normalised by the engine (no fragment, no tracking parameters): one row per page.
  "url" TEXT NOT NULL,
  "title" TEXT,
  "kind" TEXT NOT NULL,
  "etag" TEXT,
  "last_modified" TEXT,
  "content_hash" TEXT NOT NULL,
  "links" JSONB NOT NULL DEFAULT '[]',
  "depth" INTEGER NOT NULL DEFAULT 0,
  -- The knowledge file holding the page's text; null when someone deleted that file (the next sync adds it again).
  "knowledge_file_id" UUID,
  "last_error" TEXT,
  "fetched_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "web_source_pages_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "web_source_pages_web_source_id_fkey" FOREIGN KEY ("web_source_id") REFERENCES "web_sources"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "web_source_pages_knowledge_file_id_fkey" FOREIGN KEY ("knowledge_file_id") REFERENCES "knowledge_files"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "web_source_pages_web_source_id_url_key" ON "web_source_pages"("web_source_id", "url");
CREATE UNIQUE INDEX "web_source_pages_knowledge_file_id_key" ON "web_source_pages"("knowledge_file_id");
