using Bus.Api.Authorization;
using Bus.WebConsole.Operations;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bus.WebConsole.Endpoints;

/// <summary>
/// /operations/sagas/{id} (operators only): every saga with that correlation id (ingest, fixity, deletion,
/// restore: bus.saga_status) and its transition history (bus.saga_transitions), read as busctl sagas show reads them.
/// </summary>
public static class SagaPages
{
    /// <summary>Transitions shown at most (the newest); a saga's history is otherwise unbounded.</summary>
    public const int ShownTransitions = 1000;

    public static void MapConsoleSagas(this IEndpointRouteBuilder app)
    {
        app.MapGet("/operations/sagas", Search);
        app.MapGet("/operations/sagas/{id:guid}", Show);
    }

    private static async Task<IResult> Search(HttpContext http, string? id)
    {
        var (_, refused) = await OperationsPages.OperatorAsync(http, ApiAction.ReadSagas);
        if (refused is not null) return refused;
        if (Guid.TryParse(id?.Trim(), out var correlationId)) return Results.Redirect($"/operations/sagas/{correlationId}");
        return await ConsolePages.RenderAsync<MessagePage>(http, new()
        {
            ["Title"] = "Saga search", ["Message"] = $"'{id}' is not a saga id: ingest, fixity, deletion and restore ids look like 3f2504e0-4f89-11d3-9a0c-0305e82c3301.",
        }, StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> Show(HttpContext http, ConsoleOperations operations, Guid id, CancellationToken ct)
    {
        var (_, refused) = await OperationsPages.OperatorAsync(http, ApiAction.ReadSagas);
        if (refused is not null) return refused;
        return await OperationsPages.GuardAsync(http, async () =>
        {
            var sagas = await operations.Sagas.FindAsync(id, ct);
            var transitions = await operations.Sagas.TransitionsAsync(id, ct);
            if (sagas.Count == 0 && transitions.Count == 0) return await PageResults.NotFound(http, $"No saga {id}.");
            return await ConsolePages.RenderAsync<SagaPage>(http, new()
            {
                ["Id"] = id, ["Sagas"] = sagas,
                ["Transitions"] = transitions.Count > ShownTransitions ? transitions.Skip(transitions.Count - ShownTransitions).ToList() : transitions,
                ["TransitionCount"] = transitions.Count,
            });
        });
    }
}
