#!/usr/bin/env bash
# The whole test suite on SQLite and PostgreSQL (README: `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-env.sh
if [ -z "${KEEPWORD_TEST_POSTGRES_URL:-}" ]; then
  if url=$(scripts/ensure-postgres.sh); then
    export KEEPWORD_TEST_POSTGRES_URL="$url"
  elif [ -n "${CI:-}" ]; then
    echo "PostgreSQL is required in CI" >&2; exit 1
  fi
fi
echo "PostgreSQL for tests: ${KEEPWORD_TEST_POSTGRES_URL:-none (PostgreSQL tests skipped)}"
exec .venv/bin/pytest -q -n "${KEEPWORD_TEST_WORKERS:-2}" -p no:cacheprovider "$@"
