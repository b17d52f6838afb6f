/* size_stream_notls.c - size_stream.c with XMPP_NO_STREAM_TLS: the client without any TLS
   code in the stream (firmware with no TLS, or its own at XMPP_STREAM_STARTTLS). */
#define XMPP_NO_STREAM_TLS
#include "size_stream.c"
