# sevad — build, test, demo, benchmark and install. `make help` lists the targets.
SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
APT_PACKAGES := libsqlite3-dev libsystemd-dev libpq-dev
# What only the tests need besides: a real browser for the operations page, and PostgreSQL's
# server, which the store's tests start on a temporary cluster of their own.
TEST_APT_PACKAGES := chromium postgresql iproute2
ARGS ?= --config etc/sevad.toml

.PHONY: help deps build release test crashtest demo run bench bench-vs-redis bench-takeover fuzz config install uninstall clean
FUZZ_SECONDS ?= 60

help:
	@echo "make deps     install the system libraries the build needs ($(APT_PACKAGES))"
	@echo "make build    debug build of every target"
	@echo "make test     run the whole test suite (installs $(TEST_APT_PACKAGES): the browser test, the PostgreSQL store)"
	@echo "make demo     release build, then 60 s of a simulated district against a real sevad (DEMO_SECONDS=…)"
	@echo "make run      run sevad in the foreground on ./var (ARGS='$(ARGS)'); Ctrl-C stops it"
	@echo "make bench    index (10k/1M/10M workers), store, server and dispatch benchmarks, each in its"
	@echo "              own process, then sevasim's end-to-end load and the policy comparison; tables on"
	@echo "              stdout, JSON in var/bench/{index,store,server,dispatch,tls,http,e2e}.json"
	@echo "make bench-vs-redis  sevad against Debian's redis-server (installed when missing): LOC vs GEOADD,"
	@echo "              NEAR vs GEOSEARCH, the same workers and pipelining client; var/bench/redis.json"
	@echo "make bench-takeover  an active/standby pair on a PostgreSQL of its own: SIGKILL of the active"
	@echo "              with TAKEOVER_WORKERS (default 1000000) registered, and the time to the standby serving"
	@echo "make crashtest  the dispatch crash test for CRASH_CYCLES SIGKILLs (default 200; make test runs 20)"
	@echo "make fuzz     libFuzzer on the request parser for FUZZ_SECONDS (default 60); fails on a crash"
	@echo "make config   rewrite etc/sevad.toml from the key table (every key, its default and doc)"
	@echo "make install  binaries, config, units, sysusers/tmpfiles and the man page under DESTDIR/PREFIX"

deps:
	@command -v $(SWIFT) >/dev/null || { echo "swift not found: install Swift 6.x (swift.org) and put it on PATH" >&2; exit 1; }
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; fi; \
		$$SUDO apt-get install -y -o DPkg::Lock::Timeout=120 $$missing || \
		{ $$SUDO apt-get update -o DPkg::Lock::Timeout=120 && $$SUDO apt-get install -y -o DPkg::Lock::Timeout=120 $$missing; }; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# One test at a time: Foundation's Process on Linux notices a child's exit through a descriptor
# that any process spawned meanwhile inherits, so tests that start daemons and tools in parallel
# could wait on each other's children. Line-buffered (stdbuf), so a log cut short shows the
# test that was running, not the last full 4 kB block.
test: EXTRA_APT_PACKAGES = $(TEST_APT_PACKAGES)
test: deps
	@set -o pipefail; stdbuf -oL -eL $(SWIFT) test --disable-xctest --no-parallel 2>&1 | tee .build-test.log; status=$$?; \
	summary=$$(grep -E 'Test run with [0-9]+ tests' .build-test.log | tail -1); rm -f .build-test.log; \
	if [ $$status -eq 0 ] && [ -n "$$summary" ]; then \
		n=$$(sed -E 's/.*Test run with ([0-9]+) tests.*/\1/' <<<"$$summary"); echo "$$n passed, 0 failed"; \
	fi; exit $$status

# etc/sevad.toml is generated from the key table; a test fails when it and the table disagree.
config: build
	.build/debug/sevad --print-config > etc/sevad.toml

CRASH_CYCLES ?= 200
crashtest: deps
	SEVAD_CRASH_CYCLES=$(CRASH_CYCLES) $(SWIFT) test --disable-xctest --filter DispatchCrashTests

