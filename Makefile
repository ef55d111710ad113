# The two commands of README.md, and the builds behind them.
#   make run     install what is missing, build grantd, create the demo client and user, serve
#                on 127.0.0.1:8080
#   make api     the example orders API behind nginx on 127.0.0.1:8090, asking make run's grantd
#                (run it in a second terminal; scripts/demo-api)
#   make check   install test dependencies, build, run every suite (unit, store, fuzz replay, integration)
#   make check-asan   the same suites in an ASan+UBSan build (CI runs both)
#   make build-release   compile a Release build (-O3, warnings as errors) without running it:
#                 optimised builds see warnings the others do not (CI runs it)
#   make fuzz    the fuzzing campaign (clang): each libFuzzer target for FUZZ_SECONDS (600: a
#                full run takes targets x 10 minutes / cores), new inputs that add coverage merged into
#                tests/fuzz/corpus/NAME, executions per target at the end (scripts/fuzz).
#                One target: make fuzz FUZZ_TARGETS=token FUZZ_SECONDS=60; FUZZ_JOBS targets
#                run at a time (default: one per core)
#   make bench   bench/run (wrk on loopback against a return-200 ceiling)
#   make install [PREFIX=/usr/local] [DESTDIR=...]   grantd, its man page, the example
#                configuration and profiles (share/grantd/examples), the docs (share/doc/grantd)

JOBS        ?= $(shell nproc)
BUILD       ?= build
ASAN_BUILD  ?= build-asan
RELEASE_BUILD ?= build-release-check
FUZZ_BUILD  ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?=
FUZZ_JOBS   ?= $(JOBS)
PREFIX      ?= /usr/local

.PHONY: all deps build build-grantd build-release run api install check check-asan fuzz bench clean

all: build

deps:
	scripts/deps

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# Its own folder: bench/run keeps build-release/ (configured without -Werror) for itself.
build-release:
	cmake -S . -B $(RELEASE_BUILD) -DCMAKE_BUILD_TYPE=Release -DGRANTD_WERROR=ON >/dev/null
	cmake --build $(RELEASE_BUILD) -j$(JOBS)

# Only the server: the tests, fuzz targets and benchmarks are check's business.
build-grantd:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$(JOBS) --target grantd

run: deps build-grantd
	scripts/demo $(BUILD)/grantd

api:
	scripts/demo-api

install: build-grantd
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

check:
	scripts/deps --test
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$(JOBS)
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

check-asan:
	scripts/deps --test
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DGRANTD_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS)

fuzz:
	scripts/deps --test
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DGRANTD_FUZZ=ON -DGRANTD_SANITIZE=ON -DGRANTD_WERROR=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	FUZZ_JOBS=$(FUZZ_JOBS) scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench:
	scripts/deps --bench
	bench/run

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(RELEASE_BUILD)
