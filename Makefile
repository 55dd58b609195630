# filmroll: `make demo` serves the embedded default with demo data; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# `make demo`: where its install lives, the port it serves on, how many photos it posts
DEMO_DATA_DIR ?= $(or $(FILMROLL_DATA_DIR),var)
DEMO_PORT ?= 8000
DEMO_PHOTOS ?= 60
PG2_PORT ?= 5433
PG := postgres://postgres@127.0.0.1
S3_PORT ?= 9100
# The cluster-mode test run: a global database and two physical shard databases on two servers,
# photos in S3 (the tests start an S3 API server on S3_PORT), feeds hashed over two Redis
# instances, sessions in Redis, memcached as the object cache, tasks through RabbitMQ.
PG_TEST_ENV := FILMROLL_DATA_DIR=var/test-postgres \
	FILMROLL_DATABASE_URL=$(PG):5432/filmroll_global \
	FILMROLL_SHARD_DATABASES=a=$(PG):5432/filmroll_a,b=$(PG):$(PG2_PORT)/filmroll_b \
	FILMROLL_INDEX_DATABASE=$(PG):$(PG2_PORT)/filmroll_index \
	FILMROLL_STORAGE=s3 FILMROLL_S3_BUCKET=filmroll-test FILMROLL_S3_ENDPOINT_URL=http://127.0.0.1:$(S3_PORT) \
	FILMROLL_S3_ACCESS_KEY_ID=test FILMROLL_S3_SECRET_ACCESS_KEY=test \
	FILMROLL_FEED_REDIS=redis://127.0.0.1:6379/1,redis://127.0.0.1:6380/1 \
	FILMROLL_SESSION_REDIS=redis://127.0.0.1:6379/2 \
	FILMROLL_CACHE_SERVERS=127.0.0.1:11311,127.0.0.1:11312 \
	FILMROLL_BROKER_URL=amqp://guest:guest@127.0.0.1:5672//

CLUSTER_DIR ?= var/cluster

.PHONY: cluster cluster-down cluster-packages demo test services test-embedded test-postgres test-cluster install install-bench lint docs messages bench bench-ids bench-photos bench-feeds bench-geo bench-api bench-overhead bench-cluster bench-objcache bench-fanout bench-chart bench-profile bench-webhome bench-cpu soak clean golden bench-photo-tools bench-following bench-leaving

# What the tests need (and the demo's photos): `make install`, and every target that tests.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(BIN)/.installed-demo

install: $(BIN)/.installed

# What running needs, and the demo's photographs: no test tools; pip shows its progress.
$(BIN)/.installed-demo: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -e '.[demo]'
	touch $@

# The last lines it prints, once the server is up, are the address and the demo log-in.
demo: $(BIN)/.installed-demo
	@FILMROLL_DATA_DIR=$(DEMO_DATA_DIR) $(BIN)/filmroll init
	@FILMROLL_DATA_DIR=$(DEMO_DATA_DIR) $(BIN)/filmroll demo --photos $(DEMO_PHOTOS)
	@FILMROLL_DATA_DIR=$(DEMO_DATA_DIR) exec $(BIN)/filmroll serve --bind 127.0.0.1:$(DEMO_PORT) --take-terminal

# The embedded and the cluster-backend runs share no files, databases or ports (the embedded one
# uses no server of `make services`), so they run at once; tests/cluster, which starts whole
# clusters and breaks them, runs alone after. Each run's output is printed whole when it ends.
test: install lint services
	$(MAKE) --no-print-directory -j2 --output-sync=target test-embedded test-postgres
	$(MAKE) --no-print-directory test-cluster

# The whole stack as separate processes on this machine (deploy/), state under $(CLUSTER_DIR).
cluster: install cluster-packages
	FILMROLL_DATA_DIR=$(CLUSTER_DIR) $(BIN)/filmroll cluster up

cluster-down: install
	FILMROLL_DATA_DIR=$(CLUSTER_DIR) $(BIN)/filmroll cluster down

cluster-packages:
	scripts/cluster-packages

services:
	PG2_PORT=$(PG2_PORT) scripts/test-services

lint: install
	$(BIN)/ruff check filmroll tests bench deploy
	$(BIN)/ruff format --check filmroll tests bench deploy
	$(BIN)/mypy filmroll
	$(BIN)/lint-imports

# docs/configuration.md, from the settings' declaration in filmroll/config/__init__.py.
docs: install
	$(BIN)/python -m filmroll.config.docs

# The web app's translations (filmroll/locale): collect every marked string into each language's
# catalog, then compile the catalogs the app reads. Translate the new entries between the two.
messages: install
	command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	cd filmroll && FILMROLL_DATA_DIR=../var/messages DJANGO_SETTINGS_MODULE=filmroll.settings \
		../$(BIN)/django-admin makemessages -l de --no-location --no-obsolete
	cd filmroll && FILMROLL_DATA_DIR=../var/messages DJANGO_SETTINGS_MODULE=filmroll.settings \
		../$(BIN)/django-admin compilemessages

