#!/usr/bin/env bash
# Fuzzes one target with AFL++ through SharpFuzz for a set time:
#   fuzz/run.sh npy|cli [SECONDS] [OUTPUT_FOLDER]
# Needs afl++ (Debian: apt-get install afl++) and the .NET SDK; restores the sharpfuzz tool from the
# repository's tool manifest. Exits 1 and lists the inputs if AFL recorded a crash; a crash replays
# (uninstrumented) with: dotnet run --project fuzz/ER.Managed.Fuzz -c Release -- TARGET < CRASH_FILE
set -euo pipefail
target=${1:?usage: fuzz/run.sh npy|cli [SECONDS] [OUTPUT_FOLDER]}
seconds=${2:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${3:-$root/fuzz/out/$target}
case "$target" in npy|cli) ;; *) echo "unknown target '$target' (npy or cli)" >&2; exit 2;; esac
command -v afl-fuzz > /dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 2; }

cd "$root"
dotnet tool restore > /dev/null
rm -rf "$out" && mkdir -p "$out"
dotnet publish fuzz/ER.Managed.Fuzz -c Release -o "$out/app" --nologo -v quiet > "$out/publish.log"

# Instrument what the target exercises (the library; the CLI too for cli).
dotnet sharpfuzz "$out/app/ER.Managed.dll" > /dev/null
if [ "$target" = cli ]; then dotnet sharpfuzz "$out/app/er.dll" > /dev/null; fi

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
# -t: the .NET start-up and first JIT of a command take a second or two; -m none: the runtime
# reserves far more address space than AFL's default limit.
afl-fuzz -V "$seconds" -t 10000 -m none -i "fuzz/corpus/$target" -o "$out/findings" -- dotnet "$out/app/ER.Managed.Fuzz.dll" "$target" > "$out/afl.log" 2>&1 || {
  echo "afl-fuzz failed; the end of its log:" >&2; tail -30 "$out/afl.log" >&2; exit 1; }

stats="$out/findings/default/fuzzer_stats"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg) ' "$stats"
crashes=$(find "$out/findings/default/crashes" -type f -name 'id:*' | wc -l)
if [ "$crashes" -gt 0 ]; then
  echo "$crashes crashing inputs in $out/findings/default/crashes:" >&2
  ls "$out/findings/default/crashes" >&2
  exit 1
fi
echo "fuzz $target: no crash in $seconds s"
