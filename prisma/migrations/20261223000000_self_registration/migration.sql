-- Self-registration: an account created through the public sign-up waits in
-- `pending` ('email_verification' or 'approval') until its e-mail link is
-- followed or an administrator approves it; NULL means usable.
ALTER TABLE "users" ADD COLUMN "pending" TEXT;
ALTER TABLE "users" ADD CONSTRAINT "users_pending_check" CHECK ("pending" IN ('email_verification', 'approval'));
CREATE INDEX "users_pending_idx" ON "users"("pending") WHERE "pending" IS NOT NULL;

-- Mailed verification links: only the SHA-256 of the token is stored.
CREATE TABLE "email_verifications" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "user_id" UUID NOT NULL,
  "token_hash" TEXT NOT NULL,
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  "used_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "email_verifications_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "email_verifications_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "email_verifications_token_hash_key" ON "email_verifications"("token_hash");
CREATE INDEX "email_verifications_user_id_idx" ON "email_verifications"("user_id");
