-- Quota reservations in flight: one row per model call between reserve and
-- settle/release. The row holds the estimate and the counter rows it was added
-- to, so that a reservation whose process died mid-call can be found by age
-- and its estimate handed back (the sweep), instead of holding quota forever.
-- Settled and released reservations are deleted; the table stays small.

CREATE TABLE "quota_reservations" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "tokens" BIGINT NOT NULL,
  "cost" DECIMAL(14,6) NOT NULL,
  -- [{ "quotaId", "period", "periodStart" }]: the quota_counters rows charged.
  "counters" JSONB NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "quota_reservations_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "quota_reservations_created_at_idx" ON "quota_reservations"("created_at");

-- Limits whose breach was already audited in this counter's period, so a
-- client hammering an exhausted quota writes one `quota.exceeded` entry, not
-- one per refused request.
ALTER TABLE "quota_counters" ADD COLUMN "audited_breaches" TEXT[] NOT NULL DEFAULT '{}';
