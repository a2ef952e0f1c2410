-- Schemas Bus expects; tables come from `busctl db migrate` (or MigrateAtStartup).
CREATE SCHEMA IF NOT EXISTS bus AUTHORIZATION bus;
CREATE SCHEMA IF NOT EXISTS registry AUTHORIZATION bus;
