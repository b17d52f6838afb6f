/* fastpath3.c - the tokenizer with its speed shortcuts (XMPP_FAST) but without SIMD
   (XMPP_NO_SIMD: the word-at-a-time loops that machines without SSE2 run) for
   test_fastpath.c; as fastpath2.c otherwise. */
#undef XMPP_FAST
#define XMPP_FAST 1
#define XMPP_NO_SIMD
#define XMPP__TAG_FAST_MIN 2
#define FP_RUN fastpath_run_words
#include "fastpath.h"
