# darknet-fxq: fixed-point quantization plugin for Darknet.
#
#   make          fetch + patch Debian's darknet source, build ./darknet (with `fxq`)
#   make demo     install missing Debian packages, build, convert data, run the main job
#   make test     build what the tests need and run them (ends with "N passed, N failed, N skipped")
#   make bench    side-by-side speed ratios (fixed point vs Darknet float)
#   make data     Fashion-MNIST IDX -> data/fmnist/ (classifier) and data/fmnist-det/ (detection)
#   make clean    remove build output only (keeps data/ and fetched sources)
#
#   make ARCH=aarch64  cross-build build/aarch64/darknet for AArch64 Linux (docs/arm.md)
#   make test-arm      the NEON kernel sets and the aarch64 ./darknet under qemu
#
# SAN=1 builds everything with ASan+UBSan (separate object directory).

BUILD    ?= build
DN_SRC   := $(BUILD)/darknet-src
DN       := $(BUILD)/darknet
PATCHES  := $(sort $(wildcard patches/*.patch))
SAN      ?= 0
export BUILD SAN

ifeq ($(SAN),1)
EXE := darknet-san
else
EXE := darknet
endif

.PHONY: all deps demo test bench data clean distclean tools FORCE compare compare-deps aarch64 arm-deps \
        arm-unit-tests test-arm

ifeq ($(ARCH),aarch64)
all: aarch64
else
all: $(EXE) tools data/labels
endif

# `darknet detector test` draws class names with Darknet's font, read from
# data/labels/ in the working directory: link the fetched source's.
data/labels: $(DN_SRC)/.fetched
	mkdir -p data && ln -sfn "$$(cd $(DN_SRC)/data/labels && pwd)" $@

# AArch64 cross build: Debian's gcc-aarch64-linux-gnu and cross libgomp,
# the same patched Darknet tree, everything else under $(BUILD)/aarch64.
ARM_CC   ?= aarch64-linux-gnu-gcc
ARM_PKGS := gcc-aarch64-linux-gnu libgomp1-arm64-cross qemu-user
arm-deps:
	@command -v $(ARM_CC) >/dev/null && command -v qemu-aarch64 >/dev/null || ./scripts/install-deps.sh $(ARM_PKGS)

aarch64: $(DN)/.patched FORCE
	@command -v $(ARM_CC) >/dev/null || ./scripts/install-deps.sh $(ARM_PKGS)
	@$(MAKE) --no-print-directory -f mk/build.mk CC=$(ARM_CC) XARCH=aarch64 $(BUILD)/aarch64/darknet

arm-unit-tests: aarch64
	@$(MAKE) --no-print-directory -f mk/build.mk CC=$(ARM_CC) XARCH=aarch64 unit-tests

test-arm: arm-deps $(EXE) data
	@$(MAKE) --no-print-directory arm-unit-tests
	./tests/arm/run.sh

$(DN_SRC)/.fetched:
	./scripts/fetch-darknet.sh

# Pristine copy -> patched tree. `cp -p` keeps upstream mtimes so only the
# files a patch touches (and their dependents) are recompiled after a change.
$(DN)/.patched: $(DN_SRC)/.fetched $(PATCHES)
	rm -rf $(DN).tmp
	cp -rp $(DN_SRC) $(DN).tmp
	rm -f $(DN).tmp/src/stb_image.h $(DN).tmp/src/stb_image_write.h
	set -e; for p in $(PATCHES); do \
	    echo "applying $$p"; \
	    patch -p1 --batch --forward --no-backup-if-mismatch -r - -d $(DN).tmp < $$p; \
	done
	rm -rf $(DN) && mv $(DN).tmp $(DN)
	touch $@

$(EXE): $(DN)/.patched FORCE
	@$(MAKE) --no-print-directory -f mk/build.mk $(EXE)

# weights_tools/ -> $(BUILD)/bin/fxq-{pack,unpack,inspect} (docs/fxw.md)
tools: $(EXE)
	@$(MAKE) --no-print-directory -f mk/build.mk weights-tools

data: $(BUILD)/fmnist-convert $(BUILD)/fmnist-det-gen
	./scripts/make-data.sh

$(BUILD)/fmnist-convert: scripts/fmnist_convert.c
	@mkdir -p $(BUILD)
	$(CC) -std=c11 -O2 -Wall -Wextra -I/usr/include/stb -o $@ $< -lm

$(BUILD)/fmnist-det-gen: scripts/fmnist_det_gen.c
	@mkdir -p $(BUILD)
	$(CC) -std=c11 -O2 -Wall -Wextra -I/usr/include/stb -o $@ $< -lm

deps:
	./scripts/install-deps.sh

demo: deps
	$(MAKE) all
	$(MAKE) data
	./scripts/demo.sh

# the tests' packages (python3-numpy, clang's runtimes ...) are installed by the
# project itself, so a clean machine's `make test` checks what a user's would
test: $(EXE) tools data
	./scripts/install-deps.sh
	./tests/run.sh

bench: all data
	./scripts/bench.sh

# OpenCV DNN float/int8 next to darknet-fxq on both reference models (docs/quantize.md)
compare-deps:
	./scripts/install-deps.sh python3-opencv python3-numpy

compare: all data compare-deps
	./scripts/compare.sh

clean:
	rm -rf $(BUILD)/obj $(BUILD)/obj-san $(BUILD)/fmnist-convert $(BUILD)/tests $(BUILD)/bin $(BUILD)/bin-san darknet darknet-san \
	    $(BUILD)/aarch64

distclean: clean
	rm -rf $(BUILD) data/fmnist

# docs/quantize.md's option, preset and pass tables, from the code's one option table
.PHONY: docs
docs: $(EXE)
	./scripts/docs-options.sh
