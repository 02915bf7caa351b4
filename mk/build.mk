# Compiles the patched Darknet tree and darknet_fxq/ into one binary.
# Called by the top-level Makefile once $(DN) exists, so wildcards see it.

DN      := $(BUILD)/darknet
# The machine the compiler builds for (x86_64-linux-gnu, aarch64-linux-gnu):
# which SIMD kernel files get their ISA flags below.
FXQ_TARGET := $(shell $(CC) -dumpmachine)
ifeq ($(XARCH),aarch64)
# `make ARCH=aarch64`: the cross build, objects and binary apart from the
# host's (docs/arm.md)
OBJDIR  := $(BUILD)/aarch64/obj
SANFLAGS:=
OPT_DN  := -Ofast
# -O2: Debian's aarch64 GCC 12 stops with an internal compiler error
# (vect_transform_reduction) on two plugin files at -O3; the kernels are
# intrinsics, which -O2 schedules the same
OPT_FXQ := -O2
else ifeq ($(SAN),1)
OBJDIR  := $(BUILD)/obj-san
SANFLAGS:= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT_DN  := -O1 -g
OPT_FXQ := -O1 -g
else
OBJDIR  := $(BUILD)/obj
SANFLAGS:=
# Upstream's own optimisation for its float code; ours avoids -ffast-math so
# float emulation of fixed point rounds exactly as written.
OPT_DN  := -Ofast
OPT_FXQ := -O3
endif

CC      ?= gcc
STB_INC := /usr/include/stb
# The plugin's tiers (docs/architecture.md); headers are included by name.
FXQ_DIRS := quant kernels kernels/x86 kernels/arm layer calib pass cmd
FXQ_INC  := $(addprefix -Idarknet_fxq/,$(FXQ_DIRS))
# AArch64 always has fused multiply-add and GCC contracts a*b+c into it by
# default: off, so float code rounds as on x86-64 (no FMA there without
# -mfma) and both builds give the same float results.
FP_FLAGS := $(if $(filter aarch64%,$(FXQ_TARGET)),-ffp-contract=off)
COMMON  := $(FXQ_INC) -I$(DN)/include -I$(DN)/src -I$(STB_INC) -fopenmp -MMD -MP $(SANFLAGS) $(FP_FLAGS)
DN_CFLAGS := $(COMMON) $(OPT_DN) -Wall -Wno-unused-result -Wno-unknown-pragmas -Wfatal-errors -fPIC
# Darknet's headers are not -Wextra clean: include them as system headers here.
FXQ_CFLAGS:= -isystem $(DN)/include -isystem $(DN)/src $(COMMON) $(OPT_FXQ) -std=c11 -D_GNU_SOURCE -Wall -Wextra -fPIC
LDLIBS  := -lm -pthread -fopenmp $(SANFLAGS)

# image.c holds Debian's stb_image_write implementation, whose JPEG writer
# shifts a signed int left past its range (stb_image_write.h:1263, `detector
# test -out`): third-party code, so that one check is off for that object.
ifeq ($(SAN),1)
$(OBJDIR)/dn/image.o: DN_CFLAGS += -fno-sanitize=shift
endif

# Upstream's object lists (its Makefile), minus the OpenCV C++ shim.
DN_LIB := gemm utils cuda deconvolutional_layer convolutional_layer list image activations im2col \
  col2im blas crop_layer dropout_layer maxpool_layer softmax_layer data matrix network \
  connected_layer cost_layer parser option_list detection_layer route_layer upsample_layer box \
  normalization_layer avgpool_layer layer local_layer shortcut_layer logistic_layer \
  activation_layer rnn_layer gru_layer crnn_layer demo batchnorm_layer region_layer reorg_layer \
  tree lstm_layer l2norm_layer yolo_layer iseg_layer
DN_EXE := captcha lsd super art tag cifar go rnn segmenter regressor classifier coco yolo \
  detector nightmare instance-segmenter darknet

