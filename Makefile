# gradtop - build, test and run.
#
#   make          build build/gradtop (installs missing Debian packages first)
#   make run      build and open the dashboard on datasets/iris.csv
#   make test     build and run the whole suite (unit tests and end-to-end)
#   make asan     the same suite built with AddressSanitizer + UBSan
#   make tsan     the trainer, the dashboard and the sweep under ThreadSanitizer
#   make fuzz     each parser's libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench    the benchmark table of bench/
#   make diagnose-replay  how often each diagnosis rule is wrong, over 800 runs
#   make layers   check that no source folder includes a later layer
#   make install  the program, its manual page, bash completion and the
#                 shipped datasets under $(DESTDIR)$(PREFIX) (default /usr/local)
#   make clean
#
# BUILD=dir puts objects elsewhere (make asan uses build-asan); WERROR=1 turns
# warnings into errors (CI sets it).

BUILD   ?= build
CC      ?= cc
ARCH    ?= -march=x86-64-v3
OPT     ?= -O3
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
           -Wformat=2 -Wundef -Wcast-align -Wvla -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN    += -Werror
endif
PKGS_CFLAGS := $(shell pkg-config --cflags openblas ncursesw zlib libdeflate 2>/dev/null)
PKGS_LIBS   := $(shell pkg-config --libs openblas ncursesw zlib libdeflate 2>/dev/null)
ifeq ($(strip $(PKGS_LIBS)),)
PKGS_CFLAGS := -I/usr/include/x86_64-linux-gnu/openblas-pthread
PKGS_LIBS   := -lopenblas -lncursesw -ltinfo -lz -ldeflate
endif
CPPFLAGS += -Iinclude -D_GNU_SOURCE $(PKGS_CFLAGS) -DGRADTOP_VERSION=\"$(VERSION)\"
CFLAGS   += -std=c11 $(OPT) $(ARCH) -fno-math-errno -g -pthread $(WARN) $(SAN)
LDFLAGS  += -pthread $(SAN)
LDLIBS   += $(PKGS_LIBS) -lcsv -lmvec -lm

VERSION := 0.1.0

