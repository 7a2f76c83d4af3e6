#!/usr/bin/env bash
# The native library (src/ER.Managed.Native) from C and Python: publish it for linux-x64, compile and
# run docs/native.md's C example and the C test of every export (tests/native) with gcc, build the
# Python wheel with the library inside, install it into a fresh virtual environment (with the system
# site packages for numpy, torch and pytest) and run the Python tests there; then publish for
# linux-arm64 and run the C test under qemu (with the arm64 multiarch libc of .ci/run; qemu's -L with the
# cross toolchain's sysroot hangs the runtime's start). Needs: gcc, python3 with numpy, torch, pytest, mpmath,
# pip, setuptools, wheel and venv (Debian packages), aarch64-linux-gnu-gcc and qemu-user.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's interpreter, where python3-torch and friends are installed (another python3 may come first on PATH).
PY="${ER_PYTHON:-/usr/bin/python3}"
OUT=artifacts/native
rm -rf "$OUT" && mkdir -p "$OUT"

source .ci/publish.sh
publish() { # runtime, folder
  publish_logged "$2.log" "libermanaged for $1" src/ER.Managed.Native -c Release -r "$1" -o "$2"
}

echo "--- publish libermanaged for linux-x64"
publish linux-x64 "$OUT/x64"
ls -la "$OUT/x64/libermanaged.so"
for symbol in er_version er_abi_version er_last_error er_entropy_sphere er_entropy_sphere_grad er_entropy_discrete er_entropy_discrete_grad \
              er_reconstruction_sphere er_reconstruction_sphere_grad er_reconstruction_discrete er_reconstruction_discrete_grad \
              er_entropy_knn er_vmf er_kappa_select er_loo_log_likelihood; do
  nm -D --defined-only "$OUT/x64/libermanaged.so" | grep -qw "$symbol" || { echo "native: $symbol is not exported" >&2; exit 1; }
done

echo "--- docs/native.md's C example"
"$PY" - "$OUT/example.c" <<'PY'
import re, sys
text = open("docs/native.md").read()
blocks = re.findall(r"```c\n(.*?)```", text, re.S)
assert len(blocks) == 1, f"expected one C block in docs/native.md, found {len(blocks)}"
open(sys.argv[1], "w").write(blocks[0])
PY
gcc -std=c11 -Wall -Wextra -Werror "$OUT/example.c" -I include -L "$OUT/x64" -lermanaged -Wl,-rpath,"$PWD/$OUT/x64" -lm -o "$OUT/example"
"$OUT/example" | tee "$OUT/example.txt"
grep -q "H = " "$OUT/example.txt" && grep -q "refused: kappa" "$OUT/example.txt"

echo "--- the C test of every export"
gcc -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -O1 tests/native/test_er_managed.c -I include -L "$OUT/x64" -lermanaged -Wl,-rpath,"$PWD/$OUT/x64" -lpthread -lm -o "$OUT/test_er_managed"
"$OUT/test_er_managed" > "$OUT/test.txt" || { cat "$OUT/test.txt"; exit 1; }
tail -1 "$OUT/test.txt"

echo "--- the Python wheel, installed into a fresh virtual environment, and its tests"
cp "$OUT/x64/libermanaged.so" python/er_managed/
rm -rf python/build python/*.egg-info
"$PY" -m pip wheel --no-build-isolation --no-deps --no-index -q -w "$OUT/wheel" ./python
rm -f python/er_managed/libermanaged.so
ls "$OUT/wheel"
"$PY" -m venv --system-site-packages "$OUT/venv"
"$OUT/venv/bin/python" -m pip install --no-deps --no-index -q "$OUT"/wheel/*.whl
(cd "$OUT" && env -u ER_MANAGED_LIBRARY PYTHONPATH="$PWD/../../python/tests" venv/bin/python -c "import er_managed, sys; print('installed', er_managed.__file__, er_managed.version()); assert 'venv' in er_managed.__file__")
(cd python/tests && env -u ER_MANAGED_LIBRARY "$PWD/../../$OUT/venv/bin/python" -m pytest -q -p no:cacheprovider .)

echo "--- linux-arm64: the library links, and the C test runs under qemu"
publish linux-arm64 "$OUT/arm64"
aarch64-linux-gnu-gcc -std=c11 -D_DEFAULT_SOURCE -O1 tests/native/test_er_managed.c -I include -L "$OUT/arm64" -lermanaged -Wl,-rpath,"$PWD/$OUT/arm64" -lpthread -lm -o "$OUT/test_er_managed_arm64"
qemu-aarch64 "$OUT/test_er_managed_arm64" > "$OUT/test_arm64.txt" || { cat "$OUT/test_arm64.txt"; exit 1; }
tail -1 "$OUT/test_arm64.txt"
echo "native and Python checks passed"
