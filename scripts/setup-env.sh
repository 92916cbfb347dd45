#!/usr/bin/env bash
# Create .venv and install keepword with its test extras (idempotent; fast when nothing changed).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.keepword-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check uv==0.13.8 >/dev/null 2>&1 || true
  if [ -x .venv/bin/uv ]; then
    .venv/bin/uv pip install -q -p .venv/bin/python -e '.[test]'
  else
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
  fi
  touch "$stamp"
fi
