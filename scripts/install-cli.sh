#!/usr/bin/env bash
# Installs the `akka-jobs` command (node and operator CLI) for the current user from this clone:
#
#   scripts/install-cli.sh [--prefix ~/.local]
#
# Publishes the Orchestrator (Release, framework-dependent: needs the .NET 10 runtime) to
# <prefix>/share/akka-jobs and writes a <prefix>/bin/akka-jobs wrapper that runs it. Running it again
# replaces the previous install. Remove with: rm -rf <prefix>/share/akka-jobs <prefix>/bin/akka-jobs
# Exit code: 0 installed; 1 the build or publish failed; 2 bad usage.
set -euo pipefail

prefix="${HOME}/.local"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-cli.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app="${prefix}/share/akka-jobs"
bin="${prefix}/bin"
command -v dotnet >/dev/null || { echo "install-cli.sh: dotnet is not on PATH; install the .NET 10 SDK first" >&2; exit 1; }

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
echo "Publishing the Orchestrator to ${app} ..."
if ! dotnet publish "${repo}/Orchestrator/Akka.Jobs.Orchestrator.csproj" -c Release -o "$staging" --nologo -v quiet >"$staging.log" 2>&1; then
  cat "$staging.log" >&2; rm -f "$staging.log"
  echo "install-cli.sh: dotnet publish failed" >&2
  exit 1
fi
rm -f "$staging.log"
mkdir -p "$(dirname "$app")" "$bin"
rm -rf "$app"
mv "$staging" "$app"
trap - EXIT

cat >"${bin}/akka-jobs" <<WRAPPER
#!/bin/sh
# Installed by ${repo}/scripts/install-cli.sh
exec dotnet "${app}/akka-jobs.dll" "\$@"
WRAPPER
chmod +x "${bin}/akka-jobs"

echo "Installed ${bin}/akka-jobs"
case ":${PATH}:" in
  *":${bin}:"*) ;;
  *) echo "Note: ${bin} is not on PATH; add it, e.g.: echo 'export PATH=\"${bin}:\$PATH\"' >> ~/.bashrc" ;;
esac
"${bin}/akka-jobs" --version >/dev/null && echo "Try: akka-jobs --help"
