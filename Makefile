# The two commands in the README (`make run`, `make test`) start here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: install run test bench clean

# Create the virtual environment and install the pinned dependencies.
# The stamp file makes a second `make` skip pip when nothing changed.
install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Upgrade the database, load content and demo data, serve with gunicorn.
run: install
	mkdir -p instance
	$(BIN)/flask db upgrade
	test -f $${KEYS_DIR:-instance/keys}/signing.pem || $(BIN)/flask keys init
	$(BIN)/flask content sync
	$(BIN)/flask demo
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-2} \
		--access-logfile - "wsgi:app"

# The whole suite: unit, integration and browser tests.
test: install
	$(BIN)/python -m pytest

# Benchmarks against a bare Flask app; writes bench/results.json (see README "Performance").
bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache
