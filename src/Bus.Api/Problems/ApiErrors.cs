namespace Bus.Api.Problems;

/// <summary>
/// Every error the API answers, as RFC 9457 problem types. The <see cref="ApiError.Type"/> URIs are
/// stable: clients branch on them, never on <c>detail</c> text. docs/api.md lists them.
/// </summary>
public static class ApiErrors
{
    private const string Base = "https://bus.example/problems/";

    public static readonly ApiError Unauthenticated = new(Base + "unauthenticated", "Authentication required", 401);
    public static readonly ApiError Forbidden = new(Base + "forbidden", "Your role may not do this", 403);
    public static readonly ApiError NotFound = new(Base + "not-found", "No such resource", 404);
    public static readonly ApiError InvalidRequest = new(Base + "invalid-request", "The request is not valid", 400);
    public static readonly ApiError InvalidCursor = new(Base + "invalid-cursor", "The paging cursor is not valid", 400);
    public static readonly ApiError UploadTooLarge = new(Base + "upload-too-large", "The upload is too large", 413);
    public static readonly ApiError UploadIncomplete = new(Base + "upload-incomplete", "The upload ended early", 400);
    public static readonly ApiError UnknownUpload = new(Base + "unknown-upload", "No upload at that key", 404);
    public static readonly ApiError Conflict = new(Base + "conflict", "The resource is not in a state that allows this", 409);
    public static readonly ApiError DeletionRefused = new(Base + "deletion-refused", "The deletion service refused the request", 409);
    public static readonly ApiError NoActiveCopies = new(Base + "no-active-copies", "The item has no active copies to check", 409);
    public static readonly ApiError ServiceUnavailable = new(Base + "service-unavailable", "A Bus service did not answer in time", 503);
    public static readonly ApiError StorageFailed = new(Base + "storage-failed", "Storage did not accept the upload", 502);
    public static readonly ApiError BodyTooLarge = new(Base + "body-too-large", "The request body is too large", 413);
    public static readonly ApiError UploadsBusy = new(Base + "uploads-busy", "Too many uploads are in progress", 503);

    public static IReadOnlyList<ApiError> All =>
    [
        Unauthenticated, Forbidden, NotFound, InvalidRequest, InvalidCursor, UploadTooLarge, UploadIncomplete, UnknownUpload,
        Conflict, DeletionRefused, NoActiveCopies, ServiceUnavailable, StorageFailed, BodyTooLarge, UploadsBusy,
    ];
}

public sealed record ApiError(string Type, string Title, int Status);
