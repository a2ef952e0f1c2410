namespace Bus.Deletion;

/// <summary>Registry values deletion compares against (the registry's CHECK constraints hold the same text).</summary>
public static class DeletionVocabulary
{
    public const string ActiveState = "active";
    public const string DeletedState = "deleted";
    public const string InstitutionalAdminRole = "institutional_admin";
    public const string DeletionEventType = "deletion";
}
