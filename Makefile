# xmpp.h - build and test. `make test` is what CI runs (see README.md).
#
#   make test         every test: gcc, clang, ASan+UBSan, C++ header check, golden files
#                     (also through examples/tokens), differential test against expat,
#                     interop with Prosody and ejabberd (plain streams, and STARTTLS/direct
#                     TLS with the BearSSL backend), the unit tests on the emulated Cortex-M3
#                     and Cortex-M0 (qemu), short fuzz runs, the test runner's own test, the
#                     string-literal check (tests/size/strings.sh), the unit tests under
#                     valgrind's memcheck, the speed targets that are met (instructions
#                     per byte under callgrind) and the size targets that are met (code
#                     and state sizes); ends with one line "N passed, N failed"
#   make check        the unit tests alone (gcc, clang, ASan+UBSan, C++, both boards,
#                     examples/tokens, README's C examples compiled, the runner's test,
#                     no string literal in a section shared by the file, the gcc builds
#                     under valgrind's memcheck, the size targets that are met): no
#                     XMPP servers, no fuzzing, a few minutes; `make test`
#                     is still what counts
#   make test-m3      only the unit tests on the emulated Cortex-M3 (mps2-an385)
#   make test-m0      only the unit tests on the emulated Cortex-M0 with 16 KiB RAM (microbit)
#   make demo         the echo bot and examples/say over TLS with a local Prosody (starts
#                     and stops Prosody)
#   make bench        tokenizer throughput vs expat and libxml2 (MB/s and ratios); bytes to
#                     stanza trees vs libstrophe (stanzas/s, ratios, heap and arena bytes);
#                     SHA-1, SHA-256, PBKDF2 vs BearSSL and OpenSSL (MB/s and ratios);
#                     logins and an echo bot vs libstrophe through Prosody (CPU ratios)
#   make bench-instr  instructions per byte of both under callgrind (stable on a noisy machine)
#   make size         code and RAM, cross-compiled for Cortex-M0+/M3 and RISC-V (the
#                     tokenizer, the stanza layer, JIDs, crypto/SASL; the TLS hook and the
#                     BearSSL backend's state size); the tokenizer's peak stack measured on
#                     the emulated boards; the whole client with BearSSL for Cortex-M4 (BearSSL
#                     built from Debian's source package); the crypto + SASL client for Cortex-M0+ with and
#                     without SHA-1, hash + HMAC code next to BearSSL's, the RAM of one
#                     SCRAM login on the boards
#   make fuzz         every libFuzzer target (XML, the XMPP_FAST shortcuts against the states,
#                     stanzas, streams plain and over TLS, DNS, JIDs, base64, SCRAM) for
#                     FUZZ_SECONDS each (default 20; 60 with CI=true)

GCC     ?= gcc
CLANG   ?= clang
CXX     ?= g++
B       := build
WARN    := -std=c99 -Wall -Wextra -pedantic -Wconversion -Wshadow -Werror
POSIX   := -D_POSIX_C_SOURCE=200809L
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= $(if $(filter true,$(CI)),60,20)
FUZZ_SHORT ?= $(if $(filter true,$(CI)),30,10)
FUZZ_JID_SECONDS ?= $(if $(filter true,$(CI)),5,10)
FUZZ_SASL_SECONDS ?= $(if $(filter true,$(CI)),20,10)

HDR     := xmpp.h tests/tlsserver.h tests/check.h tests/xmltest.h tests/diffexpat.h tests/corpus.h tests/treecmp.h \
           tests/fastpath.h tests/fastpath2.c tests/fastpath3.c
