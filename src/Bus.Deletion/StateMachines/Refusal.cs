namespace Bus.Deletion.StateMachines;

/// <summary>Why a request or decision was refused: a stable code (DeletionRefusalCodes) and a sentence for people.</summary>
public sealed record Refusal(string Code, string Reason);
