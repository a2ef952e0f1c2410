-- Schemas Bus expects; tables come from `busctl db migrate` (or MigrateAtStartup).
CREATE SCHEMA IF NOT EXISTS bus AUTHORIZATION bus;
CREATE SCHEMA IF NOT EXISTS registry AUTHORIZATION bus;
-- The operations migration creates the bus_readonly role (a no-op here, where bus is the superuser).
ALTER ROLE bus CREATEROLE;
