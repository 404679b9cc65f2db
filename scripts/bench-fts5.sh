#!/usr/bin/env bash
# podimport side by side with SQLite FTS5 (issue 5): generates a corpus
# (1,000,000 posts by default), imports it into a store with its search
# index and into a SQLite database with an FTS5 table through the sqlite3
# shell, and prints indexing throughput, size on disk and query latency of
# both, with the ratios podimport/FTS5.
#
#   scripts/bench-fts5.sh                          # 1,000,000 posts, 50 runs per query
#   scripts/bench-fts5.sh -posts 100000 -runs 20   # any flag of `go run ./bench fts5`
#
# It installs the sqlite3 shell from Debian's packages when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v sqlite3 >/dev/null; then
	sudo=()
	if [[ "$(id -u)" != 0 ]]; then sudo=(sudo); fi
	"${sudo[@]}" apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3
fi
exec go run ./bench fts5 "$@"
