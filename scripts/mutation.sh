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
# Advanced, Complete: which mutators) tune the run. Prints the score and leaves the HTML and JSON
# reports under StrykerOutput/FOLDER.
set -euo pipefail
folder=${1:?usage: scripts/mutation.sh FOLDER [TEST_FILTER]}
filter=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
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
cd tests/ER.Managed.Tests
dotnet dotnet-stryker "${args[@]}" | tee "$out/stryker.log" | grep -E 'mutation score|Killed|Survived|Timeout|No coverage|\[ERR\]' || true
