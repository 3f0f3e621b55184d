-- Each API process keeps the list of usable chat models (an assistant's
-- search-mode flag) for a few seconds (chat/usableModels.ts). Any change to
-- models or providers, through Atrium or straight in the database, tells every
-- listening process on commit, so none keeps a stale list.
CREATE OR REPLACE FUNCTION "models_changed_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('atrium_models_changed', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER "models_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "models"
  FOR EACH STATEMENT EXECUTE FUNCTION "models_changed_notify"();
CREATE TRIGGER "providers_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "providers"
  FOR EACH STATEMENT EXECUTE FUNCTION "models_changed_notify"();
