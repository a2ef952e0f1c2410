using Microsoft.EntityFrameworkCore.Migrations;

namespace Bus.Platform.Database;

/// <summary>
/// The admin views over every saga type (docs/operations.md, "Saga state for admins"). Each saga
/// module's migration creates its own <c>bus.saga_status_&lt;type&gt;</c> view, because only it can
/// reference its table (modules migrate in Order, and operations runs before the saga modules); then
/// <see cref="RecreateSagaStatus"/> rebuilds <c>bus.saga_status</c> as the UNION ALL of whatever
/// per-type views exist, so adding a saga type never edits another module's migration.
/// </summary>
public static class SagaStatusViews
{
    public const string ReadonlyRole = "bus_readonly";

    /// <summary>The columns every <c>bus.saga_status_&lt;type&gt;</c> view selects, in this order and with these types.</summary>
    public const string Columns =
        "saga_type text, correlation_id uuid, business_key text, current_state text, state_since timestamptz, " +
        "updated_at timestamptz, attempts integer, last_error text, terminal boolean";

    /// <summary>Idempotent; the role reads and writes nothing until granted, so it is safe in any module's migration.</summary>
    public const string EnsureReadonlyRoleSql = $"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ReadonlyRole}') THEN CREATE ROLE {ReadonlyRole} NOLOGIN; END IF;
        END $$;
        GRANT USAGE ON SCHEMA bus TO {ReadonlyRole};
        """;

    /// <summary>
    /// Creates (or replaces) <c>bus.saga_status_{sagaType}</c> from <paramref name="select"/>, which must
    /// return exactly <see cref="Columns"/> (NULL::type for a column the saga does not have), grants
    /// bus_readonly SELECT on it and on <paramref name="table"/>, then rebuilds the union views.
    /// </summary>
    /// <param name="sagaType">Short lowercase name, e.g. <c>fixity</c>; what <c>busctl sagas list --type</c> takes.</param>
    public static void CreateSagaStatusView(this MigrationBuilder migrationBuilder, string sagaType, string table, string select)
    {
        migrationBuilder.Sql(EnsureReadonlyRoleSql);
        // DROP first: CREATE OR REPLACE VIEW cannot change a column's type, and saga_status depends on it.
        migrationBuilder.Sql(DropUnionSql);
        migrationBuilder.Sql($"""
            DROP VIEW IF EXISTS bus.saga_status_{sagaType};
            CREATE VIEW bus.saga_status_{sagaType} AS {select};
            GRANT SELECT ON bus.{table}, bus.saga_status_{sagaType} TO {ReadonlyRole};
            """);
        migrationBuilder.RecreateSagaStatus();
    }

    /// <summary>For a migration's Down: drops the type's view and rebuilds the union without it.</summary>
    public static void DropSagaStatusView(this MigrationBuilder migrationBuilder, string sagaType)
    {
        migrationBuilder.Sql(DropUnionSql + $"DROP VIEW IF EXISTS bus.saga_status_{sagaType};");
        migrationBuilder.RecreateSagaStatus();
    }

    /// <summary>
    /// (Re)creates <c>bus.saga_status</c> (UNION ALL of every <c>bus.saga_status_*</c> view in pg_views;
    /// an empty typed row set when there is none yet), <c>bus.saga_stuck(threshold)</c> and the
    /// <c>bus.saga_stuck</c> view (threshold 1 hour), and grants bus_readonly SELECT on them.
    /// </summary>
    public static void RecreateSagaStatus(this MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(EnsureReadonlyRoleSql);
        migrationBuilder.Sql(DropUnionSql);
        migrationBuilder.Sql($$"""
            DO $$
            DECLARE body text;
            BEGIN
                SELECT string_agg(format('SELECT * FROM %I.%I', schemaname, viewname), ' UNION ALL ' ORDER BY viewname)
                  INTO body
                  FROM pg_views
                 WHERE schemaname = 'bus' AND viewname LIKE 'saga\_status\_%';
                IF body IS NULL THEN
                    -- No saga module migrated yet: keep the views' shape so admins' queries still run.
                    body := 'SELECT ' || '{{EmptyRow}}' || ' WHERE false';
                END IF;
                EXECUTE 'CREATE VIEW bus.saga_status AS ' || body;
            END $$;

            CREATE FUNCTION bus.saga_stuck(threshold interval)
            RETURNS TABLE ({{Columns}}, stuck_for interval)
            LANGUAGE sql STABLE AS $f$
                SELECT s.*, now() - coalesce(s.state_since, s.updated_at) AS stuck_for
                  FROM bus.saga_status s
                 WHERE NOT s.terminal AND now() - coalesce(s.state_since, s.updated_at) > threshold
            $f$;
            COMMENT ON FUNCTION bus.saga_stuck(interval) IS 'Non-terminal sagas with no transition for longer than threshold';

            CREATE VIEW bus.saga_stuck AS SELECT * FROM bus.saga_stuck(interval '1 hour');
            COMMENT ON VIEW bus.saga_status IS 'Every saga of every type; rebuilt from the bus.saga_status_* views by SagaStatusViews.RecreateSagaStatus';
            COMMENT ON VIEW bus.saga_stuck IS 'Non-terminal sagas with no transition for over 1 hour; bus.saga_stuck(interval) for another threshold';
            GRANT SELECT ON bus.saga_status, bus.saga_stuck, bus.saga_transitions TO {{ReadonlyRole}};
            GRANT EXECUTE ON FUNCTION bus.saga_stuck(interval) TO {{ReadonlyRole}};
            """);
    }

    private const string DropUnionSql = """
        DROP VIEW IF EXISTS bus.saga_stuck;
        DROP FUNCTION IF EXISTS bus.saga_stuck(interval);
        DROP VIEW IF EXISTS bus.saga_status;

        """;

    private const string EmptyRow =
        "NULL::text AS saga_type, NULL::uuid AS correlation_id, NULL::text AS business_key, NULL::text AS current_state, " +
        "NULL::timestamptz AS state_since, NULL::timestamptz AS updated_at, NULL::integer AS attempts, NULL::text AS last_error, " +
        "NULL::boolean AS terminal";

    /// <summary>
    /// The time of the last transition into the row's current state, for a per-type view's state_since;
    /// <paramref name="transitionSagaType"/> is the state class name the repository records
    /// (e.g. <c>FixityCheckState</c>) and <paramref name="alias"/> the saga table's alias.
    /// </summary>
    public static string StateSinceSql(string transitionSagaType, string alias) => $"""
        (SELECT max(t.occurred_at) FROM bus.saga_transitions t
          WHERE t.saga_type = '{transitionSagaType}' AND t.correlation_id = {alias}.correlation_id AND t.to_state = {alias}.current_state)
        """;
}