UNITS   := test_xml test_fastpath test_stanza test_golden test_diff test_build test_jid test_sasl test_stream test_tls test_stream_tls test_dns test_posix
LIBS_test_diff := -lexpat
LIBS_test_tls := -lbearssl
LIBS_test_stream_tls := -lbearssl
LIBS_test_posix := -lbearssl
EXTRA_test_build := tests/static2.c
EXTRA_test_fastpath := tests/fastpath2.c tests/fastpath3.c
ARGS_test_golden := $(sort $(wildcard tests/xml/*.xml))

.PHONY: all test check test-m3 test-m0 demo bench bench-instr size fuzz fuzz-jid clean
all: $(B)/tokens $(B)/echo_bot $(B)/say $(B)/trace

$(B)/gcc $(B)/clang $(B)/asan $(B)/m3 $(B)/m0:
	@mkdir -p $@

$(B)/gcc/%: tests/%.c $(HDR) | $(B)/gcc
	$(GCC) $(WARN) $(POSIX) -O2 -g -o $@ $< $(EXTRA_$*) $(LIBS_$*)
$(B)/clang/%: tests/%.c $(HDR) | $(B)/clang
	$(CLANG) $(WARN) $(POSIX) -O2 -g -DXMPP_FAST=0 -o $@ $< $(EXTRA_$*) $(LIBS_$*)
$(B)/asan/%: tests/%.c $(HDR) | $(B)/asan
	$(CLANG) $(WARN) $(POSIX) -O1 -g $(SAN) -o $@ $< $(EXTRA_$*) $(LIBS_$*)

# test_sasl again with BearSSL's hashes and HMAC behind the same API (XMPP_BEARSSL), and
# without SHA-1 (XMPP_NO_SHA1: the SHA-1 tests are left out)
$(B)/gcc/test_sasl_bearssl: tests/test_sasl.c $(HDR) | $(B)/gcc
	$(GCC) $(WARN) $(POSIX) -O2 -g -DXMPP_BEARSSL -o $@ $< -lbearssl
$(B)/gcc/test_sasl_nosha1: tests/test_sasl.c $(HDR) | $(B)/gcc
	$(GCC) $(WARN) $(POSIX) -O2 -g -DXMPP_NO_SHA1 -o $@ $<

# test_stream without the stream's TLS-hook driving (XMPP_NO_STREAM_TLS): the same tests pass
$(B)/gcc/test_stream_notls: tests/test_stream.c $(HDR) | $(B)/gcc
	$(GCC) $(WARN) $(POSIX) -O2 -g -DXMPP_NO_STREAM_TLS -o $@ $<

# xmpp.h and libstrophe in one program: no name collides
$(B)/gcc/strophe_names: tests/strophe_names.c tests/strophe_names2.c $(HDR) | $(B)/gcc
	$(GCC) $(WARN) $(POSIX) -O2 -o $@ $< tests/strophe_names2.c -lstrophe

$(B)/runner: tests/runner.c | $(B)/gcc
	$(GCC) -std=c99 -Wall -Wextra -O2 -o $@ $<
$(B)/tokens: examples/tokens.c xmpp.h | $(B)/gcc
	$(GCC) $(WARN) -O2 -o $@ $<
$(B)/echo_bot $(B)/say $(B)/trace: $(B)/%: examples/%.c xmpp.h | $(B)/gcc
	$(GCC) $(WARN) -O2 -o $@ $< -lbearssl
$(B)/test_interop: tests/interop/test_interop.c $(HDR) | $(B)/gcc
	$(GCC) $(WARN) $(POSIX) -O2 -g -o $@ $<
$(B)/test_stream_interop: tests/interop/test_stream_interop.c $(HDR) | $(B)/gcc
	$(GCC) $(WARN) $(POSIX) -O2 -g -o $@ $< -lbearssl
$(B)/test_tls_interop: tests/interop/test_tls_interop.c $(HDR) | $(B)/gcc
	$(GCC) $(WARN) $(POSIX) -O2 -g -o $@ $< -lbearssl
$(B)/test_dns_posix: tests/dns/test_dns_posix.c $(HDR) | $(B)/gcc
	$(GCC) $(WARN) -O2 -g -o $@ $<
$(B)/test_sasl_interop: tests/interop/test_sasl_interop.c $(HDR) | $(B)/gcc
	$(GCC) $(WARN) $(POSIX) -O2 -g -o $@ $<
$(B)/fuzz_xml: tests/fuzz/fuzz_xml.c tests/diffexpat.h xmpp.h | $(B)/gcc
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -o $@ $< -lexpat
$(B)/fuzz_fastpath: tests/fuzz/fuzz_fastpath.c tests/fastpath.h tests/fastpath2.c tests/fastpath3.c tests/xmltest.h xmpp.h | $(B)/gcc
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -o $@ $< tests/fastpath2.c tests/fastpath3.c
$(B)/fuzz_stream: tests/fuzz/fuzz_stream.c xmpp.h | $(B)/gcc
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -o $@ $<
$(B)/fuzz_stream_tls: tests/fuzz/fuzz_stream_tls.c tests/tlsserver.h xmpp.h | $(B)/gcc
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -o $@ $< -lbearssl
$(B)/fuzz_stanza: tests/fuzz/fuzz_stanza.c tests/treecmp.h xmpp.h | $(B)/gcc
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -o $@ $<
$(B)/fuzz_jid: tests/fuzz/fuzz_jid.c xmpp.h | $(B)/gcc
	$(CLANG) $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -o $@ $<
$(B)/fuzz_base64 $(B)/fuzz_scram $(B)/fuzz_dns: $(B)/fuzz_%: tests/fuzz/fuzz_%.c xmpp.h | $(B)/gcc
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -o $@ $<
fuzz_sasl_runs = "fuzz-base64=tests/fuzz/run.sh $(B)/fuzz_base64 $(1) tests/fuzz/corpus-base64 tests/fuzz/base64.dict" \
                 "fuzz-scram=tests/fuzz/run.sh $(B)/fuzz_scram $(1) tests/fuzz/corpus-scram tests/fuzz/scram.dict"

# The public part of the header as C++, the implementation freestanding, and an
# XMPP_BUILD_DEPTH out of range refused at compile time.
$(B)/cxx.ok: tests/cxx_public.cpp xmpp.h | $(B)/gcc
	$(CXX) -std=c++11 -Wall -Wextra -pedantic -Werror -c -o $(B)/cxx_public.o $<
	$(CXX) -std=c++11 -Wall -Wextra -pedantic -Werror -DXMPP_BEARSSL -c -o $(B)/cxx_public_bearssl.o $<
	$(GCC) $(WARN) -ffreestanding -c -o $(B)/freestanding.o tests/size/size_xml.c
	$(CLANG) $(WARN) -O2 -ffreestanding -nostdinc -isystem "$$($(CLANG) -print-file-name=include)" \
	    -c -o $(B)/freestanding_nostdinc.o tests/size/size_stream.c
	$(GCC) $(WARN) -fsyntax-only -DXMPP_BUILD_DEPTH=32767 tests/size/size_xml.c
	$(GCC) $(WARN) -fsyntax-only -DXMPP_BUILD_DEPTH=32768 tests/size/size_xml.c 2>&1 | grep -q 'XMPP_BUILD_DEPTH must be'
	@touch $@

# Cortex-M3 under qemu: the tests that need no host files or libraries, newlib with
# semihosting, a smaller corpus for the randomised split test. test_sasl runs whole, with the
# real iteration counts (4096 for SCRAM, 80000 for RFC 7914).
ARM_CC  ?= arm-none-eabi-gcc
M3_UNITS := test_xml test_stanza test_build test_jid test_sasl test_stream test_dns
M3FLAGS := -mcpu=cortex-m3 -mthumb -Os --specs=rdimon.specs -T tests/firmware/mps2-an385.ld -DTEST_CORPUS=100000
$(B)/m3/%.elf: tests/%.c tests/firmware/startup.c tests/firmware/mps2-an385.ld $(HDR) | $(B)/m3
	$(ARM_CC) $(WARN) $(M3FLAGS) -o $@ tests/firmware/startup.c $< $(EXTRA_$*)
$(B)/m3/xmpp.o: tests/size/size_xml.c xmpp.h | $(B)/m3
	$(ARM_CC) $(WARN) -mcpu=cortex-m3 -mthumb -Os -c -o $@ $<
M3_BUILT := $(addprefix $(B)/m3/,$(addsuffix .elf,$(M3_UNITS))) $(B)/m3/xmpp.o
M3_RUNS := $(foreach u,$(M3_UNITS),"m3/$(u)=tests/firmware/run.sh mps2-an385 $(B)/m3/$(u).elf") \
           "m3/no-malloc=tests/firmware/nomalloc.sh $(B)/m3/xmpp.o arm-none-eabi-nm"
test-m3: $(B)/runner $(M3_BUILT)
	@$(B)/runner $(M3_RUNS)

# Cortex-M0 with 16 KiB of RAM (qemu microbit): the same tests, everything static and small
# (newlib-nano; a 3 KiB tokenizer buffer, a 2 KB corpus), so that data, bss, heap and stack
# fit in 16 KiB. test_sasl needs no changes: about 7.7 KB of static RAM and 2.6 KB of stack.
M0FLAGS := -mcpu=cortex-m0 -mthumb -Os --specs=nano.specs --specs=rdimon.specs -T tests/firmware/microbit.ld \
           -DTEST_TBUF=3072 -DTEST_GOT=2048 -DTEST_BRACKETS=200 -DTEST_CORPUS=2000 -DXT_LINE=512 \
           -DXT_SCRATCH=512 -DPAINT=16384 -DTEST_SMALL
$(B)/m0/%.elf: tests/%.c tests/firmware/startup.c tests/firmware/microbit.ld $(HDR) | $(B)/m0
	$(ARM_CC) $(WARN) $(M0FLAGS) -o $@ tests/firmware/startup.c $< $(EXTRA_$*)
M0_UNITS := test_xml test_build test_jid test_sasl test_dns test_stream
M0_BUILT := $(addprefix $(B)/m0/,$(addsuffix .elf,$(M0_UNITS))) $(B)/m0/stack_xml.elf $(B)/m0/stack_sasl.elf \
            $(B)/m0/login.elf
M0_RUNS := $(foreach u,$(M0_UNITS),"m0/$(u)=tests/firmware/run.sh microbit $(B)/m0/$(u).elf") \
           "m0/stack_xml=tests/firmware/run.sh microbit $(B)/m0/stack_xml.elf" \
           "m0/stack_sasl=tests/firmware/run.sh microbit $(B)/m0/stack_sasl.elf" \
           "m0/login=tests/firmware/run.sh microbit $(B)/m0/login.elf"
test-m0: $(B)/runner $(M0_BUILT)
	@$(B)/runner $(M0_RUNS)

# the unit tests run once more under valgrind's memcheck (reads of memory never written)
VALGRIND_UNITS := $(addprefix $(B)/gcc/,test_xml test_stanza test_build test_jid test_sasl test_stream test_tls \
                  test_stream_tls test_dns test_posix)
TESTS_BUILT := $(foreach c,gcc clang asan,$(addprefix $(B)/$(c)/,$(UNITS))) $(B)/gcc/test_sasl_bearssl \
               $(B)/gcc/test_sasl_nosha1 $(B)/gcc/test_stream_notls $(B)/gcc/strophe_names
RUNS := $(foreach c,gcc clang asan,$(foreach u,$(UNITS),"$(c)/$(u)=$(B)/$(c)/$(u) $(ARGS_$(u))")) \
        "bearssl/test_sasl=$(B)/gcc/test_sasl_bearssl" "nosha1/test_sasl=$(B)/gcc/test_sasl_nosha1" \
        "notls/test_stream=$(B)/gcc/test_stream_notls" \
        "strophe_names=$(B)/gcc/strophe_names"

test: $(B)/runner $(TESTS_BUILT) $(B)/cxx.ok $(B)/test_interop $(B)/test_tls_interop $(B)/test_sasl_interop $(B)/test_stream_interop $(B)/test_dns_posix \
      $(B)/tokens $(B)/echo_bot $(B)/say $(B)/trace \
      $(B)/fuzz_xml $(B)/fuzz_fastpath $(B)/fuzz_stanza $(B)/fuzz_stream $(B)/fuzz_stream_tls $(B)/fuzz_dns $(B)/fuzz_jid $(B)/fuzz_base64 $(B)/fuzz_scram $(B)/bench_xml $(B)/bench_stanza \
      $(M3_BUILT) $(M0_BUILT)
	@$(B)/runner $(RUNS) $(M3_RUNS) $(M0_RUNS) "runner=tests/runner.sh $(B)/runner" \
	    "readme=tests/readme/run.sh $(GCC)" "tokens=tests/tokens/run.sh $(B)/tokens" \
	    "strings=tests/size/strings.sh $(GCC)" "valgrind=tests/valgrind.sh $(VALGRIND_UNITS)" \
	    "size-targets=tests/size/targets.sh" \
	    "interop=tests/interop/run.sh $(B)/test_interop" \
	    "interop-tls=tests/interop/run.sh $(B)/test_tls_interop" \
	    "interop-sasl=tests/interop/run.sh $(B)/test_sasl_interop" \
	    "interop-stream=tests/interop/run.sh $(B)/test_stream_interop" \
	    "dns=tests/dns/run.sh $(B)/test_dns_posix" \
	    "targets=tests/bench/targets.sh $(B)/bench_xml $(B)/bench_stanza" \
	    "fuzz=tests/fuzz/run.sh $(B)/fuzz_xml $(FUZZ_SECONDS)" \
	    "fuzz-fastpath=tests/fuzz/run.sh $(B)/fuzz_fastpath $(FUZZ_SHORT) tests/fuzz/corpus-fastpath" \
	    "fuzz-stanza=tests/fuzz/run.sh $(B)/fuzz_stanza $(FUZZ_SHORT)" \
	    "fuzz-stream=tests/fuzz/run.sh $(B)/fuzz_stream $(FUZZ_SHORT)" \
	    "fuzz-stream-tls=tests/fuzz/run.sh $(B)/fuzz_stream_tls $(FUZZ_SHORT) tests/fuzz/corpus-stream-tls" \
	    "fuzz-dns=tests/fuzz/run.sh $(B)/fuzz_dns $(FUZZ_JID_SECONDS) tests/fuzz/corpus-dns" \
	    "fuzz-jid=tests/fuzz/run.sh $(B)/fuzz_jid $(FUZZ_JID_SECONDS) tests/fuzz/corpus_jid tests/fuzz/jid.dict" \
	    $(call fuzz_sasl_runs,$(FUZZ_SASL_SECONDS))

check: $(B)/runner $(TESTS_BUILT) $(B)/cxx.ok $(B)/tokens $(M3_BUILT) $(M0_BUILT)
	@$(B)/runner $(RUNS) $(M3_RUNS) $(M0_RUNS) "runner=tests/runner.sh $(B)/runner" \
	    "readme=tests/readme/run.sh $(GCC)" "tokens=tests/tokens/run.sh $(B)/tokens" \
	    "strings=tests/size/strings.sh $(GCC)" "valgrind=tests/valgrind.sh $(VALGRIND_UNITS)" \
	    "size-targets=tests/size/targets.sh"

demo: $(B)/echo_bot $(B)/say
	tests/interop/demo.sh $(B)/echo_bot $(B)/say

$(B)/bench_xml: tests/bench/bench_xml.c tests/corpus.h xmpp.h | $(B)/gcc
	$(GCC) -O2 -std=c99 $(POSIX) -Wall -Wextra -I/usr/include/libxml2 -o $@ $< -lexpat -lxml2
$(B)/bench_stanza: tests/bench/bench_stanza.c tests/corpus.h xmpp.h | $(B)/gcc
	$(GCC) -O2 -std=c99 $(POSIX) -Wall -Wextra -o $@ $< -lstrophe
$(B)/bench_hostile: tests/bench/bench_hostile.c tests/corpus.h xmpp.h | $(B)/gcc
	$(GCC) -O2 -std=c99 $(POSIX) -Wall -Wextra -o $@ $<
$(B)/bench_crypto: tests/bench/bench_crypto.c xmpp.h | $(B)/gcc
	$(GCC) -O2 -std=c99 $(POSIX) -Wall -Wextra -o $@ $< -lbearssl -lcrypto
$(B)/bench_client: tests/bench/bench_client.c tests/bench/bench_client_strophe.c xmpp.h | $(B)/gcc
	$(GCC) -O2 -std=c99 $(POSIX) -Wall -Wextra -o $@ $< tests/bench/bench_client_strophe.c -lbearssl -lstrophe
bench: $(B)/bench_xml $(B)/bench_stanza $(B)/bench_crypto $(B)/bench_client
	$(B)/bench_xml
	@echo
	$(B)/bench_stanza
	@echo
	$(B)/bench_crypto
	@echo
	tests/bench/bench_client.sh $(B)/bench_client
bench-instr: $(B)/bench_xml $(B)/bench_stanza $(B)/bench_hostile
	tests/bench/bench_instr.sh $(B)/bench_xml
	@echo
	tests/bench/bench_stanza_instr.sh $(B)/bench_stanza
	@echo
	tests/bench/bench_hostile.sh $(B)/bench_hostile

# the tokenizer's peak stack, measured on the emulated boards
$(B)/m0/stack_xml.elf: tests/firmware/stack_xml.c tests/firmware/startup.c xmpp.h tests/corpus.h | $(B)/m0
	$(ARM_CC) $(WARN) -mcpu=cortex-m0 -mthumb -Os --specs=nano.specs --specs=rdimon.specs -T tests/firmware/microbit.ld -o $@ tests/firmware/startup.c $<
$(B)/m3/stack_xml.elf: tests/firmware/stack_xml.c tests/firmware/startup.c xmpp.h tests/corpus.h | $(B)/m3
	$(ARM_CC) $(WARN) -mcpu=cortex-m3 -mthumb -Os --specs=nano.specs --specs=rdimon.specs -T tests/firmware/mps2-an385.ld -o $@ tests/firmware/startup.c $<

# a complete scripted client login in static memory: its RAM and peak stack
$(B)/m0/login.elf: tests/firmware/login.c tests/firmware/startup.c xmpp.h | $(B)/m0
	$(ARM_CC) $(WARN) -mcpu=cortex-m0 -mthumb -Os --specs=nano.specs --specs=rdimon.specs -T tests/firmware/microbit.ld -o $@ tests/firmware/startup.c $<

# the RAM of one SCRAM login, measured the same way
$(B)/m0/stack_sasl.elf: tests/firmware/stack_sasl.c tests/firmware/startup.c xmpp.h | $(B)/m0
	$(ARM_CC) $(WARN) -mcpu=cortex-m0 -mthumb -Os --specs=nano.specs --specs=rdimon.specs -T tests/firmware/microbit.ld -o $@ tests/firmware/startup.c $<
$(B)/m3/stack_sasl.elf: tests/firmware/stack_sasl.c tests/firmware/startup.c xmpp.h | $(B)/m3
	$(ARM_CC) $(WARN) -mcpu=cortex-m3 -mthumb -Os --specs=nano.specs --specs=rdimon.specs -T tests/firmware/mps2-an385.ld -o $@ tests/firmware/startup.c $<

size: $(B)/m0/stack_xml.elf $(B)/m3/stack_xml.elf $(B)/m0/stack_sasl.elf $(B)/m3/stack_sasl.elf $(B)/m0/login.elf
	tests/size/size.sh $(B)/size
	tests/size/size_layer.sh $(B)/size stanza jid '^xmpp_+(tree_|serr_|node_|build|str_|make_id|collect|intern|link|skip|b[a-z]|ns_at|name_ok)' size_stanza xmpp_sizeof_tree xmpp_sizeof_builder
	tests/size/size_layer.sh $(B)/size jid sasl '^xmpp_+jid_' size_jid xmpp_sizeof_jid
	tests/size/size_layer.sh $(B)/size stream tls '^xmpp_' size_stream xmpp_sizeof_stream
	tests/size/size_layer.sh $(B)/size stream tls '^xmpp_' size_stream_notls xmpp_sizeof_stream
	@arm-none-eabi-size $(B)/size/stream-cortex-m0plus-thumb.elf | \
	    awk 'NR == 2 { print "the whole client on the Cortex-M0+: text (code + all rodata) " $$1 " bytes" }'
	tests/size/size_tls.sh $(B)/size
	tests/size/size_tls_m4.sh $(B)/size
	@echo "Cortex-M0 (qemu microbit):"; tests/firmware/run.sh microbit $(B)/m0/stack_xml.elf | grep -v 'passed\|firmware:'
	@echo "Cortex-M3 (qemu mps2-an385):"; tests/firmware/run.sh mps2-an385 $(B)/m3/stack_xml.elf | grep -v 'passed\|firmware:'
	tests/size/size_sasl.sh $(B)/size
	@echo "Cortex-M0 (qemu microbit):"; tests/firmware/run.sh microbit $(B)/m0/stack_sasl.elf | grep -v 'passed\|firmware:'
	@echo "Cortex-M3 (qemu mps2-an385):"; tests/firmware/run.sh mps2-an385 $(B)/m3/stack_sasl.elf | grep -v 'passed\|firmware:'
	@echo "Cortex-M0 (qemu microbit), the client login:"; tests/firmware/run.sh microbit $(B)/m0/login.elf | grep -v 'passed\|firmware:'
	@echo; tests/size/summary.sh $(B)/size $(B)/m0

fuzz: $(B)/runner $(B)/fuzz_xml $(B)/fuzz_fastpath $(B)/fuzz_stanza $(B)/fuzz_stream $(B)/fuzz_stream_tls $(B)/fuzz_dns $(B)/fuzz_jid $(B)/fuzz_base64 $(B)/fuzz_scram
	@$(B)/runner "fuzz=tests/fuzz/run.sh $(B)/fuzz_xml $(FUZZ_SECONDS)" \
	    "fuzz-fastpath=tests/fuzz/run.sh $(B)/fuzz_fastpath $(FUZZ_SECONDS) tests/fuzz/corpus-fastpath" \
	    "fuzz-stanza=tests/fuzz/run.sh $(B)/fuzz_stanza $(FUZZ_SECONDS)" \
	    "fuzz-stream=tests/fuzz/run.sh $(B)/fuzz_stream $(FUZZ_SECONDS)" \
	    "fuzz-stream-tls=tests/fuzz/run.sh $(B)/fuzz_stream_tls $(FUZZ_SECONDS) tests/fuzz/corpus-stream-tls" \
	    "fuzz-dns=tests/fuzz/run.sh $(B)/fuzz_dns $(FUZZ_SECONDS) tests/fuzz/corpus-dns" \
	    "fuzz-jid=tests/fuzz/run.sh $(B)/fuzz_jid $(FUZZ_SECONDS) tests/fuzz/corpus_jid tests/fuzz/jid.dict" \
	    $(call fuzz_sasl_runs,$(FUZZ_SECONDS))
fuzz-jid: $(B)/fuzz_jid
	tests/fuzz/run.sh $(B)/fuzz_jid $(FUZZ_JID_SECONDS) tests/fuzz/corpus_jid tests/fuzz/jid.dict

clean:
	rm -rf $(B)
