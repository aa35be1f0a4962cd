# The two commands of the README. Both set up everything on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install demo test test-env clean browse

install: $(VENV)/.installed

# Reinstall when the dependencies change.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable ".[test]"
	touch $@

# Crawl the Linhai replica end to end; leaves ./data/nianbao.db and ./archive/.
demo: install
	$(BIN)/python scripts/demo.py

# pywb, the replay tool the WACZ test loads packages into. A venv of its own:
# it pins an old redis client that the crawler's dependencies must not inherit.
PYWB_VENV := .venv-pywb
$(PYWB_VENV)/.installed:
	test -x $(PYWB_VENV)/bin/python || $(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/python -m pip install --quiet "pywb>=2.8"
	touch $@

# warcio's own sample and broken WARC files, the reader tests' negative cases:
# its 1.6.3 source distribution is the last that ships test/data.
WARCIO_DATA := .cache/warcio-test-data
$(WARCIO_DATA)/.fetched:
	rm -rf $(WARCIO_DATA) && mkdir -p $(WARCIO_DATA)/sdist
	$(BIN)/python -m pip download --quiet --no-deps --no-binary :all: "warcio==1.6.3" -d $(WARCIO_DATA)/sdist
	tar xzf $(WARCIO_DATA)/sdist/warcio-1.6.3.tar.gz -C $(WARCIO_DATA) --strip-components=3 warcio-1.6.3/test/data
	touch $@

# The Debian packages of scripts/test-packages.txt (installed when missing, as root;
# otherwise named) and PostgreSQL and Redis on loopback (started when not answering).
test-env:
	scripts/setup-test-env.sh

# The whole suite, on a machine test-env has set up, one worker a core: most tests
# wait on crawls, servers and browsers. A module's tests stay on one worker, so a
# module-scoped fixture (the OCR of a scan, a crawl) is made once.
test: test-env install $(PYWB_VENV)/.installed $(WARCIO_DATA)/.fetched
	$(BIN)/python -m pytest -n auto --dist loadscope --durations=15 $(PYTEST_ARGS)

# Serve ./data/nianbao.db (or the SQLite DATABASE_URL) in Datasette, read-only, on
# http://127.0.0.1:8001/ with descriptions and canned queries; e.g. BROWSE_ARGS="--port 0".
browse: install
	$(BIN)/scrapy browse $(BROWSE_ARGS)

# The speed figures of the README (issue 11): crawl vs wget and bare Scrapy, CPU per
# stage, RSS, start-up, 500 portals over two nights. Not part of make test (a
# smoke run at toy sizes is); about 7 minutes on two idle cores.
bench: install
	$(BIN)/python benchmarks/bench_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(PYWB_VENV) .cache build *.egg-info .pytest_cache .hypothesis
