# The two quick-start commands: `make run` and `make test`. Both run the one
# idempotent setup script first, so a fresh machine needs nothing else.
.PHONY: setup build run test chaos bench fuzz clean

JOBS ?= $(shell nproc)
RELEASE := build/release
TESTBUILD := build/test
TSANBUILD := build/tsan

setup:
	@bash scripts/setup.sh

$(RELEASE)/build.ninja:
	cmake -S . -B $(RELEASE) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPAYDOMAIN_TESTS=OFF

build: setup $(RELEASE)/build.ninja
	ninja -C $(RELEASE) -j $(JOBS)

run: build
	@bash scripts/run.sh $(RELEASE)

$(TESTBUILD)/build.ninja:
	cmake -S . -B $(TESTBUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAYDOMAIN_SANITIZE=ON -DPAYDOMAIN_BENCH=OFF

$(TSANBUILD)/build.ninja:
	cmake -S . -B $(TSANBUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAYDOMAIN_TSAN=ON -DPAYDOMAIN_BENCH=OFF

# The ThreadSanitizer pass builds only the server binary and the in-process
# server and store tests (the concurrent parts), not the world a second time,
# and the follower's tests (its thread against callers, the example core).
TSAN_TARGETS := paydomain server_unit_tests store_tests store_backend_tests follower_tests

test: setup $(TESTBUILD)/build.ninja $(TSANBUILD)/build.ninja
	ninja -C $(TESTBUILD) -j $(JOBS)
	@bash scripts/test.sh $(TESTBUILD)
	ninja -C $(TSANBUILD) -j $(JOBS) $(TSAN_TARGETS)
	@bash scripts/test_tsan.sh $(TSANBUILD) $(TESTBUILD)

# The long form of the replica chaos test (30 s, a 5 s PostgreSQL outage);
# `make test` runs it for 8 s.
chaos: setup $(TESTBUILD)/build.ninja
	ninja -C $(TESTBUILD) -j $(JOBS) paydomain postgres_serve_tests
	@bash scripts/chaos.sh $(TESTBUILD)

bench: build
	@bash scripts/bench.sh $(RELEASE)

fuzz: setup
	@bash tests/fuzz/run.sh

clean:
	rm -rf build
