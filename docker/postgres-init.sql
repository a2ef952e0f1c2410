-- Bus's two database roles on a local stack (docs/security.md), run as a superuser connected to any database:
-- scripts/stack.sh runs it on every `up`, docker/compose.yml when it creates its volume. Idempotent.
--   bus_owner  owns database bus and its schemas; migrations run as it (`busctl db migrate`). CREATEROLE:
--              the operations migration creates the NOLOGIN role bus_readonly.
--   bus        the runtime role of hosts and busctl: rows only, granted by every migration run (RuntimeRoleGrants).
-- The passwords are the local stack's published defaults, which Production refuses.
\set ON_ERROR_STOP on
SELECT 'CREATE ROLE bus_owner LOGIN CREATEROLE PASSWORD ''bus-owner''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bus_owner') \gexec
SELECT 'CREATE ROLE bus LOGIN PASSWORD ''bus''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bus') \gexec
ALTER ROLE bus NOCREATEROLE NOCREATEDB;
SELECT 'CREATE DATABASE bus OWNER bus_owner' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'bus') \gexec
\connect bus
-- A data dir from before the owner role, where bus owned everything: hand it all to bus_owner and give bus what
-- `busctl db migrate` would grant, in one transaction, so running hosts keep working. No row moves.
DO $$
DECLARE s text;
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = 'bus') THEN
    RAISE WARNING 'role bus is a superuser (the bootstrap user of an old docker volume) and cannot be demoted: recreate the volume for the two roles';
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspowner = 'bus'::regrole)
     AND (SELECT datdba FROM pg_database WHERE datname = current_database()) <> 'bus'::regrole THEN
    RETURN;
  END IF;
  RAISE NOTICE 'moving ownership of database bus from the runtime role bus to bus_owner';
  REASSIGN OWNED BY bus TO bus_owner;
  ALTER DEFAULT PRIVILEGES FOR ROLE bus_owner GRANT USAGE ON SCHEMAS TO bus;
  ALTER DEFAULT PRIVILEGES FOR ROLE bus_owner GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bus;
  ALTER DEFAULT PRIVILEGES FOR ROLE bus_owner GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO bus;
  ALTER DEFAULT PRIVILEGES FOR ROLE bus_owner GRANT EXECUTE ON FUNCTIONS TO bus;
  FOR s IN SELECT nspname FROM pg_namespace WHERE nspowner = 'bus_owner'::regrole LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO bus', s);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO bus', s);
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO bus', s);
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO bus', s);
  END LOOP;
END $$;
ALTER DATABASE bus OWNER TO bus_owner;
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS bus AUTHORIZATION bus_owner;
CREATE SCHEMA IF NOT EXISTS registry AUTHORIZATION bus_owner;
