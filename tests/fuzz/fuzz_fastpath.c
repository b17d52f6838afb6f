/* fuzz_fastpath.c - libFuzzer target: the tokenizer's speed shortcuts (XMPP_FAST) change
   nothing. Three private copies of the tokenizer (tests/fastpath.h): this file's, built
   without XMPP_FAST (the states alone), tests/fastpath2.c's with it (SIMD where the machine
   has it) and tests/fastpath3.c's with it and XMPP_NO_SIMD. Every input is run by the
   first whole and by the other two cut as its header says; tokens, offsets and errors must
   be identical, or the target prints both and abort()s. test_fastpath does the same on
   generated documents; here the fuzzer's coverage steers the documents.
       clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
             -I. tests/fuzz/fuzz_fastpath.c tests/fastpath2.c tests/fastpath3.c \
             -o build/fuzz_fastpath
       tests/fuzz/run.sh build/fuzz_fastpath 60

   Input: a 4-byte header, then the document.
       h[0] bits 0-1  limits: 0 defaults, 1-3 small ones from h[1] and h[2] (3: max_stanza
                      too, from h[3])
            bits 2-3  chunking: 0 whole, 1 one byte at a time, 2 random 1..16 bytes,
                      3 random 1..(1 + h[3]) bytes (seeded by h[3] and the length)
            bit 4     a buffer h[3] * 16 bytes smaller than xmpp_xml_buffer_size() */
#undef XMPP_FAST
#define XMPP_FAST 0
#define FP_RUN fastpath_run_small
#include "../fastpath.h"
#include <stdint.h>

typedef size_t fp_run(const unsigned char *doc, size_t len, const size_t *cuts, size_t ncuts,
                      const xmpp_xml_limits *lim, size_t shrink, char *out, size_t size);
fp_run fastpath_run_fast;    /* tests/fastpath2.c */
fp_run fastpath_run_words;   /* tests/fastpath3.c */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void dump(const char *what, const unsigned char *doc, size_t len, const char *want, const char *got)
{
    size_t i;
    fprintf(stderr, "%s differs from the states alone; document (%lu bytes): ", what, (unsigned long)len);
    for (i = 0; i < len; i++)
        if (doc[i] >= 0x20 && doc[i] < 0x7F && doc[i] != '\\') fputc(doc[i], stderr);
        else fprintf(stderr, "\\x%02x", doc[i]);
    fprintf(stderr, "\nwithout XMPP_FAST:\n%swith:\n%s", want, got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char want[1 << 20], got[1 << 20];
    static size_t cuts[(1 << 16) + 1];
    static fp_run *const runs[] = { fastpath_run_fast, fastpath_run_words };
    static const char *const names[] = { "XMPP_FAST", "XMPP_FAST with XMPP_NO_SIMD" };
    xmpp_xml_limits lim;
    const unsigned char *doc = data + 4;
    size_t len, ncuts = 0, shrink = 0, i;
    uint32_t rs;
    if (size < 4 || size - 4 > 1 << 16) return 0;
    len = size - 4;
    memset(&lim, 0, sizeof lim);
    if (data[0] & 3) {
        lim.max_depth = 1u + data[1] % 8u;
        lim.max_attrs = 1u + data[1] / 8u % 8u;
        lim.max_name = 1u + data[2] % 32u;
        lim.max_token = 16u + data[2] / 32u * 24u;
        if ((data[0] & 3) == 3) lim.max_stanza = 1u + data[3] * 4u;
    }
    if (data[0] & 16) shrink = (size_t)data[3] * 16;
    rs = 2463534242u ^ (uint32_t)data[3] << 8 ^ (uint32_t)len;
    switch (data[0] >> 2 & 3) {
    case 1:
        for (i = 1; i <= len; i++) cuts[ncuts++] = i;
        break;
    case 2:
    case 3:
        for (i = 0; i < len; cuts[ncuts++] = i) {
            rs ^= rs << 13;
            rs ^= rs >> 17;
            rs ^= rs << 5;
            i += 1 + rs % ((data[0] >> 2 & 3) == 2 ? 16u : 1u + data[3]);
        }
        break;
    default:
        break;
    }
    fastpath_run_small(doc, len, NULL, 0, &lim, shrink, want, sizeof want);
    for (i = 0; i < 2; i++) {
        runs[i](doc, len, cuts, ncuts, &lim, shrink, got, sizeof got);
        if (strcmp(want, got) != 0) {
            dump(names[i], doc, len, want, got);
            abort();
        }
    }
    return 0;
}
