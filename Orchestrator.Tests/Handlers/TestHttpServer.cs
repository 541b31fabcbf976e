using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Akka.Jobs.Tests.Handlers;

/// <summary>What the server saw of one request.</summary>
internal sealed record RecordedRequest(string Method, string Path, string? Authorization, string? ContentType, string Body, IReadOnlyDictionary<string, string?> Headers);

/// <summary>
/// A tiny HTTP server on 127.0.0.1 and a free port. <c>/status/&lt;code&gt;</c> answers with that status and
/// the body <c>body-&lt;code&gt;</c>; <c>/redirect?to=&lt;url&gt;[&amp;status=&lt;code&gt;]</c> redirects (302 by default);
/// <c>/echo</c> answers with the Authorization and X-Api-Key headers it got; <c>/set-cookie</c> sets a cookie;
/// everything else answers 200 <c>ok</c>.
/// </summary>
internal sealed class TestHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public TestHttpServer()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                var req = ctx.Request;
                string body;
                using (var reader = new StreamReader(req.InputStream, Encoding.UTF8))
                    body = await reader.ReadToEndAsync();
                var headers = req.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => req.Headers[k], StringComparer.OrdinalIgnoreCase);
                Requests.Enqueue(new RecordedRequest(req.HttpMethod, req.Url!.AbsolutePath, req.Headers["Authorization"], req.ContentType, body, headers));

                var status = 200;
                var path = req.Url.AbsolutePath;
                var text = "ok";
                if (path.StartsWith("/status/", StringComparison.Ordinal)) status = int.Parse(path["/status/".Length..]);
                if (status != 200) text = $"body-{status}";
                if (path == "/redirect")
                {
                    status = int.Parse(req.QueryString["status"] ?? "302");
                    ctx.Response.RedirectLocation = req.QueryString["to"] ?? "/redirect"; // no target: a loop
                }
                if (path == "/echo") text = $"auth={req.Headers["Authorization"]} key={req.Headers["X-Api-Key"]}";
                if (path == "/set-cookie") ctx.Response.AppendHeader("Set-Cookie", "session=abc123; Path=/");
                var payload = Encoding.UTF8.GetBytes(text);
                ctx.Response.StatusCode = status;
                ctx.Response.ContentType = "text/plain";
                ctx.Response.ContentLength64 = payload.Length;
                await ctx.Response.OutputStream.WriteAsync(payload);
                ctx.Response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                // client went away
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
