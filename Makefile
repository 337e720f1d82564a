# Front door: `make demo` and `make check` work from a fresh clone (they
# install missing Debian packages, configure and build into build/).
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps build demo check check-sanitizers fuzz bench-compile clean

all: build

deps:
	@utils/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@utils/demo.sh $(BUILD)

check: build
	@utils/check.sh $(BUILD)

# The tests under ASan/UBSan (build-asan/) and TSan (build-tsan/); make check
# runs them too.
check-sanitizers: deps
	@utils/check-sanitizers.sh $(BUILD)

# The libFuzzer targets of test/fuzz, 5 minutes each (build-fuzz/, clang-19).
fuzz: deps
	@utils/fuzz.sh 300 $(BUILD)-fuzz

clean:
	rm -rf $(BUILD)
