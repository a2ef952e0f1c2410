using Bus.Api.Authorization;
using Bus.Registry.Model;

namespace Bus.Tests.Api;

public sealed class ApiPolicyTests
{
    private const string Own = "own.edu";
    private const string Other = "other.edu";

    [Fact]
    public void Depositors_submit_and_read_their_institutions_work_but_decide_nothing()
    {
        Assert.Equal(Decision.Allow, ApiPolicy.Decide(Roles.Depositor, Own, ApiAction.SubmitIngest, Own));
        Assert.Equal(Decision.Allow, ApiPolicy.Decide(Roles.Depositor, Own, ApiAction.ReadObject, Own));
        Assert.Equal(Decision.Forbidden, ApiPolicy.Decide(Roles.Depositor, Own, ApiAction.RequestDeletion, Own));
        Assert.Equal(Decision.Forbidden, ApiPolicy.Decide(Roles.Depositor, Own, ApiAction.DecideDeletion, Own));
        Assert.Equal(Decision.Forbidden, ApiPolicy.Decide(Roles.Depositor, Own, ApiAction.StartFixityCheck, Own));
    }

    [Fact]
    public void Institutional_admins_request_and_decide_deletions_and_start_fixity_checks_for_their_institution_only()
    {
        foreach (var action in new[] { ApiAction.RequestDeletion, ApiAction.DecideDeletion, ApiAction.CancelDeletion, ApiAction.StartFixityCheck })
        {
            Assert.Equal(Decision.Allow, ApiPolicy.Decide(Roles.InstitutionalAdmin, Own, action, Own));
            Assert.Equal(Decision.NotFound, ApiPolicy.Decide(Roles.InstitutionalAdmin, Own, action, Other));
        }
    }

    [Fact]
    public void Operators_read_every_institution_and_change_nothing()
    {
        foreach (var action in new[] { ApiAction.ReadIngest, ApiAction.ReadObject, ApiAction.ReadDeletion, ApiAction.ReadAlerts })
            Assert.Equal(Decision.Allow, ApiPolicy.Decide(Roles.Operator, Own, action, Other));
        foreach (var action in new[] { ApiAction.SubmitIngest, ApiAction.CancelIngest, ApiAction.RequestDeletion, ApiAction.DecideDeletion, ApiAction.StartFixityCheck })
        {
            Assert.Equal(Decision.Forbidden, ApiPolicy.Decide(Roles.Operator, Own, action, Own));
            Assert.Equal(Decision.Forbidden, ApiPolicy.Decide(Roles.Operator, Own, action, Other));
        }
    }

    [Fact]
    public void Nobody_but_operators_sees_another_institutions_things_so_they_answer_not_found()
    {
        foreach (var role in new[] { Roles.Depositor, Roles.InstitutionalAdmin })
            foreach (var action in Enum.GetValues<ApiAction>())
                Assert.Equal(Decision.NotFound, ApiPolicy.Decide(role, Own, action, Other));
    }

    [Fact]
    public void Every_allowed_action_is_also_visible_and_unknown_roles_get_nothing()
    {
        foreach (var ((role, action), scope) in ApiPolicy.Table)
            Assert.True(ApiPolicy.ScopeOf(role, ApiPolicy.VisibilityOf(action)) >= scope, $"{role} may {action} but not see it");
        foreach (var action in Enum.GetValues<ApiAction>())
            Assert.Equal(Decision.NotFound, ApiPolicy.Decide("guest", Own, action, Own));
    }

    [Fact]
    public void Alerts_are_acknowledged_by_their_institutions_admins_and_by_operators_not_by_depositors()
    {
        Assert.Equal(Decision.Allow, ApiPolicy.Decide(Roles.InstitutionalAdmin, Own, ApiAction.AcknowledgeAlert, Own));
        Assert.Equal(Decision.NotFound, ApiPolicy.Decide(Roles.InstitutionalAdmin, Own, ApiAction.AcknowledgeAlert, Other));
        Assert.Equal(Decision.Allow, ApiPolicy.Decide(Roles.Operator, Own, ApiAction.AcknowledgeAlert, Other));
        Assert.Equal(Decision.Forbidden, ApiPolicy.Decide(Roles.Depositor, Own, ApiAction.AcknowledgeAlert, Own));
    }

    [Fact]
    public void Only_operators_read_error_queues_and_sagas_and_replay_or_archive_faulted_messages()
    {
        var operations = new[] { ApiAction.ReadErrorQueues, ApiAction.ReplayErrorMessages, ApiAction.ArchiveErrorMessages, ApiAction.ReadSagas };
        foreach (var action in operations)
        {
            Assert.Equal(Scope.AnyInstitution, ApiPolicy.ScopeFor(Roles.Operator, action));
            foreach (var role in new[] { Roles.Depositor, Roles.InstitutionalAdmin })
            {
                Assert.Equal(Scope.None, ApiPolicy.ScopeFor(role, action));
                Assert.Equal(Decision.NotFound, ApiPolicy.Decide(role, Own, action, Own));
            }
        }
    }
}
