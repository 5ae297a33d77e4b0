# Two commands for a newcomer: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-postgres venv i18n lint db bench clean

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

venv: $(BIN)/.installed

i18n: venv
	$(BIN)/python scripts/i18n.py build

db: venv i18n
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty

run: db
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
# STRICT_CI=1 (set by .ci/run) turns "PostgreSQL / Chromium missing" skips into failures.
test: venv i18n
	$(BIN)/ruff check app tests scripts bench wsgi.py
	TEST_DATABASE_URL= $(BIN)/python -m pytest -q -p no:cacheprovider
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		$(BIN)/python -m pytest -q -p no:cacheprovider; \
	elif [ -n "$$STRICT_CI" ]; then \
		echo "STRICT_CI: TEST_DATABASE_URL is not set; the PostgreSQL run is required" >&2; exit 1; \
	else \
		echo "(TEST_DATABASE_URL not set: PostgreSQL run skipped)"; \
	fi

lint: venv
	$(BIN)/ruff check app tests scripts bench wsgi.py

bench: venv i18n
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) app/translations test-artifacts