# The engine is every layer folder but the two front ends (docs/architecture.md).
ENGINE_DIRS := core data nn io run logdir insight sweep
ENGINE_SRC := $(foreach d,$(ENGINE_DIRS),$(wildcard src/$(d)/*.c))
TUI_SRC    := $(wildcard src/tui/*.c)
CLI_SRC    := $(wildcard src/cli/*.c)
TEST_SRC   := $(wildcard tests/test_*.c)
BENCH_SRC  := $(wildcard bench/*.c)

ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/%.o)
TUI_OBJ    := $(TUI_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
LIB        := $(BUILD)/libgradtop.a
TUILIB     := $(BUILD)/libgradtop-tui.a
PROG       := $(BUILD)/gradtop
MAN        := $(BUILD)/gradtop.1
COMPLETION := $(BUILD)/gradtop.bash
PREFIX     ?= /usr/local
DESTDIR    ?=

# Debian packages: what building and testing need, and what the benchmark adds.
DEPS_PKGS  := gcc make pkg-config libncurses-dev libcsv-dev libopenblas-dev libcmocka-dev valgrind \
              zlib1g-dev libdeflate-dev tmux dataset-fashion-mnist man-db procps
BENCH_PKGS := python3-torch python3-numpy python3-optuna hyperfine

.PHONY: all run test asan tsan bench diagnose-replay clean deps deps-bench format fuzz install layers
all: deps $(PROG) $(MAN) $(COMPLETION)

# Installs whichever packages are missing: nothing when all are present,
# sudo when not root.  Every compile waits for it (an order-only
# prerequisite), so that make -j starts none before the headers are there.
deps:
	@missing=""; for p in $(DEPS_PKGS) $(EXTRA_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

deps-bench:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_PKGS)"

$(BUILD)/%.o: %.c Makefile | deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(ENGINE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(TUILIB): $(TUI_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(PROG): $(CLI_OBJ) $(TUILIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(TUILIB) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(TUILIB) $(LIB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -o $@ $< $(TUILIB) $(LIB) $(LDLIBS) -lcmocka

$(BUILD)/bench/%: bench/%.c $(LIB) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# The manual page and the completion script are made by the program from its
# own command and option tables, so they cannot drift from what it takes.
$(MAN): $(PROG)
	$(PROG) --man > $@.tmp && mv $@.tmp $@

$(COMPLETION): $(PROG)
	$(PROG) --bash-completion > $@.tmp && mv $@.tmp $@

# The datasets go to PREFIX/share/gradtop/datasets, where the program looks
# beside PREFIX/bin.
install: all
	install -D -m 755 $(PROG) $(DESTDIR)$(PREFIX)/bin/gradtop
	install -D -m 644 $(MAN) $(DESTDIR)$(PREFIX)/share/man/man1/gradtop.1
	install -D -m 644 $(COMPLETION) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/gradtop
	install -d $(DESTDIR)$(PREFIX)/share/gradtop/datasets
	install -m 644 datasets/*.csv $(DESTDIR)$(PREFIX)/share/gradtop/datasets/

run: all
	$(PROG) datasets/iris.csv

# Each source folder is a layer and includes only its own or earlier ones
# (docs/architecture.md); make test runs the same check.
layers:
	@sh tests/e2e_layers.sh

# Unit tests run from the project root (they read tests/data and datasets/);
# then the end-to-end scripts drive the real program.
test: all $(TEST_BIN)
	@BUILD=$(BUILD) SANITIZED=$(if $(SAN),1,) sh tests/run.sh $(TEST_BIN)

asan:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory test BUILD=build-asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

# ThreadSanitizer over the trainer and its control interface, driven from
# other threads as the dashboard drives it, the compute team and the passes
# it shares, the sweep's trials parked and released by its executor, then
# over the real dashboard,
# its teaching views and a change of the data in tmux: any report fails.
tsan:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BUILD=build-tsan OPT=-O1 SAN=-fsanitize=thread \
	  build-tsan/gradtop build-tsan/tests/test_trainer build-tsan/tests/test_team \
	  build-tsan/tests/test_model build-tsan/tests/test_optimizer build-tsan/tests/test_sweep_exec \
	  build-tsan/tests/test_run
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_trainer
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_run
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_team
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_model
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_optimizer
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_sweep_exec
	@rm -rf build-tsan/reports && mkdir -p build-tsan/reports
	TSAN_OPTIONS="halt_on_error=1 log_path=$(CURDIR)/build-tsan/reports/tsan" \
	  GRADTOP=build-tsan/gradtop sh tests/e2e_dashboard.sh
	TSAN_OPTIONS="halt_on_error=1 log_path=$(CURDIR)/build-tsan/reports/tsan" \
	  GRADTOP=build-tsan/gradtop sh tests/e2e_views.sh
	TSAN_OPTIONS="halt_on_error=1 log_path=$(CURDIR)/build-tsan/reports/tsan" \
	  GRADTOP=build-tsan/gradtop sh tests/e2e_sweepview.sh
	TSAN_OPTIONS="halt_on_error=1 log_path=$(CURDIR)/build-tsan/reports/tsan" \
	  GRADTOP=build-tsan/gradtop sh tests/e2e_livedata.sh
	@if ls build-tsan/reports/tsan.* >/dev/null 2>&1; then \
	  cat build-tsan/reports/tsan.*; echo "tsan: data races reported"; exit 1; \
	else echo "tsan: no reports"; fi

# libFuzzer targets for every parser of outside data (tests/fuzz/README.md):
# the engine compiled again with clang under ASan + UBSan into build-fuzz/,
# then each target run for FUZZ_SECONDS on a scratch copy of its committed
# seed corpus.  Any crash, leak, hang (-timeout) or excess memory fails.
FUZZ_PKGS    := clang libclang-rt-14-dev
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
FUZZ_CC      := clang
FUZZ_FLAGS   := -std=c11 $(ARCH) -g -O1 -fno-omit-frame-pointer -fno-math-errno -pthread \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined $(WARN)
FUZZ_NAMES   := fuzz_csv fuzz_idx fuzz_config fuzz_model fuzz_tfevents fuzz_space fuzz_trials \
               fuzz_runset
FUZZ_BIN     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)
FUZZ_OBJ     := $(ENGINE_SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o)
.SECONDARY: $(FUZZ_OBJ)

fuzz:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS="$(FUZZ_PKGS)"
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD=$(FUZZ_BUILD) sh tests/fuzz/run.sh $(FUZZ_NAMES)

$(FUZZ_BUILD)/obj/%.o: src/%.c Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_target.h tests/fuzz/fuzz_common.h $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)

bench: deps-bench $(BENCH_BIN) $(PROG)
	@$(BUILD)/bench/bench

diagnose-replay: $(BUILD)/bench/diagnose_replay
	@$(BUILD)/bench/diagnose_replay

format:
	clang-format -i $(ENGINE_SRC) $(TUI_SRC) $(CLI_SRC) $(TEST_SRC) $(BENCH_SRC) include/gradtop/*/*.h src/*/*.h

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
