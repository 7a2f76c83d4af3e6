#!/usr/bin/env bash
# Mutation testing of one library folder with Stryker.NET (the dotnet-stryker tool in the
# repository's tool manifest):
#   scripts/mutation.sh FOLDER [TEST_FILTER]
# FOLDER is a folder of src/ER.Managed (Npy, Numerics, Terms, Kernels/Drivers), or . for the whole
# project; STRYKER_PROJECT names another project the tests reference (ER.Managed.CommandLine.csproj,
# the command-line code er and er-mpi share; default ER.Managed.csproj). TEST_FILTER a
# dotnet test filter that selects the tests worth running against its mutants (default: all,
# which on 2 cores takes hours). Release build, each mutant run against the tests that cover it.
# STRYKER_CONCURRENCY (default: the processor count) and STRYKER_LEVEL (Basic, Standard (default),
# Advanced, Complete: which mutators) tune the run; STRYKER_ADDITIONAL_TIMEOUT_MS adds that many
# milliseconds to each mutant's time limit (Stryker's default limit is tight for tests that sweep
# large sizes on 2 cores, and a mutant that merely runs slowly then reads as timed out: 30000 is
# what the scores in docs/reliability.md used where they say "30 s added"). Prints the score and
# leaves the HTML and JSON reports under StrykerOutput/FOLDER.
set -euo pipefail
folder=${1:?usage: scripts/mutation.sh FOLDER [TEST_FILTER]}
filter=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
case ${STRYKER_ADDITIONAL_TIMEOUT_MS:-0} in
  ''|*[!0-9]*) echo "STRYKER_ADDITIONAL_TIMEOUT_MS must be a whole number of milliseconds, got '$STRYKER_ADDITIONAL_TIMEOUT_MS'" >&2; exit 2 ;;
esac
dotnet tool restore > /dev/null
project=${STRYKER_PROJECT:-ER.Managed.csproj}
pattern="**/$folder/**/*.cs"
name=${folder//\//-}
if [ "$folder" = . ]; then pattern="**/*.cs"; name=all; fi
if [ "$project" != ER.Managed.csproj ]; then name="${project%.csproj}-$name"; fi
out="$root/StrykerOutput/$name"
rm -rf "$out" && mkdir -p "$out"
args=(${STRYKER_LEVEL:+-l $STRYKER_LEVEL} -p "$project" -m "$pattern" --configuration Release --concurrency "${STRYKER_CONCURRENCY:-$(nproc)}" -r cleartext -r json -r html -r progress -O "$out")
if [ -n "$filter" ]; then args+=(--test-case-filter "$filter"); fi
if [ -n "${STRYKER_ADDITIONAL_TIMEOUT_MS:-}" ]; then
  # Stryker takes this setting from a configuration file only.
  printf '{ "stryker-config": { "additional-timeout": %s } }\n' "$STRYKER_ADDITIONAL_TIMEOUT_MS" > "$out/stryker-config.json"
  args+=(-f "$out/stryker-config.json")
fi
cd tests/ER.Managed.Tests
dotnet dotnet-stryker "${args[@]}" | tee "$out/stryker.log" | grep -E 'mutation score|Killed|Survived|Timeout|No coverage|\[ERR\]' || true
