#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to
# src/ER.Managed/PublicAPI.Unshipped.txt, so that a deliberate API change is one command and a
# reviewable diff. Removed symbols (RS0017) still have to be deleted by hand.
set -euo pipefail
cd "$(dirname "$0")/../src/ER.Managed"
new=$(dotnet build --no-incremental 2>&1 | grep "error RS0016" | sed -E "s/.*Symbol '(.*)' is not part of the declared public API.*/\1/" | sort -u || true)
if [ -z "$new" ]; then
  echo "public API files are up to date"
  exit 0
fi
{ head -n 1 PublicAPI.Unshipped.txt; { tail -n +2 PublicAPI.Unshipped.txt; printf '%s\n' "$new"; } | sort -u; } > PublicAPI.Unshipped.txt.new
mv PublicAPI.Unshipped.txt.new PublicAPI.Unshipped.txt
echo "added $(printf '%s\n' "$new" | wc -l) symbols to PublicAPI.Unshipped.txt"
