#!/usr/bin/env bash
# The main job (README: `make run`): keepword with demo data on the embedded SQLite default.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-env.sh
db=${KEEPWORD_DATABASE_URL:-sqlite:///keepword.db}
if [ ! -f keepword.db ] || ! .venv/bin/keepword stats --db "$db" --json >/dev/null 2>&1; then
  .venv/bin/keepword demo --db "$db" --cases "${KEEPWORD_DEMO_CASES:-1000}" --seed 1 --reset
fi
# The demo server answers partners' screening checks too (a large deployment leaves that to screen-server replicas).
export KEEPWORD_SCREENING_LIVE_INDEX=${KEEPWORD_SCREENING_LIVE_INDEX:-true}
exec .venv/bin/keepword serve --db "$db" "$@"
