using System.Text.Json.Nodes;
using Bus.Api.Problems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Bus.Api.OpenApi;

/// <summary>The problem types a route can answer (from <see cref="ApiErrors"/>), for its OpenAPI responses.</summary>
public sealed record ProblemsMetadata(IReadOnlyList<ApiError> Errors);

/// <summary>
/// A route's request body for the document only. Not <c>Accepts</c>: that metadata makes routing answer
/// a body of another content type with a bare 415 outside the error catalogue.
/// </summary>
public sealed record RequestBodyMetadata(Type? JsonType, bool Tar, bool Required, string Description);

/// <summary>A POST that takes no body at all (an action named by its path), documented as such rather than forgotten.</summary>
public sealed record NoBodyMetadata;

/// <summary>
/// Completes the OpenAPI document: the bearer security scheme and requirement, 401 on every
/// authenticated operation, each route's problem responses with their types (as examples), and
/// request bodies.
/// </summary>
public static class ApiDocumentation
{
    public const string SecurityScheme = "bearer";

    public static TBuilder Problems<TBuilder>(this TBuilder builder, params ApiError[] errors) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemsMetadata(errors));

    public static RouteHandlerBuilder JsonBody<T>(this RouteHandlerBuilder builder, bool required, string description) =>
        builder.WithMetadata(new RequestBodyMetadata(typeof(T), false, required, description));

    /// <summary>The tar as the body (and, when <typeparamref name="T"/> is given, the JSON alternative).</summary>
    public static RouteHandlerBuilder TarOrJsonBody<T>(this RouteHandlerBuilder builder, string description) =>
        builder.WithMetadata(new RequestBodyMetadata(typeof(T), true, true, description));

    /// <summary>Marks a POST whose path says everything (<c>x-bus-no-body</c>), so the document test tells it from a forgotten body.</summary>
    public static RouteHandlerBuilder NoBody(this RouteHandlerBuilder builder) => builder.WithMetadata(new NoBodyMetadata());

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Bus API";
            document.Info.Description = "Preservation ingest, objects, deletions, alerts and fixity (docs/api.md). Errors are RFC 9457 problem+json with a stable `type`.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecurityScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "bus_<prefix>_<secret> personal token, or a JWT when the identity provider option is on",
                Description = "`Authorization: Bearer <token>`; make a token with `busctl users token create <email>`.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(DescribeOperationAsync);
    }

    private static async Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var errors = metadata.OfType<ProblemsMetadata>().SelectMany(p => p.Errors).ToList();
        if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecurityScheme, context.Document)] = [] }];
            errors.Insert(0, ApiErrors.Unauthenticated);
        }
        var body = metadata.OfType<RequestBodyMetadata>().LastOrDefault();
        // Every JSON body is held to Bus:Api:MaxJsonBodyBytes (Limits/RequestLimits.cs).
        if (body is { JsonType: not null }) errors.Add(ApiErrors.BodyTooLarge);
        if (errors.Count > 0)
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct);
            operation.Responses ??= new OpenApiResponses();
            foreach (var status in errors.Distinct().GroupBy(e => e.Status).OrderBy(g => g.Key))
            {
                var media = new OpenApiMediaType { Schema = schema, Examples = new Dictionary<string, IOpenApiExample>() };
                foreach (var error in status)
                    media.Examples[error.Type[(error.Type.LastIndexOf('/') + 1)..]] = new OpenApiExample
                    {
                        Summary = error.Title,
                        Value = new JsonObject { ["type"] = error.Type, ["title"] = error.Title, ["status"] = error.Status, ["detail"] = "…" },
                    };
                operation.Responses[status.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
                {
                    Description = string.Join("; ", status.Select(e => $"`{e.Type}`: {e.Title}")),
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = media },
                    Extensions = new Dictionary<string, IOpenApiExtension>
                    {
                        ["x-problem-types"] = new JsonNodeExtension(new JsonArray(status.Select(e => (JsonNode)JsonValue.Create(e.Type)!).ToArray())),
                    },
                };
            }
        }
        if (metadata.OfType<NoBodyMetadata>().Any())
        {
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-bus-no-body"] = new JsonNodeExtension(JsonValue.Create(true));
        }
        if (body is not null)
        {
            var content = new Dictionary<string, OpenApiMediaType>();
            if (body.Tar)
            {
                var binary = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
                content["application/x-tar"] = new OpenApiMediaType { Schema = binary };
                content["application/octet-stream"] = new OpenApiMediaType { Schema = binary };
            }
            if (body.JsonType is { } type) content["application/json"] = new OpenApiMediaType { Schema = await context.GetOrCreateSchemaAsync(type, null, ct) };
            operation.RequestBody = new OpenApiRequestBody { Required = body.Required, Description = body.Description, Content = content };
        }
    }
}
