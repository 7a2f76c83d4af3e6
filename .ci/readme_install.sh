#!/usr/bin/env bash
# The README's install lines, as written, in a scratch folder: a clone of this commit, its
# "## Install" sh block run from the clone's root (with a private NuGet cache, so that no cached
# package of the same version can stand in), then the README's first C# block as MyApp's
# Program.cs, run against the package just added.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
git clone -q --depth 1 "file://$ROOT" "$SCRATCH/ER.Managed"
python3 - "$ROOT/README.md" "$SCRATCH" <<'PY'
import pathlib, re, sys
readme = pathlib.Path(sys.argv[1]).read_text()
install = readme.split("## Install", 1)[1]
sh = re.search(r"```sh\n(.*?)```", install, re.S).group(1)
csharp = re.search(r"```csharp\n(.*?)```", readme, re.S).group(1)
scratch = pathlib.Path(sys.argv[2])
(scratch / "install.sh").write_text(sh)
(scratch / "Program.cs").write_text(csharp)
PY
echo "--- the README's install block:"; cat "$SCRATCH/install.sh"
export NUGET_PACKAGES="$SCRATCH/nuget-cache"
(cd "$SCRATCH/ER.Managed" && bash -euo pipefail "$SCRATCH/install.sh")
cp "$SCRATCH/Program.cs" "$SCRATCH/MyApp/Program.cs"
(cd "$SCRATCH/MyApp" && dotnet run -c Release)
grep -q '<PackageReference Include="ER.Managed"' "$SCRATCH/MyApp/MyApp.csproj" \
  || { echo "readme_install: MyApp does not reference the ER.Managed package" >&2; exit 1; }
