.PHONY: run test bench

# Server with demo data on the embedded SQLite default: http://127.0.0.1:8000
run:
	scripts/run.sh

# The whole test suite, on SQLite and PostgreSQL.
test:
	scripts/test.sh

# Benchmarks; results as JSON under bench/results/.
bench:
	scripts/setup-env.sh && for b in bench/*_bench.py; do .venv/bin/python $$b || exit 1; done
