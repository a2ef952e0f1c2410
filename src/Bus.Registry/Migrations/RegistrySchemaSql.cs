namespace Bus.Registry.Migrations;

/// <summary>
/// The registry's DDL, written as SQL because migrations are hand-written here (no Design package)
/// and because CHECK constraints and the partial expression index for the fixity sweep are clearer
/// in SQL than in MigrationBuilder calls. Parameterised by schema so the benchmark and the
/// "from empty" test can build the same tables in a throwaway schema.
/// </summary>
public static class RegistrySchemaSql
{
    /// <summary>
    /// Room on each storage_records page (fillfactor 80) so the fixity sweep's lease, a write of
    /// <c>fixity_claimed_until</c> (no index holds it), is a HOT update: the new row version stays on its
    /// page and none of the table's three indexes gets an entry. Pages written before this keep filling
    /// to 100 % until rewritten (VACUUM FULL, or as rows move).
    /// </summary>
    public static string StorageRecordsFillfactor(string schema) => $"ALTER TABLE {schema}.storage_records SET (fillfactor = 80);";

    public static string Create(string schema) => $"""
        CREATE SCHEMA IF NOT EXISTS {schema};

        CREATE TABLE {schema}.institutions (
            identifier  text PRIMARY KEY,
            name        text NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE {schema}.users (
            email       text PRIMARY KEY CHECK (email = lower(email)),
            institution text NOT NULL REFERENCES {schema}.institutions (identifier),
            role        text NOT NULL CHECK (role IN ('depositor', 'institutional_admin', 'operator')),
            created_at  timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX users_institution ON {schema}.users (institution);

        CREATE TABLE {schema}.intellectual_objects (
            id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            identifier      text NOT NULL UNIQUE,
            institution     text NOT NULL REFERENCES {schema}.institutions (identifier),
            bag_name        text NOT NULL,
            title           text NOT NULL,
            description     text,
            access          text NOT NULL CHECK (access IN ('Consortia', 'Institution', 'Restricted')),
            storage_option  text NOT NULL,
            bagit_profile   text,
            state           text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'deleted')),
            created_at      timestamptz NOT NULL DEFAULT now(),
            updated_at      timestamptz NOT NULL DEFAULT now(),
            deleted_at      timestamptz,
            last_ingest_id  uuid,
            CHECK (identifier = institution || '/' || bag_name)
        );
        CREATE INDEX intellectual_objects_institution ON {schema}.intellectual_objects (institution);

        CREATE TABLE {schema}.generic_files (
            id             uuid PRIMARY KEY,
            identifier     text NOT NULL UNIQUE,
            object_id      bigint NOT NULL REFERENCES {schema}.intellectual_objects (id),
            size           bigint NOT NULL CHECK (size >= 0),
            format         text NOT NULL,
            format_method  text CHECK (format_method IN ('libmagic', 'extension')),
            state          text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'deleted')),
            created_at     timestamptz NOT NULL DEFAULT now(),
            updated_at     timestamptz NOT NULL DEFAULT now(),
            deleted_at     timestamptz
        );
        CREATE INDEX generic_files_object_id ON {schema}.generic_files (object_id);

        -- One row per (file, algorithm, digest, source): a retried write is a no-op, a changed digest
        -- after reingest is a new row, so the history of a file's digests stays readable.
        CREATE TABLE {schema}.checksums (
            id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            file_id    uuid NOT NULL REFERENCES {schema}.generic_files (id),
            algorithm  text NOT NULL CHECK (algorithm IN ('md5', 'sha1', 'sha256', 'sha512')),
            digest     text NOT NULL CHECK (digest ~ '^[0-9a-f]+$'),
            date_time  timestamptz NOT NULL,
            source     text NOT NULL CHECK (source IN ('ingest', 'manifest', 'fixity')),
            UNIQUE (file_id, algorithm, digest, source)
        );

        CREATE TABLE {schema}.storage_records (
            id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            file_id               uuid NOT NULL REFERENCES {schema}.generic_files (id),
            bucket                text NOT NULL,
            key                   text NOT NULL,
            etag                  text,
            storage_option        text NOT NULL,
            stored_at             timestamptz NOT NULL,
            verified_at           timestamptz,
            last_fixity_at        timestamptz,
            last_fixity_outcome   text CHECK (last_fixity_outcome IN ('success', 'failure')),
            fixity_claimed_until  timestamptz,
            state                 text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'deleted')),
            deleted_at            timestamptz,
            UNIQUE (file_id, bucket)
        );
        -- The fixity sweep reads active copies oldest-checked first (never-checked copies count from
        -- stored_at). Partial + expression index: the ORDER BY ... LIMIT is an index range scan that
        -- stops after LIMIT rows, whatever the table size (goal: < 100 ms on 1,000,000 rows, docs/benchmarks.md).
        CREATE INDEX storage_records_fixity_due ON {schema}.storage_records
            ((coalesce(last_fixity_at, stored_at)), id) WHERE state = 'active';

        -- The event id is made once by the caller and kept, so a retried write never duplicates.
        CREATE TABLE {schema}.premis_events (
            id              uuid PRIMARY KEY,
            object_id       bigint NOT NULL REFERENCES {schema}.intellectual_objects (id),
            file_id         uuid REFERENCES {schema}.generic_files (id),
            identifier      text NOT NULL,
            event_type      text NOT NULL,
            date_time       timestamptz NOT NULL,
            outcome         text NOT NULL CHECK (outcome IN ('success', 'failure')),
            detail          text NOT NULL,
            outcome_detail  text,
            agent           text NOT NULL
        );
        CREATE INDEX premis_events_object_id ON {schema}.premis_events (object_id, date_time);
        CREATE INDEX premis_events_file_id ON {schema}.premis_events (file_id) WHERE file_id IS NOT NULL;

        CREATE TABLE {schema}.alerts (
            id               uuid PRIMARY KEY,
            kind             text NOT NULL,
            object_id        bigint REFERENCES {schema}.intellectual_objects (id),
            file_id          uuid REFERENCES {schema}.generic_files (id),
            identifier       text,
            message          text NOT NULL,
            created_at       timestamptz NOT NULL DEFAULT now(),
            acknowledged_at  timestamptz,
            acknowledged_by  text
        );
        CREATE INDEX alerts_open ON {schema}.alerts (created_at) WHERE acknowledged_at IS NULL;
        """;

    /// <summary>Drops the tables (not the schema, which the stack script creates and other tools may use).</summary>
    public static string Drop(string schema) => $"""
        DROP TABLE IF EXISTS {schema}.alerts, {schema}.premis_events, {schema}.storage_records, {schema}.checksums,
            {schema}.generic_files, {schema}.intellectual_objects, {schema}.users, {schema}.institutions;
        """;
}
