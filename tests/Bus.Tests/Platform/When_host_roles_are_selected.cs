using Bus.Host.Roles;

namespace Bus.Tests.Platform;

public class When_host_roles_are_selected
{
    [Fact]
    public void Should_run_every_role_for_all() =>
        Assert.Equal(RoleCatalog.Names, RoleSelection.Select("all").Select(r => r.Name));

    [Fact]
    public void Should_run_only_the_named_roles() =>
        Assert.Equal(["diagnostics"], RoleSelection.Select(" Diagnostics ").Select(r => r.Name));

    [Fact]
    public void Should_report_unknown_roles() =>
        Assert.Equal(["nope"], RoleSelection.Unknown("diagnostics,nope"));
}
