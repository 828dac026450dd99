# Sourced by bin/run and bin/test: make .venv and install the given requirements file,
# again only when that file changed since the last install; then build the compliance
# checker's C kernel, again only when its source changed.
set -euo pipefail
REQ_FILE="$1"
PYTHON_BIN="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON_BIN" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
stamp=".venv/.installed-$(basename "$REQ_FILE")"
want="$(cat requirements*.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQ_FILE"
  echo "$want" > "$stamp"
fi
# Without a C compiler the checker runs in Python: slower, same findings (CI requires the
# kernel: its tests fail instead of skipping).
if ! .venv/bin/python bin/build_kernel.py >.venv/kernel-build.log 2>&1; then
  echo "warning: the compliance kernel did not build (.venv/kernel-build.log);" \
    "checking compliance in Python" >&2
fi
export PATH="$PWD/.venv/bin:$PATH"
