/* fastpath2.c - the tokenizer with its speed shortcuts (XMPP_FAST) for test_fastpath.c,
   whatever the command line says; a start tag is read in one go with only 2 bytes left in
   the chunk (16 by default), so that short pieces take that path too. */
#undef XMPP_FAST
#define XMPP_FAST 1
#define XMPP__TAG_FAST_MIN 2
#define FP_RUN fastpath_run_fast
#include "fastpath.h"
