# libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with clang and
# -fsanitize=fuzzer,address,undefined from the few plugin sources each parser
# needs (none needs Darknet's objects: they only include its headers).
# Called by tests/test_fuzz.sh; BUILD/DN come from the environment.
BUILD   ?= build
DN      := $(BUILD)/darknet
FUZZCC  ?= clang
FUZZDIR := $(BUILD)/fuzz
FUZZFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE \
  -Wall -Wextra -Idarknet_fxq/quant -Idarknet_fxq/layer -Idarknet_fxq/calib -isystem $(DN)/include -isystem $(DN)/src
L := darknet_fxq/layer
Q := darknet_fxq/quant
C := darknet_fxq/calib
CFGCHECK := $(L)/fxq_cfgcheck.c $(L)/fxq_cfggeom.c $(L)/fxq_cfgkeys.c $(L)/fxq_fixed_rule.c

FUZZ_cfg_SRC       := $(CFGCHECK)
FUZZ_fxsection_SRC := $(CFGCHECK) $(Q)/fxq_cfgtext.c $(Q)/fxq_outfile.c
FUZZ_fxw_SRC       := $(Q)/fxq_fxw.c $(Q)/fxq_format.c $(Q)/fxq_outfile.c
FUZZ_stats_SRC     := $(Q)/fxq_stats.c $(Q)/fxq_stats_io.c $(Q)/fxq_outfile.c

FUZZERS := cfg fxsection fxw stats
.PHONY: fuzzers
fuzzers: $(addprefix $(FUZZDIR)/fuzz_,$(FUZZERS))

.SECONDEXPANSION:
$(FUZZDIR)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_$$*_SRC)
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZFLAGS) -o $@ $^ -lm
