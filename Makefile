# cityhall — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: messages install migrate demo serve test test-unit test-browser test-postgres lint format bench clean-data

$(BIN)/cityhall: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

install: $(BIN)/cityhall

migrate: install
	$(BIN)/cityhall migrate --noinput -v 0

# `cityhall serve` refuses the development secret key: the demo uses a key of this checkout's
# own, made once in var/ (CITYHALL_SECRET_KEY in the environment wins).
SECRET_KEY_FILE := var/secret-key
WITH_KEY = CITYHALL_SECRET_KEY="$${CITYHALL_SECRET_KEY:-$$(cat $(SECRET_KEY_FILE))}"

$(SECRET_KEY_FILE): | install
	@mkdir -p $(dir $@)
	@umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

## make demo: venv, install, migrate, load the demo city, print logins, serve on $(HOST):$(PORT)
## with the local identity portal (OpenID Connect, needs node) on 127.0.0.1:$(OIDC_PORT)
OIDC_PORT ?= 9000
demo: migrate $(SECRET_KEY_FILE)
	$(WITH_KEY) $(BIN)/cityhall load_demo
	$(WITH_KEY) HOST=$(HOST) PORT=$(PORT) OIDC_PORT=$(OIDC_PORT) CITYHALL_BIN=$(BIN)/cityhall \
	  scripts/demo-identity-portal $(BIN)/cityhall serve --host $(HOST) --port $(PORT)

## make serve: serve the existing database (web + background worker)
serve: migrate $(SECRET_KEY_FILE)
	$(WITH_KEY) $(BIN)/cityhall serve --host $(HOST) --port $(PORT)

## make test: the whole suite — lint (ruff, import contracts), unit/API on SQLite, browser (Chromium + axe), PostgreSQL
PYTEST := $(BIN)/pytest -q -p no:cacheprovider

test: install
	@echo "== lint"
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	@echo "== tests: two streams side by side (scripts/test-streams), each log printed whole"
	scripts/test-streams \
	  'echo "== unit and API tests on SQLite"; $(PYTEST); a=$$?; echo "== browser tests (Debian Chromium, axe-core)"; $(PYTEST) -m browser; b=$$?; [ $$a -eq 0 ] && [ $$b -eq 0 ]' \
	  'echo "== the suite again on PostgreSQL"; scripts/with-postgres $(PYTEST) -m "not browser and not cluster"; a=$$?; echo "== a cluster: nodes behind nginx, PostgreSQL primary and replica, Redis (scripts/cluster)"; $(PYTEST) -m cluster; b=$$?; [ $$a -eq 0 ] && [ $$b -eq 0 ]'

test-unit: install
	$(PYTEST)

test-browser: install
	$(PYTEST) -m browser

test-postgres: install
	scripts/with-postgres $(PYTEST) -m "not browser and not cluster"

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

## make bench: every bench/*.py (not part of make test); results go in bench/README.md
bench: install
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean-data:
	rm -rf var

## make messages: refresh the ru/tt catalogues from the code and compile them
messages: install
	scripts/messages
