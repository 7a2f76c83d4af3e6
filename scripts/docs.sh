#!/usr/bin/env bash
# Builds the documentation site: the API reference from the library's XML docs plus README.md,
# CHANGELOG.md and docs/, with docfx (the repository's tool manifest), warnings as errors; then
# checks that every relative link and image of the generated HTML resolves.
#   scripts/docs.sh            -> artifacts/docs-site/ (open index.html, or serve the folder)
# docfx resolves content below its configuration's folder only, so the pages are staged with
# the repository's layout in artifacts/docs-src/ beside docs/site/docfx.json; links between them
# then work as they do on the repository's web view.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dotnet tool restore > /dev/null
stage=artifacts/docs-src
rm -rf "$stage" artifacts/docs-site
mkdir -p "$stage/fuzz" "$stage/include"
cp README.md CHANGELOG.md "$stage/"
cp -r docs "$stage/docs"
rm -rf "$stage/docs/site"
cp docs/site/docfx.json docs/site/toc.yml docs/site/index.md "$stage/"
cp fuzz/README.md "$stage/fuzz/"
cp include/er_managed.h "$stage/include/"
dotnet docfx "$stage/docfx.json" --warningsAsErrors
python3 scripts/check_site_links.py artifacts/docs-site
