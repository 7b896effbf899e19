# customer_relations: two commands, `make run` and `make test` (see README.rst).
# ODOO_SRC points at an Odoo 18.0 source tree (default /opt/odoo).
ODOO_SRC ?= /opt/odoo
export ODOO_SRC

.PHONY: setup run test test-engine test-odoo test-upgrade mutation lint pot bench stop-db clean

setup:
	@bash tools/crm.sh setup

run:
	@bash tools/crm.sh run

test:
	@bash tools/crm.sh test

# Single layers, for quicker loops while developing.
lint: setup
	.venv-lint/bin/ruff check .
	.venv-lint/bin/ruff format --check .
	.venv-lint/bin/pylint --rcfile=.pylintrc-mandatory customer_relations customer_relations_demo_company
	.venv-lint/bin/oca-checks-odoo-module --no-verbose customer_relations customer_relations_demo_company

test-engine: setup
	.venv/bin/python -m pytest -q -p no:cacheprovider tests

test-odoo: setup
	@bash tools/crm.sh odoo-test

# Install the last release (.ci/upgrade-from) with demo data, upgrade, compare records and figures.
test-upgrade:
	@bash tools/crm.sh upgrade-test

# Mutation testing of the engine with cosmic-ray, a score per module (not part of `make test`:
# it takes tens of minutes). MODULES="complaints tiering" make mutation runs only those.
mutation: setup
	.venv/bin/python tools/mutation.py $(MODULES)

pot:
	@bash tools/crm.sh pot

# Benchmarks on a scratch database (BENCH=tiering runs only bench/bench_*tiering*.py).
bench:
	@bash tools/crm.sh bench

stop-db:
	@bash tools/crm.sh stop-db

clean: stop-db
	rm -rf .run
