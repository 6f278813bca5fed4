# The commands a newcomer uses. `make test` and `make demo` install what they need first.
BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CVPIPE = $(BUILD)/apps/cvpipe/cvpipe

.PHONY: all deps configure build test demo install models bench clean

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
