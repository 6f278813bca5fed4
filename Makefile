# The commands a newcomer uses. `make test` and `make demo` install what they need first.
BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CVPIPE = $(BUILD)/apps/cvpipe/cvpipe

.PHONY: all deps configure build test test-asan test-tsan fuzz demo install models bench clean

all: build

deps:
	bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

configure: $(BUILD)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

# OpenMP threads sleep instead of spinning while ctest runs suites side by side.
test: build
	cd $(BUILD) && OMP_WAIT_POLICY=passive ctest --output-on-failure -j $(JOBS) --timeout 600

# ASan + UBSan over the whole suite in its own build folder (slow; not part of `make test`).
ASAN_BUILD ?= build-asan
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCVPIPE_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && OMP_WAIT_POLICY=passive ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS) --timeout 1800 $(CTEST_ARGS)

# ThreadSanitizer over the streaming tests (the threaded executor, its queues, sources and sinks)
# in its own build folder; any report fails the test. Not part of `make test`. The suppressions
# name the uninstrumented OpenMP runtime only.
TSAN_BUILD ?= build-tsan
test-tsan: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCVPIPE_TSAN=ON $(CMAKE_FLAGS)
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target cvpipe_streaming_tests
	cd $(TSAN_BUILD) && OMP_WAIT_POLICY=passive \
	  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/streaming/tsan.supp" \
	  ctest -L streaming --output-on-failure -j $(JOBS) --timeout 1800 $(CTEST_ARGS)

# libFuzzer targets (clang) for the config, --set, recipe, safetensors, JPEG, COCO and ONNX readers, built in
# their own folder and each run FUZZ_SECONDS from corpora seeded with the shipped files.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DCVPIPE_FUZZ=ON $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

demo: build
	bash scripts/demo.sh $(CVPIPE)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# Heavy work, never part of `make test`: train the shipped models, run the benchmarks.
models: build
	bash scripts/train-models.sh $(CVPIPE)

bench: build
	CVPIPE_WITH_TORCH=1 bash scripts/install-deps.sh
	bash scripts/bench.sh $(CVPIPE)

clean:
	rm -rf $(BUILD)
