# darknet-fxq: fixed-point quantization plugin for Darknet.
#
#   make          fetch + patch Debian's darknet source, build ./darknet (with `fxq`)
#   make demo     install missing Debian packages, build, convert data, run the main job
#   make test     build what the tests need and run them (ends with "N passed, N failed, N skipped")
#   make bench    side-by-side speed ratios (fixed point vs Darknet float)
#   make data     Fashion-MNIST IDX -> data/fmnist/ (classifier) and data/fmnist-det/ (detection)
#   make clean    remove build output only (keeps data/ and fetched sources)
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

.PHONY: all deps demo test bench data clean distclean tools FORCE compare compare-deps

all: $(EXE) tools data/labels

# `darknet detector test` draws class names with Darknet's font, read from
# data/labels/ in the working directory: link the fetched source's.
data/labels: $(DN_SRC)/.fetched
	mkdir -p data && ln -sfn "$$(cd $(DN_SRC)/data/labels && pwd)" $@

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

test: $(EXE) tools data
	./tests/run.sh

bench: all data
	./scripts/bench.sh

# OpenCV DNN float/int8 next to darknet-fxq on both reference models (docs/quantize.md)
compare-deps:
	./scripts/install-deps.sh python3-opencv python3-numpy

compare: all data compare-deps
	./scripts/compare.sh

clean:
	rm -rf $(BUILD)/obj $(BUILD)/obj-san $(BUILD)/fmnist-convert $(BUILD)/tests $(BUILD)/bin $(BUILD)/bin-san darknet darknet-san

distclean: clean
	rm -rf $(BUILD) data/fmnist

# docs/quantize.md's option, preset and pass tables, from the code's one option table
.PHONY: docs
docs: $(EXE)
	./scripts/docs-options.sh