# each architecture's SIMD kernel directory only in its own builds
FXQ_SRC := $(sort $(foreach d,$(FXQ_DIRS),$(wildcard darknet_fxq/$(d)/*.c)))
FXQ_SRC := $(filter-out $(if $(filter aarch64%,$(FXQ_TARGET)),darknet_fxq/kernels/x86/%,darknet_fxq/kernels/arm/%),$(FXQ_SRC))
DN_OBJ  := $(addprefix $(OBJDIR)/dn/,$(addsuffix .o,$(DN_LIB)))
EX_OBJ  := $(addprefix $(OBJDIR)/ex/,$(addsuffix .o,$(DN_EXE)))
FXQ_OBJ := $(patsubst darknet_fxq/%.c,$(OBJDIR)/fxq/%.o,$(FXQ_SRC))

darknet darknet-san $(BUILD)/aarch64/darknet: $(EX_OBJ) $(DN_OBJ) $(FXQ_OBJ)
	$(CC) -o $@.tmp $^ $(LDLIBS) && mv $@.tmp $@

$(OBJDIR)/dn/%.o: $(DN)/src/%.c
	@mkdir -p $(@D)
	$(CC) $(DN_CFLAGS) -c $< -o $@

$(OBJDIR)/ex/%.o: $(DN)/examples/%.c
	@mkdir -p $(@D)
	$(CC) $(DN_CFLAGS) -c $< -o $@

$(OBJDIR)/fxq/%.o: darknet_fxq/%.c
	@mkdir -p $(@D)
	$(CC) $(FXQ_CFLAGS) -c $< -o $@

-include $(DN_OBJ:.o=.d) $(EX_OBJ:.o=.d) $(FXQ_OBJ:.o=.d)

# Darknet's headers are -isystem for our files (its own code is not -Wextra
# clean), and -MMD leaves system headers out of the .d files: so a patch that
# changes darknet.h (a field in struct layer) must rebuild every plugin object
# through the patched tree's stamp, or stale objects disagree on the layout.
$(FXQ_OBJ): $(DN)/.patched

# SIMD kernels: each ISA's file is compiled for that ISA only and called only
# after runtime CPU detection (fxq_cpu.c), so the binary runs on any x86-64.
ifneq ($(filter x86_64%,$(FXQ_TARGET)),)
$(OBJDIR)/fxq/%__sse2.o: darknet_fxq/%__sse2.c
	@mkdir -p $(@D)
	$(CC) $(FXQ_CFLAGS) -msse2 -c $< -o $@
$(OBJDIR)/fxq/%__avx2.o: darknet_fxq/%__avx2.c
	@mkdir -p $(@D)
	$(CC) $(FXQ_CFLAGS) -mavx2 -mfma -c $< -o $@
$(OBJDIR)/fxq/%__avx512vnni.o: darknet_fxq/%__avx512vnni.c
	@mkdir -p $(@D)
	$(CC) $(FXQ_CFLAGS) -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni -mavx2 -mfma -c $< -o $@
endif
# AArch64: Armv8.0 NEON is the baseline (__neon files, default flags); the
# dotprod and i8mm files get their extension and run only after the
# HWCAP check (fxq_cpu.c).
ifneq ($(filter aarch64%,$(FXQ_TARGET)),)
$(OBJDIR)/fxq/%__neondot.o: darknet_fxq/%__neondot.c
	@mkdir -p $(@D)
	$(CC) $(FXQ_CFLAGS) -march=armv8.2-a+dotprod -c $< -o $@
$(OBJDIR)/fxq/%__neoni8mm.o: darknet_fxq/%__neoni8mm.c
	@mkdir -p $(@D)
	$(CC) $(FXQ_CFLAGS) -march=armv8.2-a+dotprod+i8mm -c $< -o $@
endif

# Unit tests: tests/unit/<name>.c -> $(BUILD)/tests/<name>, linked with
# everything but Darknet's main().
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
TESTDIR  := $(if $(filter aarch64,$(XARCH)),$(BUILD)/aarch64/tests,$(BUILD)/tests$(if $(filter 1,$(SAN)),-san))
UNIT_BIN := $(patsubst tests/unit/%.c,$(TESTDIR)/%,$(UNIT_SRC))
LIB_OBJ  := $(filter-out $(OBJDIR)/ex/darknet.o,$(EX_OBJ)) $(DN_OBJ) $(FXQ_OBJ)

unit-tests: $(UNIT_BIN)

# -Werror: a test that compiles with a warning may not test what it says
# (a shadowed local once made a check tally into an int through a wrong
# pointer type, a warning only, and the check passed whatever happened)
$(TESTDIR)/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(FXQ_CFLAGS) -Werror -Itests/unit -o $@ $< $(LIB_OBJ) $(LDLIBS)

# weights_tools/fxq_<name>.c -> $(BUILD)/bin/fxq-<name> (.fxw pack, unpack,
# inspect; docs/fxw.md), linked like the unit tests.
TOOL_DIR := $(BUILD)/bin$(if $(filter 1,$(SAN)),-san)
TOOL_BIN := $(patsubst weights_tools/fxq_%.c,$(TOOL_DIR)/fxq-%,$(sort $(wildcard weights_tools/fxq_*.c)))

weights-tools: $(TOOL_BIN)

$(TOOL_DIR)/fxq-%: weights_tools/fxq_%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(FXQ_CFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

-include $(TOOL_BIN:=.d)
