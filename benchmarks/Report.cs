using System.Text;

namespace Akka.Jobs.Benchmarks;

public static class Report
{
    private static readonly string[] Competitors = ["quartz", "quartz-tuned", "hangfire", "hangfire-tuned"];

    private static double M(IEnumerable<Result> rs, string scenario, string system, string metric) =>
        rs.FirstOrDefault(r => r.Scenario == scenario && r.System == system) is { } r && r.Metrics.TryGetValue(metric, out var v) ? v : double.NaN;

    private static string F(double v, int d = 1) => Stats.F(v, d);

    public static string Table(List<Result> rs, BenchConfig cfg)
    {
        var sb = new StringBuilder();
        var systems = rs.Select(r => r.System).Distinct().ToList();
        void Row(string label, Func<string, string> cell) =>
            sb.AppendLine($"| {label} | " + string.Join(" | ", systems.Select(cell)) + " |");

        sb.AppendLine("| scenario / figure | " + string.Join(" | ", systems) + " |");
        sb.AppendLine("|---|" + string.Join("|", systems.Select(_ => "---:")) + "|");
        if (rs.Any(r => r.Scenario == "S1"))
        {
            Row($"S1 drain {cfg.S1Jobs:N0} one-offs: runs/s", s => F(M(rs, "S1", s, "runs_per_s")));
            Row("S1 drain time (s, due → all done)", s => F(M(rs, "S1", s, "drain_s"), 2));
            Row("S1 first start after due (ms)", s => F(M(rs, "S1", s, "first_start_ms"), 0));
            Row("S1 commits / run", s => F(M(rs, "S1", s, "commits_per_run"), 2));
            Row("S1 statements / run", s => F(M(rs, "S1", s, "statements_per_run"), 2));
            Row("S1 commits / run incl. registration", s => F(M(rs, "S1", s, "commits_per_run_incl_registration"), 2));
            Row("S1 statements / run incl. registration", s => F(M(rs, "S1", s, "statements_per_run_incl_registration"), 2));
            Row("S1 rows written / run", s => F(M(rs, "S1", s, "rows_written_per_run"), 2));
            Row("S1 Akka.Jobs runs/s ÷ this", s => F(M(rs, "S1", "akka-jobs", "runs_per_s") / M(rs, "S1", s, "runs_per_s"), 2) + "×");
        }
        if (rs.Any(r => r.Scenario == "S2"))
        {
            Row($"S2 {cfg.S2Jobs:N0} × every 1 s for {cfg.S2Seconds}s: lateness p50 (ms)", s => F(M(rs, "S2", s, "late_p50_ms")));
            Row("S2 lateness p99 (ms)", s => F(M(rs, "S2", s, "late_p99_ms")));
            Row("S2 lateness max (ms)", s => F(M(rs, "S2", s, "late_max_ms")));
            Row("S2 missed / expected", s => $"{F(M(rs, "S2", s, "missed"), 0)} / {F(M(rs, "S2", s, "expected"), 0)}");
            Row("S2 duplicated", s => F(M(rs, "S2", s, "duplicated"), 0));
            Row("S2 statements/s during the window", s => F(M(rs, "S2", s, "statements_per_s"), 0));
        }
        if (rs.Any(r => r.Scenario == "S3"))
        {
            Row("S3 trigger → handler start p50 (ms)", s => F(M(rs, "S3", s, "p50_ms"), 2));
            Row("S3 p99 (ms)", s => F(M(rs, "S3", s, "p99_ms"), 2));
            Row("S3 triggers measured", s => F(M(rs, "S3", s, "triggers"), 0));
            Row("S3 this p50 ÷ Akka.Jobs p50", s => F(M(rs, "S3", s, "p50_ms") / M(rs, "S3", "akka-jobs", "p50_ms"), 1) + "×");
        }
        if (rs.Any(r => r.Scenario == "S4"))
        {
            Row("S4 idle, 100 jobs: statements/s", s => F(M(rs, "S4", s, "statements_per_s"), 2));
            Row("S4 idle: commits/s", s => F(M(rs, "S4", s, "commits_per_s"), 2));
        }
        if (rs.Any(r => r.Scenario == "S5"))
            Row("S5 kill -9 of scheduler node → next fire (s)", s => s == "akka-jobs" ? F(M(rs, "S5", s, "next_fire_s"), 1) : "—");
        if (rs.Any(r => r.Scenario == "S6"))
        {
            Row($"S6 {cfg.S6Jobs:N0} jobs: bytes / job", s => s == "akka-jobs" ? F(M(rs, "S6", s, "bytes_per_job"), 0) : "—");
            Row("S6 registration (jobs/s)", s => s == "akka-jobs" ? F(M(rs, "S6", s, "register_per_s"), 0) : "—");
            Row("S6 recovery after restart (s)", s => s == "akka-jobs" ? F(M(rs, "S6", s, "recovery_s"), 2) : "—");
            Row($"S6 fan-out {cfg.S6Items:N0} items (s)", s => s == "akka-jobs" ? F(M(rs, "S6", s, "fanout_s"), 1) : "—");
        }

        sb.AppendLine();
        sb.AppendLine("Goals (Akka.Jobs):");
        void Goal(string name, double v, Func<double, bool> met, string want, int d = 1)
        {
            var status = double.IsNaN(v) ? "not measured" : met(v) ? "met" : "MISSED";
            sb.AppendLine($"- {name}: {F(v, d)} (goal {want}) — {status}");
        }
        var a1 = M(rs, "S1", "akka-jobs", "runs_per_s");
        Goal("S1 runs/s", a1, v => v >= 2000, "≥ 2,000");
        Goal("S1 × Quartz AdoJobStore (defaults)", a1 / M(rs, "S1", "quartz", "runs_per_s"), v => v >= 20, "≥ 20×", 2);
        Goal("S1 × Hangfire.PostgreSql (defaults)", a1 / M(rs, "S1", "hangfire", "runs_per_s"), v => v >= 30, "≥ 30×", 2);
        Goal("S1 commits / run", M(rs, "S1", "akka-jobs", "commits_per_run"), v => v <= 1, "≤ 1", 2);
        Goal("S1 commits / run incl. registration", M(rs, "S1", "akka-jobs", "commits_per_run_incl_registration"), v => v <= 1, "≤ 1", 2);
        Goal("S2 lateness p99 ms", M(rs, "S2", "akka-jobs", "late_p99_ms"), v => v <= 20, "≤ 20");
        Goal("S2 lateness max ms", M(rs, "S2", "akka-jobs", "late_max_ms"), v => v <= 100, "≤ 100");
        Goal("S2 missed", M(rs, "S2", "akka-jobs", "missed"), v => v == 0, "0", 0);
        Goal("S2 duplicated", M(rs, "S2", "akka-jobs", "duplicated"), v => v == 0, "0", 0);
        Goal("S3 p50 ms", M(rs, "S3", "akka-jobs", "p50_ms"), v => v <= 3, "≤ 3", 2);
        Goal("S3 p99 ms", M(rs, "S3", "akka-jobs", "p99_ms"), v => v <= 10, "≤ 10", 2);
        Goal("S4 statements/s", M(rs, "S4", "akka-jobs", "statements_per_s"), v => v <= 2, "≤ 2", 2);
        Goal("S5 next fire s", M(rs, "S5", "akka-jobs", "next_fire_s"), v => v <= 10, "≤ 10");
        Goal("S6 bytes/job", M(rs, "S6", "akka-jobs", "bytes_per_job"), v => v <= 2048, "≤ 2,048", 0);
        Goal("S6 recovery s", M(rs, "S6", "akka-jobs", "recovery_s"), v => v <= 5, "≤ 5", 2);
        Goal($"S6 fan-out {cfg.S6Items:N0} items s", M(rs, "S6", "akka-jobs", "fanout_s"), v => v <= 30, "≤ 30");
        if (cfg.S6Jobs != 100_000) sb.AppendLine($"  (S6 ran with {cfg.S6Jobs:N0} jobs, not 100,000)");

        sb.AppendLine();
        sb.AppendLine("Notes:");
        foreach (var r in rs)
        {
            foreach (var n in r.Notes) sb.AppendLine($"- {r.Scenario} {r.System}: {n}");
            if (r.Error is not null) sb.AppendLine($"- {r.Scenario} {r.System}: ERROR {r.Error}");
        }
        return sb.ToString();
    }
}
