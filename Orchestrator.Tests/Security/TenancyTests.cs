using System.Net;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Tests.Api;
using Xunit;

namespace Akka.Jobs.Tests.Security;

/// <summary>
/// Tenancy decided on the stored job: the tenant comes from the token, a job's tenant never changes while it exists, and
/// one tenant can neither read nor overwrite another's job, however their calls interleave.
/// </summary>
public sealed class TenancyTests(SecuredNodeFixture fixture) : IClassFixture<SecuredNodeFixture>
{
    private static string Job(string? tenant, string schedule = "manual", string description = "") =>
        $$"""{"schedule":"{{schedule}}","handler":"noop","description":"{{description}}"{{(tenant is null ? "" : $",\"tenant\":\"{tenant}\"")}}}""";

    [Fact]
    public async Task Tenant_b_can_neither_read_nor_overwrite_nor_steer_tenant_a_s_job()
    {
        using var teamA = fixture.Client(SecuredNodeFixture.TenantA);
        using var teamB = fixture.Client(SecuredNodeFixture.TenantB);
        Assert.Equal(HttpStatusCode.Created, (await teamA.PutJob("owned-by-a", Job(null, description: "a's"))).Status);

        Assert.Equal(HttpStatusCode.NotFound, (await teamB.Get("/api/jobs/owned-by-a")).Status);
        var (status, body) = await teamB.PutJob("owned-by-a", Job(null, "hourly", "b's"));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("job id 'owned-by-a' is taken", body.Str("error"));
        foreach (var (method, path) in new[] { ("POST", "/trigger"), ("POST", "/pause"), ("POST", "/resume"), ("DELETE", "") })
            Assert.Equal(HttpStatusCode.NotFound, (await teamB.Send(new HttpMethod(method), "/api/jobs/owned-by-a" + path)).Status);

        var (_, job) = await teamA.Get("/api/jobs/owned-by-a");
        Assert.Equal("a", job.GetProperty("definition").Str("tenant"));
        Assert.Equal("a's", job.GetProperty("definition").Str("description"));
        Assert.Equal("manual", job.GetProperty("definition").Str("schedule"));
        Assert.False(job.GetProperty("paused").GetBoolean());
    }

    [Fact]
    public async Task A_job_s_tenant_cannot_change_while_it_exists_not_even_by_an_unlimited_token()
    {
        using var admin = fixture.Client(SecuredNodeFixture.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutJob("fixed-tenant", Job("b"))).Status);

