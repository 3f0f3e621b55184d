-- Identity: single sign-on (OpenID Connect) and SCIM provisioning.

-- Who made a membership: sync from sign-in claims (oidc) or SCIM only adds and
-- removes its own rows, so memberships an admin made by hand are kept.
ALTER TABLE "group_memberships" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'manual';

ALTER TABLE "users" ADD COLUMN "external_id" TEXT;
CREATE UNIQUE INDEX "users_external_id_key" ON "users"("external_id");
ALTER TABLE "groups" ADD COLUMN "external_id" TEXT;
CREATE UNIQUE INDEX "groups_external_id_key" ON "groups"("external_id");
-- First run: groups every new account joins (the "Everyone" group), whoever creates it.
ALTER TABLE "groups" ADD COLUMN "join_by_default" BOOLEAN NOT NULL DEFAULT false;

-- Kept for RP-initiated logout (id_token_hint at the provider's end_session_endpoint).
ALTER TABLE "refresh_token_families" ADD COLUMN "sso_id_token" TEXT;

CREATE TABLE "user_identities" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "user_id" UUID NOT NULL,
  "issuer" TEXT NOT NULL,
  "subject" TEXT NOT NULL,
  "email" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "last_login_at" TIMESTAMPTZ(3),
  CONSTRAINT "user_identities_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "user_identities_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "user_identities_issuer_subject_key" ON "user_identities"("issuer", "subject");
CREATE INDEX "user_identities_user_id_idx" ON "user_identities"("user_id");

CREATE TABLE "sso_config" (
  "id" TEXT NOT NULL DEFAULT 'default',
  "settings" JSONB NOT NULL,
  "ciphertext" BYTEA,
  "iv" BYTEA,
  "auth_tag" BYTEA,
  "wrapped_data_key" BYTEA,
  "master_key_id" TEXT,
  "secret_hint" TEXT,
  "updated_by_id" UUID,
  "updated_at" TIMESTAMPTZ(3) NOT NULL,
  CONSTRAINT "sso_config_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "scim_tokens" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "name" TEXT NOT NULL,
  "token_hash" TEXT NOT NULL,
  "hint" TEXT NOT NULL,
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "last_used_at" TIMESTAMPTZ(3),
  "revoked_at" TIMESTAMPTZ(3),
  CONSTRAINT "scim_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "scim_tokens_token_hash_key" ON "scim_tokens"("token_hash");
