using Bus.Restore.Steps;

namespace Bus.Restore.SpotTests;

public static class SpotTestKeys
{
    /// <summary><c>spot-tests/&lt;institution&gt;/&lt;bag&gt;-&lt;id&gt;.tar</c> in the restore bucket: apart from restores people asked for, one per spot test.</summary>
    public static string For(string institution, string bagName, Guid spotTestId) => $"{RestoreKeys.SpotTestPrefix}{institution}/{bagName}-{spotTestId:N}.tar";
}
