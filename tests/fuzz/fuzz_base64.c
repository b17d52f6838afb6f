/* fuzz_base64.c - libFuzzer target for strict base64 (>>sasl xmpp_b64_*).
       clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_base64.c -o build/fuzz_base64
       tests/fuzz/run.sh build/fuzz_base64 60 tests/fuzz/corpus-base64 tests/fuzz/base64.dict
   Checked on every input (as base64 text, and as bytes to encode):
     - decode never reads or writes outside its buffers (exact-size heap copies, ASan);
     - accepted text is canonical: encoding the result gives the input back, and the
       reported length is exact; rejected text reports an offset inside the input and
       writes nothing;
     - too small an output buffer: XMPP_ERR_NOSPACE with the exact size, nothing written;
     - encode then decode gives the bytes back, at the documented sizes.
   Any failure abort()s. */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#define FAIL(what) do { fprintf(stderr, "fuzz_base64: %s (line %d)\n", what, __LINE__); abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = (char *)malloc(size ? size : 1), *enc;
    unsigned char *out, *back;
    size_t n, m, k, need = XMPP_B64_DECODED_MAX(size);
    xmpp_err e;
    memcpy(in, data, size);

    /* decode the input as text */
    out = (unsigned char *)malloc(need ? need : 1);
    memset(out, 0xA5, need ? need : 1);
    e = xmpp_b64_decode(in, size, out, need, &n);
    if (e == XMPP_OK) {
        if (n > need || size % 4) FAIL("accepted length");
        enc = (char *)malloc(size ? size : 1);
        if (xmpp_b64_encode(out, n, enc, size, &m) != XMPP_OK || m != size || memcmp(enc, in, size) != 0)
            FAIL("accepted text is not canonical");
        free(enc);
        if (n > 0) {   /* one byte too small: SPACE, exact size, nothing written */
            unsigned char *small = (unsigned char *)malloc(n - 1 ? n - 1 : 1);
            memset(small, 0x5A, n - 1 ? n - 1 : 1);
            if (xmpp_b64_decode(in, size, small, n - 1, &k) != XMPP_ERR_NOSPACE || k != n) FAIL("space");
            for (k = 0; k + 1 < n; k++) if (small[k] != 0x5A) FAIL("wrote on XMPP_ERR_NOSPACE");
            free(small);
        }
    } else if (e == XMPP_ERR_BASE64) {
        if (n >= size && !(size % 4 && n == size - size % 4)) FAIL("offset outside the input");
        for (k = 0; k < need; k++) if (out[k] != 0xA5) FAIL("wrote on XMPP_ERR_BASE64");
    } else {
        FAIL("unexpected result");
    }
    free(out);

    /* encode the input as bytes, decode it back */
    m = XMPP_B64_ENCODED_SIZE(size);
    enc = (char *)malloc(m ? m : 1);
    if (xmpp_b64_encode(data, size, enc, m, &k) != XMPP_OK || k != m) FAIL("encode");
    back = (unsigned char *)malloc(size ? size : 1);
    if (xmpp_b64_decode(enc, m, back, size, &n) != XMPP_OK || n != size || memcmp(back, data, size) != 0)
        FAIL("round trip");
    if (m && xmpp_b64_encode(data, size, enc, m - 1, &k) != XMPP_ERR_NOSPACE) FAIL("encode space");
    free(back);
    free(enc);
    free(in);
    return 0;
}
