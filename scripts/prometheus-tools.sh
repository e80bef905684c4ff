#!/bin/sh
# Prints the directory holding `promtool` and `prometheus` (Debian's `prometheus` package), which
# the tests of deploy/prometheus use: from PATH when installed, else from this project's cache.
#
#   scripts/prometheus-tools.sh            # the directory, or exit 1 saying how to get them
#   scripts/prometheus-tools.sh --install  # fetch them into the cache first when missing (CI does)
#
# --install unpacks the package (apt-get download + dpkg -x) instead of installing it: an installed
# package starts a Prometheus daemon on :9090 and adds a system user, which a test machine must not
# keep. No root needed, except for `apt-get update` when the package lists are empty.
set -eu
cache="${CRM_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bizosaas-crm}/prometheus"

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  dirname "$(command -v promtool)"
  exit 0
fi
if [ -x "$cache/usr/bin/promtool" ] && [ -x "$cache/usr/bin/prometheus" ]; then
  echo "$cache/usr/bin"
  exit 0
fi
if [ "${1:-}" != "--install" ]; then
  echo "promtool and prometheus are not installed: run scripts/prometheus-tools.sh --install (Debian/Ubuntu: unpacks the 'prometheus' package into $cache), or install Prometheus 2.x so both are on PATH" >&2
  exit 1
fi

command -v apt-get >/dev/null 2>&1 || { echo "no apt-get here: install Prometheus 2.x (promtool and prometheus) so both are on PATH" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download writes to the current directory; _apt cannot write to a private temp dir: say nothing of it.
if ! (cd "$work" && apt-get download prometheus >&2 2>/dev/null); then
  [ "$(id -u)" = 0 ] || { echo "apt-get download prometheus failed: run 'sudo apt-get update' and try again" >&2; exit 1; }
  apt-get update -qq >&2
  (cd "$work" && apt-get download prometheus >&2 2>/dev/null)
fi
dpkg -x "$work"/prometheus_*.deb "$work/unpacked"
mkdir -p "$(dirname "$cache")"
# Two runs at once: the first rename wins, the second finds the tools there.
mv -T "$work/unpacked" "$cache" 2>/dev/null || [ -x "$cache/usr/bin/promtool" ]
echo "$cache/usr/bin"
