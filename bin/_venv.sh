# Sourced by bin/run and bin/test: make .venv and install the given requirements file,
# again only when that file changed since the last install.
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
export PATH="$PWD/.venv/bin:$PATH"