DEMO_SECONDS ?= 60
DEMO_DISTRICT ?= Hathras
demo: release
	@echo "sevad demo: $(DEMO_SECONDS) s of $(DEMO_DISTRICT) district, Uttar Pradesh, on its real ground (homes and"
	@echo "households around India Post's offices there; 2,000 workers for Hathras, 70% busy) against a real sevad"
	@echo "that sevasim starts on ./var/demo and stops cleanly at the end. DEMO_DISTRICT=… picks another district."
	@echo
	.build/release/sevasim --district "$(DEMO_DISTRICT)" --duration $(DEMO_SECONDS) --state-dir var/demo
	@echo
	@echo "Open the map in a browser; 'sevasim --compare nearest,fair-share' puts the baseline beside the default policy."

run: build
	.build/debug/sevad $(ARGS)

bench: release
	.build/release/sevabench index
	.build/release/sevabench store
	.build/release/sevabench server
	.build/release/sevabench dispatch
	.build/release/sevabench tls
	.build/release/sevasim bench --json-file var/bench/e2e.json
	.build/release/sevasim --compare nearest,nearest-fair,fair-share --state-dir var/bench/sim --quiet

bench-vs-redis: release
	@command -v redis-server >/dev/null || { echo "installing redis-server"; if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; fi; \
		$$SUDO apt-get install -y -o DPkg::Lock::Timeout=120 redis-server || \
		{ $$SUDO apt-get update -o DPkg::Lock::Timeout=120 && $$SUDO apt-get install -y -o DPkg::Lock::Timeout=120 redis-server; }; }
	.build/release/sevabench redis

bench-takeover: release
	bench/takeover.sh $(TAKEOVER_WORKERS)

fuzz: deps
	$(SWIFT) build -c release --scratch-path .build-fuzz --product FuzzParser --sanitize fuzzer \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	mkdir -p var/fuzz/corpus var/fuzz/crashes
	SWIFT_BACKTRACE=enable=no .build-fuzz/release/FuzzParser -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		-artifact_prefix=var/fuzz/crashes/ var/fuzz/corpus Tests/FuzzCorpus/parser

UNITDIR ?= $(PREFIX)/lib/systemd/system
install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 .build/release/sevad .build/release/sevactl .build/release/sevasim $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)/etc/sevad
	[ -e $(DESTDIR)/etc/sevad/sevad.toml ] || install -m 0644 etc/sevad.toml $(DESTDIR)/etc/sevad/sevad.toml
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/bin/sevad|$(PREFIX)/bin/sevad|' systemd/sevad.service > $(DESTDIR)$(UNITDIR)/sevad.service
	install -m 0644 systemd/sevad.socket systemd/sevad-admin.socket systemd/sevad-metrics.socket systemd/sevad-http.socket $(DESTDIR)$(UNITDIR)/
	install -D -m 0644 systemd/sevad.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/sevad.conf
	install -D -m 0644 systemd/sevad.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/sevad.conf
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	.build/release/sevad --man > $(DESTDIR)$(PREFIX)/share/man/man8/sevad.8
	@echo "installed under $(DESTDIR)$(PREFIX); then: systemd-sysusers && systemctl daemon-reload && systemctl enable --now sevad.socket sevad-admin.socket"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sevad $(DESTDIR)$(PREFIX)/bin/sevactl $(DESTDIR)$(PREFIX)/bin/sevasim
	rm -f $(DESTDIR)$(UNITDIR)/sevad.service $(DESTDIR)$(UNITDIR)/sevad.socket $(DESTDIR)$(UNITDIR)/sevad-admin.socket \
		$(DESTDIR)$(UNITDIR)/sevad-metrics.socket $(DESTDIR)$(UNITDIR)/sevad-http.socket
	rm -f $(DESTDIR)$(PREFIX)/lib/sysusers.d/sevad.conf $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/sevad.conf
	rm -f $(DESTDIR)$(PREFIX)/share/man/man8/sevad.8

clean:
	rm -rf .build .build-fuzz var/bench var/fuzz