# The everyday loop: the whole suite on the embedded default, no servers to start. Its test files
# are spread over TEST_WORKERS processes (pytest-xdist; a file's tests stay in one process, in
# order), each with a data directory of its own: var/test-embedded-gw0, … (SQLite files, metrics,
# heartbeats); the browser tests' screenshots still go to var/test-embedded/screenshots/.
# TEST_WORKERS=0 (the default, until a run with workers is shown to report every test) runs them
# in one process with var/test-embedded, as before; try TEST_WORKERS=3.
TEST_WORKERS ?= 0
EMBEDDED_WORKERS := $(if $(filter-out 0,$(TEST_WORKERS)),--dist loadfile $(foreach n,$(shell seq 0 $$(($(TEST_WORKERS) - 1))),--tx popen//id=gw$(n)//env:FILMROLL_DATA_DIR=var/test-embedded-gw$(n)))
test-embedded: install
	scripts/test-packages
	FILMROLL_DATA_DIR=var/test-embedded SCREENSHOTS_DIR=var/test-embedded/screenshots \
		$(BIN)/pytest --ignore=tests/cluster $(EMBEDDED_WORKERS) $(PYTEST_ARGS)

# Write the filters' and editing tools' golden images anew (tests/media/golden/), after a change
# of look that is meant; review the PNGs before committing them.
golden: install
	UPDATE_GOLDEN=1 FILMROLL_DATA_DIR=var/test-embedded $(BIN)/pytest -q tests/media/test_filters.py tests/media/test_edits.py -k golden

# `make demo` in a fresh clone (tests/test_make_demo.py) uses no setting: test-embedded runs it.
test-postgres: install services
	$(PG_TEST_ENV) $(BIN)/pytest --ignore=tests/cluster --ignore=tests/test_make_demo.py $(PYTEST_ARGS)

# Tests that start whole clusters of their own (tests/cluster), once.
test-cluster: install services cluster-packages
	FILMROLL_DATA_DIR=var/test-cluster-suite $(BIN)/pytest tests/cluster $(PYTEST_ARGS)

# Every benchmark, then the summary chart of their ratios against the goals (bench/results/).
bench: bench-ids bench-photos bench-photo-tools bench-feeds bench-geo bench-api bench-overhead bench-objcache bench-cluster bench-fanout bench-following bench-leaving
	$(MAKE) --no-print-directory bench-chart

bench-chart: install-bench
	$(BIN)/python bench/chart.py

# Flame graphs of the feed and media reads under wrk (bench/results/flame-*.svg).
bench-profile: install-bench services
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/profile.py $(BENCH_ARGS)

bench-geo: install services
	$(BIN)/python bench/geo.py

bench-api: install services
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/api.py

bench-cluster: install cluster-packages
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/cluster.py

bench-overhead: install services
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/overhead.py

# The web home page beside the API read behind it, on the CPU clock in one process (--profile)
bench-webhome: install services
	$(BIN)/python -m bench.webhome $(BENCH_ARGS)

# CPU per request of the feed, media and bare reads in one process (--profile feed|media|bare)
bench-cpu: install services
	$(BIN)/python -m bench.cpu $(BENCH_ARGS)

bench-objcache: install services
	$(BIN)/python bench/objcache.py

bench-feeds: install services
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/feeds.py

# the Following tab's read beside the home feed's, cluster backends (bench/following.py)
bench-following: install services
	$(BIN)/python bench/following.py

# the embedded default (SQLite): needs no servers
bench-fanout: install
	$(BIN)/python bench/fanout.py

# deleting an account of 10,000 photos and 100,000 followers, on the embedded default
bench-leaving: install
	$(BIN)/python bench/leaving.py $(BENCH_ARGS)

install-bench: install
	$(BIN)/pip install -q -e '.[test,bench]'

bench-photos: install-bench
	$(BIN)/python bench/photos.py

# The editing tools' cost: photos/s with tilt-shift and a border beside without (same run).
bench-photo-tools: install-bench
	$(BIN)/python bench/photos.py --tools

bench-ids: install
	PG2_PORT=$(PG2_PORT) scripts/test-services
	$(BIN)/python bench/ids.py

clean:
	rm -rf var/test-embedded var/test-embedded-gw* var/test-postgres var/test-cluster var/test-cluster-suite

# Personas through the real API with faults on a schedule, then a drain and an audit of every
# store, printed as one table (bench/soak/). SOAK_ARGS: --mode cluster, --duration, --rate,
# --faults (see `$(BIN)/python -m bench.soak --help`). Needs root: the photo folder is a tmpfs
# it fills, and database files are made immutable.
SOAK_ARGS ?=
soak: install
	$(BIN)/python -m bench.soak $(SOAK_ARGS)