        var (status, body) = await admin.PutJob("fixed-tenant", Job("c"));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("job 'fixed-tenant' belongs to tenant 'b'; a job's tenant cannot change: remove the job and define it again", body.Str("error"));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PutJob("fixed-tenant", Job(null))).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutJob("fixed-tenant", Job("b", "hourly"))).Status);

        // Removed, the id is free again, for any tenant.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Send(HttpMethod.Delete, "/api/jobs/fixed-tenant")).Status);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutJob("fixed-tenant", Job("c"))).Status);
    }

    [Fact]
    public async Task A_token_of_several_tenants_must_name_one()
    {
        using var teamAB = fixture.Client(SecuredNodeFixture.TenantsAB);
        var (status, body) = await teamAB.PutJob("which-tenant", Job(null));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("tenant", body.ToString());
        Assert.Contains("a, b", body.ToString());
        Assert.Equal(HttpStatusCode.Created, (await teamAB.PutJob("which-tenant", Job("b"))).Status);
    }

    /// <summary>
    /// Two tenants race to define, update and remove the same ids. Each client keeps the model of what it owns (only the
    /// owner can remove a job, so ownership changes only by its own calls): an update must only ever land on the
    /// caller's own job, a create only on a free id, and a removal only of its own job. With the tenant checked at the
    /// HTTP edge and the change made later, an update could land on the other tenant's job created in between.
    /// </summary>
    [Fact]
    public async Task Racing_tenants_never_update_or_remove_each_other_s_jobs()
    {
        using var teamA = fixture.Client(SecuredNodeFixture.TenantA);
        using var teamB = fixture.Client(SecuredNodeFixture.TenantB);
        using var admin = fixture.Client(SecuredNodeFixture.Admin);
        string[] ids = ["contested-0", "contested-1"];

        async Task<List<string>> Race(HttpClient client, string tenant, int seed)
        {
            var random = new Random(seed);
            var owned = new HashSet<string>();
            var violations = new List<string>();
            for (var i = 0; i < 60; i++)
            {
                var id = ids[random.Next(ids.Length)];
                if (random.Next(3) < 2)
                {
                    var (status, body) = await client.PutJob(id, Job(null, description: $"{tenant}-{i}"));
                    switch (status)
                    {
                        case HttpStatusCode.Created when owned.Contains(id):
                            violations.Add($"{tenant} created {id} it already owned");
                            break;
                        case HttpStatusCode.Created:
                            owned.Add(id);
                            break;
                        case HttpStatusCode.OK when !owned.Contains(id):
                            violations.Add($"{tenant} updated {id} it does not own");
                            break;
                        case HttpStatusCode.Conflict when owned.Contains(id):
                            violations.Add($"{tenant} was refused its own {id}: {body}");
                            break;
                        case HttpStatusCode.OK or HttpStatusCode.Conflict:
                            break;
                        default:
                            violations.Add($"{tenant} PUT {id}: {(int)status} {body}");
                            break;
                    }
                }
                else
                {
                    var (status, body) = await client.Send(HttpMethod.Delete, $"/api/jobs/{id}");
                    if (status == HttpStatusCode.NoContent && !owned.Remove(id)) violations.Add($"{tenant} removed {id} it does not own");
                    else if (status == HttpStatusCode.NotFound && owned.Contains(id)) violations.Add($"{tenant} could not remove its own {id}");
                    else if (status is not (HttpStatusCode.NoContent or HttpStatusCode.NotFound)) violations.Add($"{tenant} DELETE {id}: {(int)status} {body}");
                }
            }
            // What the client believes it owns is what the scheduler stored.
            foreach (var id in ids)
            {
                var (status, job) = await admin.Get($"/api/jobs/{id}");
                var stored = status == HttpStatusCode.OK ? job.GetProperty("definition").Str("tenant") : null;
                if (owned.Contains(id) && stored != tenant) violations.Add($"{tenant} believes it owns {id}, stored tenant is {stored ?? "none"}");
            }
            return violations;
        }

        var results = await Task.WhenAll(Race(teamA, "a", 1), Race(teamB, "b", 2));
        Assert.Empty(results.SelectMany(v => v));
    }

    [Fact]
    public void The_scheduler_s_decision_checks_the_stored_tenant()
    {
        var a = new JobDefinition { Id = "x", Schedule = "manual", Handler = "noop", Tenant = "a" };
        var none = a with { Tenant = null };
        Assert.Null(TenantScope.Own(a, null, ["a"]));
        Assert.Null(TenantScope.Own(a, a, null));
        Assert.Equal(RejectionKind.Invalid, TenantScope.Own(a, null, ["b"])!.Kind);
        Assert.Equal(RejectionKind.Conflict, TenantScope.Own(a with { Tenant = "b" }, a, ["b"])!.Kind);
        Assert.Equal("job id 'x' is taken", TenantScope.Own(a with { Tenant = "b" }, a, ["b"])!.Errors[0].Message);
        Assert.Equal(RejectionKind.Conflict, TenantScope.Own(none, a, null)!.Kind);
        Assert.Equal(RejectionKind.Conflict, TenantScope.Own(a, none, null)!.Kind);
        Assert.False(TenantScope.Allows(["a"], null));
        Assert.True(TenantScope.Allows(null, null));
    }
}
