# Sourced by .ci/run and .ci/python_check.sh: one NativeAOT (or self-contained) publish with its log,
# failing on trim/AOT warnings.
#
# The NativeAOT compiler of .NET 10 crashes now and then in its parallel code generation
# ("Code generation failed for method ...", an IndexOutOfRangeException or NullReferenceException
# in LazyGenericsSupport.GraphBuilder): a race in the compiler itself (dotnet/runtime issue 122845),
# seen here once in a linux-arm64 publish that had passed unchanged 40 minutes before. A publish
# whose log shows that crash is run once more; any other failure, or the crash twice, fails CI.
publish_logged() { # log file, what (for messages), then the dotnet publish arguments
  local log="$1" what="$2"
  shift 2
  if ! dotnet publish "$@" > "$log" 2>&1; then
    if grep -qE "Code generation failed for method|LazyGenericsSupport" "$log"; then
      echo "ci: the NativeAOT compiler crashed publishing $what (a known intermittent compiler race); publishing once more" >&2
      grep -m 3 -E "Code generation failed for method|LazyGenericsSupport|Exception" "$log" >&2 || true
      dotnet publish "$@" > "$log" 2>&1 || { cat "$log"; echo "ci: publish of $what failed (twice)" >&2; exit 1; }
    else
      cat "$log"
      echo "ci: publish of $what failed" >&2
      exit 1
    fi
  fi
  if grep -E "warning (IL|SYSLIB)[0-9]+" "$log"; then echo "ci: the publish of $what has trim/AOT warnings" >&2; exit 1; fi
}
