/* xmpp.h - a single-file XMPP library in C99: XML tokenizer, stanzas, SASL, streams.
   v0.1.0 - MIT licensed (see the end of this file). No malloc, no globals, no I/O in the core.

   QUICK START
     In exactly one .c file:
         #define XMPP_IMPLEMENTATION
         #include "xmpp.h"
     Everywhere else, just #include "xmpp.h".

     Tokenize a stream: push bytes in any chunking, pull tokens out.
         xmpp_xml x;  xmpp_xml_token t;  static unsigned char buf[8192];
         xmpp_xml_init(&x, buf, sizeof buf, NULL);          NULL: default limits
         while ((n = read(fd, chunk, sizeof chunk)) > 0) {
             size_t off = 0, used;
             while (off < n) {                              feed stops after each token
                 if (xmpp_xml_feed(&x, chunk + off, n - off, &used)) break;
                 off += used;
                 while (xmpp_xml_next(&x, &t) == XMPP_OK) handle(&t);
             }
             if (xmpp_xml_error(&x)->code) { report(xmpp_xml_error(&x)); break; }
         }

   CONFIGURATION (define before including)
     XMPP_IMPLEMENTATION  compile the implementation (one translation unit)
     XMPP_STATIC          make every function static (private copy per .c file)
     XMPP_FREESTANDING    include only <stddef.h>, <stdint.h>, <limits.h>; no libc needed
     XMPP_BEARSSL         compile the BearSSL TLS backend (includes <bearssl.h>; link
                          -lbearssl); without it only the TLS hook is compiled
     XMPP_FAST            1: shortcuts for speed (byte-at-a-time feeding, whole UTF-8
                          characters, unrolled hash rounds); 0: smaller code. Default: 0
                          when compiling with -Os (__OPTIMIZE_SIZE__), else 1
     XMPP_NO_SIMD         with XMPP_FAST, no SSE2 for the tokenizer's runs (used by gcc and
                          clang on x86-64 otherwise, unless XMPP_FREESTANDING): the
                          portable word-at-a-time loops
     XMPP_BEARSSL         SHA-1, SHA-256 and HMAC from BearSSL (link -lbearssl)
     XMPP_NO_SHA1         leave out SHA-1 and SCRAM-SHA-1(-PLUS) (XMPP_SHA1 is undefined)
     XMPP_SASL_SALT_MAX   bytes of a SCRAM salt a client accepts and caches (default 64,
                          at most 255)
     XMPP_SASL_SERVER_BUF bytes for a SCRAM server's messages (default 512, at most 65535)
     XMPP_TREE_NS_MAX     distinct namespaces one collected stanza may use, well-known ones
                          not counted (default 64, at most 255): past it the stanza is
                          skipped like one that does not fit the arena
     XMPP_STREAM_SASL_MAX bytes of one SASL message the client stream handles (default 512)
     XMPP_STREAM_JID_MAX  bytes of the bound JID the client stream keeps (default 512)
     XMPP_NO_STREAM_TLS   the client stream never runs a TLS hook itself (about 1 KB less
                          code; TLS, if any, is then the application's: XMPP_STREAM_STARTTLS)
     XMPP_NO_TRACE        compile out the stream's trace hook
     XMPP_POSIX           the POSIX glue (sockets, SRV over UDP, getrandom, a poll loop; with
                          XMPP_BEARSSL: TLS from PEM files and a whole command-line client)
     XMPP_POSIX_REDIRECTS see-other-host followed at most this many times (default 3)
     XMPP_MEMCPY/XMPP_MEMMOVE/XMPP_MEMSET/XMPP_MEMCMP/XMPP_STRLEN
                          override the mem* functions and strlen (default: <string.h>'s, or small
                          built-ins when XMPP_FREESTANDING is defined)

   CONTENTS (search for the tag: it opens the section in the API and in the implementation)
     >>base     error codes, string views
     >>xml      incremental XML tokenizer (RFC 6120 §11 restricted XML, namespaces, limits)
     >>stanza   stanza tree (collector, navigation) and builder, stanza errors
     >>jid      addresses, RFC 7622: parse, validate, compare, format
     >>sasl     SHA-1/SHA-256/HMAC/PBKDF2/base64; SASL: SCRAM-SHA-1/-256(-PLUS), PLAIN,
                EXTERNAL, ANONYMOUS, client and server
     >>stream   the client stream: SRV records (§3.2), negotiation (STARTTLS through the
                TLS hook, SASL, bind), events, sans-I/O
     >>tls      TLS hook (sans-I/O), BearSSL backend (XMPP_BEARSSL)
     >>posix    XMPP_POSIX: SRV over UDP, TCP connect, getrandom, clock, a poll() step; with
                XMPP_BEARSSL: TLS from PEM files, a whole command-line client
*/
#ifndef XMPP_H
#define XMPP_H

#define XMPP_VERSION "0.1.0"

#include <stddef.h>
#include <stdint.h>
#include <limits.h>

#ifndef XMPPDEF
#  ifdef XMPP_STATIC
#    if defined(__GNUC__) || defined(__clang__)
#      define XMPPDEF static __attribute__((unused))
#    else
#      define XMPPDEF static
#    endif
#  else
#    define XMPPDEF extern
#  endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== >>base
   Every function that can fail returns an xmpp_err. XMPP_OK is 0; XMPP_AGAIN is not an
   error but "nothing more until you feed more bytes". Errors are sticky: an object that
   failed keeps returning the same code. Each code maps to a message and, where one
   exists, the RFC 6120 §4.9.3 stream error condition to send to the peer; for the SASL
   codes (XMPP_ERR_BASE64 to XMPP_ERR_AUTH) it is the RFC 6120 §6.5 SASL failure
   condition a server puts in <failure/>. XMPP_ERR_NOSPACE (an output buffer too small) is
   not sticky: the call changed nothing and can be repeated with a larger buffer (except
   in the builder, which goes on counting the size it needs: see there). */

#define XMPP__ERRORS(X) \
    X(XMPP_OK,                       "",                     "no error") \
    X(XMPP_AGAIN,                    "",                     "need more input") \
    X(XMPP_ERR_INVALID,              "internal-server-error","invalid argument or configuration") \
    X(XMPP_ERR_NOT_WELL_FORMED,      "not-well-formed",      "XML is not well-formed") \
    X(XMPP_ERR_RESTRICTED_XML,       "restricted-xml",       "XML feature not allowed in XMPP (RFC 6120 §11)") \
    X(XMPP_ERR_UNSUPPORTED_ENCODING, "unsupported-encoding", "encoding other than UTF-8") \
    X(XMPP_ERR_POLICY_VIOLATION,     "policy-violation",     "a configured limit was exceeded") \
    X(XMPP_ERR_NOSPACE,              "resource-constraint",  "buffer or arena too small") \
    X(XMPP_ERR_JID_MALFORMED,        "improper-addressing",  "malformed XMPP address (RFC 7622)") \
    X(XMPP_ERR_BASE64,               "incorrect-encoding",   "invalid base64 (RFC 4648 §4)") \
    X(XMPP_ERR_SASL_MECHANISM,       "invalid-mechanism",    "no acceptable SASL mechanism") \
    X(XMPP_ERR_SASL_MALFORMED,       "malformed-request",    "malformed SASL message") \
    X(XMPP_ERR_AUTH,                 "not-authorized",       "authentication failed") \
    X(XMPP_ERR_TIMEOUT,              "connection-timeout",   "the peer did not answer in time") \
    X(XMPP_ERR_STREAM,               "undefined-condition",  "the server sent a stream error") \
    X(XMPP_ERR_PROTOCOL,             "undefined-condition",  "the server broke the protocol") \
    X(XMPP_ERR_NO_TLS,               "policy-violation",     "TLS required but not available") \
    X(XMPP_ERR_TLS,                  "",                     "TLS handshake or record failure") \
    X(XMPP_ERR_TLS_UNTRUSTED,        "",                     "server certificate not trusted (unknown CA or bad chain)") \
    X(XMPP_ERR_TLS_NAME,             "",                     "server certificate does not match the XMPP domain") \
    X(XMPP_ERR_TLS_EXPIRED,          "",                     "certificate expired or not yet valid") \
    X(XMPP_ERR_TLS_CLOSED,           "",                     "connection closed during the TLS handshake or without close_notify") \
    X(XMPP_ERR_CLOSED,               "",                     "connection closed before the stream ended")

typedef enum xmpp_err {
#define XMPP__ENUM(name, cond, msg) name,
    XMPP__ERRORS(XMPP__ENUM)
#undef XMPP__ENUM
    XMPP__ERR_COUNT
} xmpp_err;

/* A string view: p points at n bytes, not NUL-terminated. Each function that returns one
   says how long p stays valid. */
typedef struct xmpp_str {
    const char *p;
    size_t n;
} xmpp_str;

/* Where and why something failed. message is a static string describing this failure
   (more precise than xmpp_strerror(code)); offset is the absolute byte offset in the
   input stream of the byte that caused it (0 when not about input). */
typedef struct xmpp_errinfo {
    xmpp_err code;
    const char *message;
    uint64_t offset;
} xmpp_errinfo;

/* The generic message for a code ("XML is not well-formed"). Never NULL. */
XMPPDEF const char *xmpp_strerror(xmpp_err code);

/* The RFC 6120 §4.9.3 condition for a code ("not-well-formed"), or NULL for XMPP_OK,
   XMPP_AGAIN and the XMPP_ERR_TLS* codes (after a TLS failure there is no channel to send
   a stream error on: RFC 6120 §5.4.3.2, close the TCP connection). */
XMPPDEF const char *xmpp_err_condition(xmpp_err code);

/* ======================================================================== >>xml
   The incremental XML tokenizer. Push bytes with xmpp_xml_feed() in any chunking, pull
   tokens with xmpp_xml_next(). Nothing is allocated: the state is the xmpp_xml struct plus
   one caller buffer, whose size xmpp_xml_buffer_size() computes for a set of limits.

   Input is the XMPP flavour of XML 1.0 + Namespaces (RFC 6120 §11): UTF-8 only, no
   comments, no processing instructions except a leading XML declaration, no DOCTYPE, no
   entity references but the five predefined ones. CDATA sections are allowed.

   Tokens, and the byte that completes each one:
       <?xml version='1.0'?>              DECL    at the '>' (only as the very first bytes)
       <stream:stream ...>                OPEN    at the '>' (depth 1: the stream header)
       <message to='a@b' ...>             START   at the '>' (depth >= 2)
       hello &amp; bye                    TEXT    at the next '<' (or when the text buffer
                                                  is full: long text comes as several
                                                  TEXT tokens, split at the same place
                                                  whatever the chunking)
       <![CDATA[ raw ]]>                  TEXT    at the final '>', a token of its own
       </message>                         END     at the '>'
       <presence/>                        START + END, both at the '>'
       </stream:stream>                   CLOSE   at the '>'
   A token is available as soon as the byte that completes it has been fed (no hold-back),
   and the token sequence is the same for every way of cutting the input into chunks.

   Names arrive resolved: ns is the namespace URI (empty if none), local the local name,
   prefix the prefix as written (for teaching; do not match on it). xmlns declarations
   are scoped per element and are not reported as attributes; xml: is bound. Text and
   attribute values arrive decoded: entities and character references replaced, line
   ends normalised (CR LF and lone CR become LF), attribute whitespace normalised (each
   TAB, LF, CR becomes a space) as XML 1.0 §2.11 and §3.3.3 say.

   Limits (each exceeded one is XMPP_ERR_POLICY_VIOLATION, never a crash or a silent cut):
   zero fields take the defaults. */

typedef struct xmpp_xml_limits {
    uint32_t max_depth;   /* elements open at once, stream header included   (default 16) */
    uint32_t max_attrs;   /* attributes on one element, xmlns ones included  (default 16) */
    uint32_t max_name;    /* bytes in one element or attribute name, prefix included
                                                                            (default 128) */
    uint32_t max_token;   /* bytes of one start tag as stored (names + decoded values),
                             and the most of one TEXT token      (default 4096; 16-65535) */
    uint32_t max_stanza;  /* bytes on the wire of one depth-2 element, from its '<' to its
                             last '>'                                       (default 65536) */
} xmpp_xml_limits;

#define XMPP_XML_DEFAULT_DEPTH   16
#define XMPP_XML_DEFAULT_ATTRS   16
#define XMPP_XML_DEFAULT_NAME    128
#define XMPP_XML_DEFAULT_TOKEN   4096
#define XMPP_XML_DEFAULT_STANZA  65536

typedef enum xmpp_xml_kind {
    XMPP_XML_NONE = 0,
    XMPP_XML_DECL,      /* the XML declaration; attrs: version, encoding?, standalone? */
    XMPP_XML_OPEN,      /* the stream header (depth-1 start tag), with attrs */
    XMPP_XML_START,     /* a start tag at depth >= 2, with attrs */
    XMPP_XML_END,       /* an end tag at depth >= 2 */
    XMPP_XML_TEXT,      /* character data (text) */
    XMPP_XML_CLOSE      /* the stream's end tag (depth 1) */
} xmpp_xml_kind;

typedef struct xmpp_xml_attr {
    xmpp_str ns;        /* namespace URI; empty for an unprefixed attribute */
    xmpp_str local;     /* local name */
    xmpp_str prefix;    /* prefix as written, empty if none */
    xmpp_str value;     /* decoded, normalised value */
} xmpp_xml_attr;

/* A token. Every view in it points into the tokenizer's buffer and stays valid until the
   next call of xmpp_xml_feed() or xmpp_xml_next() on the same tokenizer. */
typedef struct xmpp_xml_token {
    xmpp_xml_kind kind;
    uint32_t depth;            /* element depth (stream = 1, stanza = 2); for TEXT, the
                                  depth of the enclosing element */
    xmpp_str ns, local, prefix;/* OPEN, START, END, CLOSE: the element's name */
    xmpp_str text;             /* TEXT: the (decoded, UTF-8) text, never empty */
    const xmpp_xml_attr *attrs;/* DECL, OPEN, START: attributes in document order */
    size_t nattrs;
    uint64_t offset;           /* stream offset of the token's first byte; for the END of
                                  an empty element <a/>, that of its start tag */
} xmpp_xml_token;

/* The tokenizer. Allocate it anywhere; all fields are private. */
typedef struct xmpp_xml {
    /* private; the small, hot fields first (short offsets make smaller Thumb code) */
    xmpp_errinfo err;
    uint8_t state, ret;           /* scanner state; where an entity reference returns */
    uint8_t pending, release;     /* token ready for next(); token to release first */
    uint8_t need, lo, hi;         /* UTF-8: continuation bytes due, range of the next one */
    uint8_t quote, brackets, flags;
    uint8_t fast;                 /* class of a byte feed() may copy without the scanner */
    uint8_t decls;                /* XMPP__D_NS: the start tag may declare namespaces (an
                                     attribute named xmlns or xmlns:p); XMPP__D_PREFIX: it may
                                     have other prefixed attributes */
    uint16_t nattrs;              /* attributes of the start tag being read */
    uint16_t ndigits;             /* digits of a character reference, letters of an entity */
    unsigned char *top;           /* first free byte of [buf, end) */
    unsigned char *mark;          /* start of the token being built */
    unsigned char *name;          /* start of the name or value being read */
    unsigned char *cap;           /* the token being built may not grow past this */
    unsigned char *fast_cap;      /* feed() may copy a byte while top is below this */
    unsigned char *buf, *end;     /* frames and token data live in [buf, end) */
    xmpp_xml_attr *attrs;         /* max_attrs attribute views, at the buffer's tail */
    void *frame;                  /* innermost open element, NULL at depth 0 */
    const unsigned char *chunk;   /* start of the chunk being fed */
    uint32_t cp;                  /* code point or character reference being decoded */
    uint32_t depth;               /* elements open */
    xmpp_xml_limits lim;
    xmpp_str ns;                  /* resolved namespace of the pending OPEN/START */
    uint64_t base;                /* stream offset of *chunk */
    uint64_t tok_off;             /* stream offset of the token being built */
    uint64_t stanza_end;          /* offset of the first byte past max_stanza in the stanza
                                     being read (counted from its '<'), or UINT64_MAX
                                     between stanzas */
} xmpp_xml;

/* Buffer bytes that never run out before a limit does: every open element keeps its
   qualified name and namespace declarations (at most max_token + 4 bytes per attribute),
   the start tag being read needs twice that, plus max_attrs attribute views. A smaller
   buffer works too; running out of it is then XMPP_ERR_POLICY_VIOLATION. */
#define XMPP_XML_BUF_SIZE(depth, attrs, token) XMPP__XML_BUF_SUM(size_t, depth, attrs, token)
#define XMPP__XML_BUF_SUM(T, depth, attrs, token) /* in type T (xmpp_xml_buffer_size: 64 bits) */ \
    (((T)(depth) + 1) * (24 + 2 * sizeof(void *) + (T)(token) + 4 * (T)(attrs)) \
     + (T)(attrs) * sizeof(xmpp_xml_attr) + 2 * sizeof(void *))

/* XMPP_XML_BUF_SIZE for these limits (NULL or zero fields: the defaults), or 0 if
   xmpp_xml_init() would refuse them or the size does not fit a size_t. The macro itself
   does no overflow check: keep depth * token well below SIZE_MAX. */
XMPPDEF size_t xmpp_xml_buffer_size(const xmpp_xml_limits *lim);

/* Start tokenizing a new stream. buf (any alignment) must stay put and untouched while
   the tokenizer uses it; limits is copied (NULL: defaults).
   Errors: XMPP_ERR_INVALID if a limit is out of range (max_token below 16 or above
   65535, max_depth or max_attrs above 65535) or buf cannot hold max_attrs views plus 64
   bytes. The tokenizer then stays failed (feed and next return the error). */
XMPPDEF xmpp_err xmpp_xml_init(xmpp_xml *x, void *buf, size_t size, const xmpp_xml_limits *limits);

/* Start over on a new stream with the same buffer and limits (RFC 6120 §4.3.3 stream
   restart after STARTTLS or SASL). Offsets restart at 0. */
XMPPDEF void xmpp_xml_reset(xmpp_xml *x);

/* Push bytes. Reads up to len bytes from data and stops right after the byte that
   completes a token, so *used may be less than len: feed the rest after pulling the
   token with xmpp_xml_next(). While a token is waiting to be pulled, feed takes nothing
   (*used = 0). data is not referenced after feed returns: the caller may reuse it.
   Returns XMPP_OK, or the (sticky) error code; *used counts the bytes consumed before the
   error. */
XMPPDEF xmpp_err xmpp_xml_feed(xmpp_xml *x, const void *data, size_t len, size_t *used);

/* Pull the next token. Returns XMPP_OK and fills *t, XMPP_AGAIN when more input is
   needed, or the sticky error code once every token before the error has been pulled. */
XMPPDEF xmpp_err xmpp_xml_next(xmpp_xml *x, xmpp_xml_token *t);

/* The error (code XMPP_OK while there is none). Valid as long as x. */
XMPPDEF const xmpp_errinfo *xmpp_xml_error(const xmpp_xml *x);

/* Write t as one line in the canonical format (no newline, NUL-terminated if size > 0):
       decl version="1.0" encoding="UTF-8"
       open 1 stream:stream {http://etherx.jabber.org/streams}stream to="a.test" ...
       start 2 message {jabber:client}message {ns}local="value" ...
       text 3 "hello\n"
       end 2 message {jabber:client}message
       close 1 stream:stream {http://etherx.jabber.org/streams}stream
   kind, depth (not for decl), qualified name as written, {namespace}local, then the
   attributes sorted by namespace and local name (decl: in document order), as
   {ns}local="value" (no braces when the namespace is empty). Values and text are escaped:
   \\ \" \n \r \t and \xNN for other bytes below 0x20 and 0x7F; UTF-8 is kept as is.
   *need gets the length of the whole line; if it is >= size, the line was cut to fit and
   the caller may retry with a buffer of *need + 1 bytes. */
XMPPDEF void xmpp_xml_token_format(const xmpp_xml_token *t, char *out, size_t size, size_t *need);

/* ======================================================================== >>stanza
   Stanzas: the collector turns the tokenizer's tokens into a compact read-only tree of
   each top-level element (depth 2: message, presence, iq, stream features, SASL and TLS
   elements, stream errors, anything), inside an arena the caller gives. The builder
   writes escaped XML into a caller buffer.

       xmpp_tree s;  static unsigned char arena[4096];
       xmpp_tree_init(&s, arena, sizeof arena);
       while (xmpp_xml_next(&x, &t) == XMPP_OK) {
           xmpp_err r = xmpp_tree_push(&s, &t);
           if (r == XMPP_OK) {                            a stanza is complete
               const xmpp_node *m = xmpp_tree_root(&s), *body;
               if (xmpp_node_is(m, "jabber:client", "message") &&
                   (body = xmpp_node_child(m, "jabber:client", "body")))
                   show(xmpp_node_attr(m, NULL, "from"), xmpp_node_text(body));
           } else if (r == XMPP_ERR_NOSPACE) { ... it did not fit: skipped ... }
       }

   Every name, namespace, attribute value and text is copied once into the arena
   (namespaces once per stanza), so nothing points into the tokenizer's or the caller's
   buffers. The tree stays valid until the first token of the next stanza is pushed (or
   the arena is reused). Nodes are records packed byte by byte in the arena (no
   alignment needed); navigation reads them in place and allocates nothing. */

#ifndef XMPP_TREE_NS_MAX
#define XMPP_TREE_NS_MAX 64   /* distinct namespaces per stanza (well-known ones not counted);
                                 each element's lookup walks at most this many: a stanza of
                                 thousands of namespaces costs no more than linear time */
#endif

typedef struct xmpp_tree {
    /* private */
    unsigned char *arena;
    size_t size, top;          /* arena bytes; first free byte */
    size_t root;               /* offset of the root element + 1 (0: none) */
    size_t cur, prev;          /* innermost open element; its last child (offsets + 1) */
    size_t ns;                 /* last namespace record (offset + 1) */
    uint32_t depth;            /* elements open inside the stanza */
    uint8_t state;             /* idle, collecting, complete, skipping */
    uint8_t nns;               /* namespace records in this stanza (<= XMPP_TREE_NS_MAX) */
    uint16_t seen_n;           /* the length of seen (below) */
    uint16_t seen_depth;       /* seen is valid while the element at this depth is open */
    uint64_t offset;           /* stream offset of the stanza's '<' */
    const char *seen;          /* an inherited namespace as the tokenizer showed it (the URI
                                  in an open ancestor's frame), NULL if none */
    uint32_t seen_ref;         /* its record (offset + 1) */
} xmpp_tree;

/* A node of a collected stanza: an element or a text node. An opaque handle into the
   arena; valid as long as the tree is. */
typedef struct xmpp_node xmpp_node;

/* Arena bytes that always suffice for any stanza the tokenizer lets through with these
   limits (NULL: the defaults): max_stanza bytes on the wire, and namespaces declared on
   the stream header (up to max_token bytes). A stanza that uses more than
   XMPP_TREE_NS_MAX namespaces is skipped (XMPP_ERR_NOSPACE) whatever the arena. The
   worst case, a stanza of nothing but empty elements and one-byte texts
   (<a/>x<a/>x...), takes 5.2 times its size; typical stanzas take less than 1.5 times
   (README.md). 0 if it would be 2 GiB or more (the arena's distances are 31 bits;
   xmpp_tree_init() uses at most 2 GiB - 1). */
XMPPDEF size_t xmpp_tree_arena_size(const xmpp_xml_limits *lim);

/* Start collecting into arena (any alignment). */
XMPPDEF void xmpp_tree_init(xmpp_tree *s, void *arena, size_t size);

/* Forget any partial stanza (after a stream restart, RFC 6120 §4.3.3). */
XMPPDEF void xmpp_tree_reset(xmpp_tree *s);

/* Take one token from the tokenizer (every token, in order, as xmpp_xml_next() gave it:
   the collector relies on where the tokenizer keeps namespace URIs). Returns
     XMPP_OK           a stanza is complete: xmpp_tree_root() is its root element
     XMPP_AGAIN        nothing complete yet; also for tokens outside stanzas (DECL,
                       OPEN, CLOSE, white space between stanzas), which the caller
                       handles from the token itself. OPEN and CLOSE also forget the
                       tree (a new stream, or the end of this one)
     XMPP_ERR_NOSPACE  a stanza ended that did not fit the arena (or used more than
                       XMPP_TREE_NS_MAX distinct namespaces). It was skipped whole:
                       not a stream error, the next stanza is collected normally (the
                       caller may answer an iq with <resource-constraint/>, or close the
                       stream with policy-violation). Not sticky.
     XMPP_ERR_INVALID  t is out of order (say, an END without its START); the
                       collector is left as it was (a complete stanza stays readable).
   Why a per-stanza error and not policy-violation: a device with a 2 KiB arena must
   survive a 64 KiB avatar it does not care about; the tokenizer's max_stanza still bounds
   what a peer may send, and exceeding it is a stream error there. */
XMPPDEF xmpp_err xmpp_tree_push(xmpp_tree *s, const xmpp_xml_token *t);

/* The root of the last complete stanza, or NULL. */
XMPPDEF const xmpp_node *xmpp_tree_root(const xmpp_tree *s);

/* Arena bytes the last stanza took (after XMPP_ERR_NOSPACE: what the skipped one had
   taken when it ran out), and the stream offset of the last stanza. */
XMPPDEF size_t xmpp_tree_used(const xmpp_tree *s);
XMPPDEF uint64_t xmpp_tree_offset(const xmpp_tree *s);

/* ---- navigation. n may be NULL everywhere (the result is then NULL or empty), so
   lookups chain: xmpp_node_text(xmpp_node_child(m, ns, "body")). Names and namespaces
   are NUL-terminated strings; for elements ns NULL matches any namespace, "" none; for
   attributes NULL and "" both mean no namespace. */

XMPPDEF int xmpp_node_is_text(const xmpp_node *n);
XMPPDEF xmpp_str xmpp_node_name(const xmpp_node *n);   /* local name; empty for text */
XMPPDEF xmpp_str xmpp_node_ns(const xmpp_node *n);     /* namespace URI; empty for text */
/* 1 if n is an element with this namespace and local name */
XMPPDEF int xmpp_node_is(const xmpp_node *n, const char *ns, const char *name);

/* An attribute's value, or {NULL, 0} when there is none (an empty value has p != NULL).
   Unprefixed attributes (from, to, id, type, ...) have no namespace: pass NULL or "". */
XMPPDEF xmpp_str xmpp_node_attr(const xmpp_node *n, const char *ns, const char *name);
XMPPDEF size_t xmpp_node_attr_count(const xmpp_node *n);
/* Attribute i (document order): 1 and the views, or 0 if there is no such attribute. */
XMPPDEF int xmpp_node_attr_at(const xmpp_node *n, size_t i, xmpp_str *ns, xmpp_str *name,
                              xmpp_str *value);

XMPPDEF const xmpp_node *xmpp_node_first(const xmpp_node *n);   /* first child node */
XMPPDEF const xmpp_node *xmpp_node_next(const xmpp_node *n);    /* next sibling node */
/* The first child element, or the next sibling element after n, with this namespace
   and name (name NULL: any element). */
XMPPDEF const xmpp_node *xmpp_node_child(const xmpp_node *n, const char *ns, const char *name);
XMPPDEF const xmpp_node *xmpp_node_next_sibling(const xmpp_node *n, const char *ns, const char *name);

/* Text. For a text node, its text. For an element, its text children joined: a view in
   the arena when there is at most one text node (<body>, <status>, ...: the common
   case; empty if none), {NULL, 0} for mixed content with several, which
   xmpp_node_text_copy() joins. */
XMPPDEF xmpp_str xmpp_node_text(const xmpp_node *n);
/* All text children of n (or n's text) joined, NUL-terminated into out when size is
   large enough; returns the length without the NUL. If it is >= size, out holds nothing
   useful and size must be at least the result + 1. */
XMPPDEF size_t xmpp_node_text_copy(const xmpp_node *n, char *out, size_t size);

/* s as a NUL-terminated string in out; the same return rule as xmpp_node_text_copy. */
XMPPDEF size_t xmpp_str_copy(xmpp_str s, char *out, size_t size);
/* 1 if s holds exactly the NUL-terminated string z */
XMPPDEF int xmpp_str_eq(xmpp_str s, const char *z);

/* ---- the builder: escaped XML into a caller buffer

       xmpp_builder b;  char out[512];  size_t len;
       xmpp_build_init(&b, out, sizeof out, "jabber:client");   the stream's default ns
       xmpp_build_start(&b, "jabber:client", "message");
       xmpp_build_attr(&b, NULL, "to", "juliet@example.com");
       xmpp_build_start(&b, "jabber:client", "body");
       xmpp_build_text(&b, xmpp_str_z("<3 & more"));
       xmpp_build_end(&b);  xmpp_build_end(&b);
       if (xmpp_build_finish(&b, &len) == XMPP_OK) send(out, len);
       -> <message to="juliet@example.com"><body>&lt;3 &amp; more</body></message>

   Text and attribute values are escaped: & < > ' " always (RFC 6120 §11.1: no
   unescaped ones on the wire), CR as &#xD; in text and TAB LF CR as &#x9; &#xA; &#xD; in
   values (so the receiver's normalisation gives back what was written). They must be
   UTF-8 and XML characters (no controls other than TAB LF CR, no U+FFFE/U+FFFF): anything
   else is XMPP_ERR_INVALID. Names are checked as XML names without a ':' (NCNames:
   prefixes are the builder's). A namespace declaration is written where an element's
   namespace differs from its parent's (for the stanza's root: from the default given to
   xmpp_build_init); a namespaced attribute gets a prefix ns0, ns1, ... declared on its
   element; the xml: prefix needs none. An element cannot be in
   the xml (or xmlns) namespace, nor an attribute in the xmlns one; an attribute without
   a namespace cannot be named xmlns (with one, xml:xmlns or ns0:xmlns, it can). The
   builder never writes a comment or a processing instruction (but what you pass to
   xmpp_build_raw() goes out as it is). xmpp_build_attr_str() and xmpp_build_text() take
   the view {NULL, 0} as empty (the common stanzas leave an argument {NULL, 0} out).

   Errors are sticky and every call after one does nothing; xmpp_build_finish() reports
   the first (a misuse found after XMPP_ERR_NOSPACE replaces it). The call that failed is
   undone (a common stanza or xmpp_build_node whole, not only its part that failed): out
   holds the bytes of the calls before it, whole calls only, NUL-terminated. Unlike
   other objects' XMPP_ERR_NOSPACE, the builder's is sticky too, and the builder goes on
   counting: xmpp_build_finish()'s *len is then the buffer size the whole output needs (a
   retry with that much succeeds). The default_ns given to xmpp_build_init() must stay
   valid as long as the builder is used, and strings passed to start (ns, name) until the
   matching end (string literals, a tree's views). Elements nest at most
   XMPP_BUILD_DEPTH deep (default 16; the same value in every translation unit, or
   xmpp_build_init() fails). Writing the same attribute twice on one element is the
   caller's mistake that the builder does not catch (the receiver rejects it as
   not-well-formed). */

#ifndef XMPP_BUILD_DEPTH
#define XMPP_BUILD_DEPTH 16
#endif
#if XMPP_BUILD_DEPTH < 1 || XMPP_BUILD_DEPTH > 32767   /* xmpp_builder.whole counts to it */
#error "XMPP_BUILD_DEPTH must be between 1 and 32767"
#endif

typedef struct xmpp_builder {
    /* private; el[] last, so the fields before it sit at the same offsets whatever
       XMPP_BUILD_DEPTH a translation unit has */
    char *out;
    size_t size, len;          /* buffer; bytes written */
    size_t need;               /* bytes the output needs (== len until it overflows) */
    size_t mark;               /* len when the current call began (rolled back to) */
    xmpp_err err;
    const char *why;           /* the first error's message */
    uint32_t depth;
    uint8_t open;              /* a start tag is open: attributes may follow */
    uint8_t prefixes;          /* ns0.. prefixes declared on the open start tag (<= 255) */
    uint16_t whole;            /* calls made of several under way (nested): the mark
                                  stays where the outermost began */
    xmpp_str dflt;             /* the default namespace outside the root */
    struct { xmpp_str ns, name; } el[XMPP_BUILD_DEPTH];
} xmpp_builder;

/* A view of a NUL-terminated string (NULL gives {NULL, 0}). */
XMPPDEF xmpp_str xmpp_str_z(const char *z);

/* Start building into out. default_ns: the namespace in scope where the output goes
   ("jabber:client" for a client stream's stanzas; NULL or "" for none). A macro, so
   that a translation unit whose XMPP_BUILD_DEPTH differs from the implementation's gets
   XMPP_ERR_INVALID instead of a builder too small for it. */
#define xmpp_build_init(b, out, size, default_ns) \
    xmpp_build_init_depth(b, out, size, default_ns, XMPP_BUILD_DEPTH)
XMPPDEF void xmpp_build_init_depth(xmpp_builder *b, char *out, size_t size, const char *default_ns,
                                   unsigned depth);

XMPPDEF xmpp_err xmpp_build_start(xmpp_builder *b, const char *ns, const char *name);
/* An attribute on the element just started (before any text or child). ns NULL or "":
   unprefixed; XMPP_XMLNS_XML ("http://www.w3.org/XML/1998/namespace"): xml:name. */
XMPPDEF xmpp_err xmpp_build_attr(xmpp_builder *b, const char *ns, const char *name, const char *value);
XMPPDEF xmpp_err xmpp_build_attr_str(xmpp_builder *b, const char *ns, const char *name, xmpp_str value);
XMPPDEF xmpp_err xmpp_build_text(xmpp_builder *b, xmpp_str text);
/* Bytes written as they are: a TRUSTED fragment of well-formed, namespace-correct XML
   (say, one you built with another builder). Nothing is checked or escaped. */
XMPPDEF xmpp_err xmpp_build_raw(xmpp_builder *b, xmpp_str xml);
XMPPDEF xmpp_err xmpp_build_end(xmpp_builder *b);
/* Copy a collected element (and all it contains) into the output. */
XMPPDEF xmpp_err xmpp_build_node(xmpp_builder *b, const xmpp_node *n);

/* XMPP_OK and *len = bytes written when every element is closed; else the first error
   (XMPP_ERR_INVALID also for elements left open) and, for XMPP_ERR_NOSPACE, *len = the
   buffer size needed. out is NUL-terminated when there is room for it. */
XMPPDEF xmpp_err xmpp_build_finish(const xmpp_builder *b, size_t *len);
/* The first error's message ("text is not UTF-8", ...), or NULL. */
XMPPDEF const char *xmpp_build_errmsg(const xmpp_builder *b);

#define XMPP_XMLNS_XML     "http://www.w3.org/XML/1998/namespace"
#define XMPP_XMLNS_CLIENT  "jabber:client"
#define XMPP_XMLNS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"

/* ---- common stanzas (RFC 6121). Each writes one complete element; NULL arguments are
   left out. id: see xmpp_make_id(). message, presence and iq go in the builder's
   default namespace (jabber:client if it has none), also inside another element (a
   forwarded message, XEP-0297); their children, and an error element, in the namespace
   of the element they are written in. */
/* type: chat, error, groupchat, headline or normal (RFC 6121 §5.2.2); any other value is
   XMPP_ERR_INVALID. */
XMPPDEF xmpp_err xmpp_build_message(xmpp_builder *b, const char *to, const char *type,
                                    const char *id, const char *body);
/* The same with to and body as views (no NUL needed; p NULL: left out), so a reply can
   take them straight from a received stanza, escaped as ever:
       xmpp_build_message_str(b, xmpp_node_attr(m, NULL, "from"), "chat", NULL, body); */
XMPPDEF xmpp_err xmpp_build_message_str(xmpp_builder *b, xmpp_str to, const char *type,
                                        const char *id, xmpp_str body);
/* type: error, probe, subscribe, subscribed, unavailable, unsubscribe or unsubscribed
   (RFC 6121 §4.7.1; NULL: available); show: away, chat, dnd or xa (§4.7.2.1); other
   values are XMPP_ERR_INVALID. priority is written when it is not 0 (§4.7.2.3: absent
   means 0), and must be in -128..127. */
XMPPDEF xmpp_err xmpp_build_presence(xmpp_builder *b, const char *to, const char *type,
                                     const char *show, const char *status, int priority);
/* <iq type= id= to=>: left open for the payload; close it with xmpp_build_end(). type
   must be get, set, result or error; id is required (RFC 6120 §8.2.3). */
XMPPDEF xmpp_err xmpp_build_iq(xmpp_builder *b, const char *type, const char *id, const char *to);

/* Stanza error conditions, RFC 6120 §8.3.3, in its order. */
#define XMPP__STANZA_ERRORS(X) \
    X(XMPP_SERR_BAD_REQUEST,             "bad-request",             "modify") \
    X(XMPP_SERR_CONFLICT,                "conflict",                "cancel") \
    X(XMPP_SERR_FEATURE_NOT_IMPLEMENTED, "feature-not-implemented", "cancel") \
    X(XMPP_SERR_FORBIDDEN,               "forbidden",               "auth")   \
    X(XMPP_SERR_GONE,                    "gone",                    "cancel") \
    X(XMPP_SERR_INTERNAL_SERVER_ERROR,   "internal-server-error",   "cancel") \
    X(XMPP_SERR_ITEM_NOT_FOUND,          "item-not-found",          "cancel") \
    X(XMPP_SERR_JID_MALFORMED,           "jid-malformed",           "modify") \
    X(XMPP_SERR_NOT_ACCEPTABLE,          "not-acceptable",          "modify") \
    X(XMPP_SERR_NOT_ALLOWED,             "not-allowed",             "cancel") \
    X(XMPP_SERR_NOT_AUTHORIZED,          "not-authorized",          "auth")   \
    X(XMPP_SERR_POLICY_VIOLATION,        "policy-violation",        "modify") \
    X(XMPP_SERR_RECIPIENT_UNAVAILABLE,   "recipient-unavailable",   "wait")   \
    X(XMPP_SERR_REDIRECT,                "redirect",                "modify") \
    X(XMPP_SERR_REGISTRATION_REQUIRED,   "registration-required",   "auth")   \
    X(XMPP_SERR_REMOTE_SERVER_NOT_FOUND, "remote-server-not-found", "cancel") \
    X(XMPP_SERR_REMOTE_SERVER_TIMEOUT,   "remote-server-timeout",   "wait")   \
    X(XMPP_SERR_RESOURCE_CONSTRAINT,     "resource-constraint",     "wait")   \
    X(XMPP_SERR_SERVICE_UNAVAILABLE,     "service-unavailable",     "cancel") \
    X(XMPP_SERR_SUBSCRIPTION_REQUIRED,   "subscription-required",   "auth")   \
    X(XMPP_SERR_UNDEFINED_CONDITION,     "undefined-condition",     "cancel") \
    X(XMPP_SERR_UNEXPECTED_REQUEST,      "unexpected-request",      "wait")

typedef enum xmpp_serr {
#define XMPP__SERR_ENUM(id, cond, type) id,
    XMPP__STANZA_ERRORS(XMPP__SERR_ENUM)
#undef XMPP__SERR_ENUM
    XMPP__SERR_COUNT
} xmpp_serr;

/* The condition's element name ("item-not-found") and its usual error type
   ("cancel"), or NULL for a value out of range. */
XMPPDEF const char *xmpp_serr_name(xmpp_serr cond);
XMPPDEF const char *xmpp_serr_type(xmpp_serr cond);
/* The condition named by an element name, or -1. */
XMPPDEF int xmpp_serr_find(xmpp_str name);

/* <error type=...><condition xmlns=stanzas/><text xmlns=stanzas>text</text></error>
   (type NULL: the condition's usual type; text NULL: no <text/>). For redirect and gone,
   the alternate address goes in detail (NULL: none). */
XMPPDEF xmpp_err xmpp_build_error_element(xmpp_builder *b, xmpp_serr cond,
                                          const char *type, const char *detail, const char *text);
/* A whole error reply to a request (RFC 6120 §8.2.3, §8.3.1): same element name,
   namespace and id, type="error", to = the request's from, then the error element. from
   = the request's to, except in jabber:client (the server stamps a client's from, and
   refuses one that is not the client's own JID: RFC 6120 §8.1.2.1). */
XMPPDEF xmpp_err xmpp_build_error_reply(xmpp_builder *b, const xmpp_node *request,
                                        xmpp_serr cond, const char *text);

/* Unique ids: rng(ctx, buf, n) fills buf with n random bytes (the caller's source: a
   hardware RNG, getrandom(), ...; the SASL layer takes the same). Writes a 16-character id (96 random bits, base64url
   alphabet) + NUL into out, which needs 17 bytes. Returns out, or NULL if size < 17 or
   rng is NULL. */
typedef void (*xmpp_rng_fn)(void *ctx, unsigned char *buf, size_t n);
XMPPDEF char *xmpp_make_id(char *out, size_t size, xmpp_rng_fn rng, void *ctx);

/* ======================================================================== >>jid
   XMPP addresses (RFC 7622): [localpart "@"] domainpart ["/" resourcepart].
   Nothing is copied or allocated: an xmpp_jid is three views into the caller's string
   (or into the caller's parts, for xmpp_jid_make), valid as long as that memory is.

   Split (RFC 7622 §3.1): the first '/' starts the resourcepart (which may itself hold
   '/' and '@'); in what comes before it, the first '@' ends the localpart.
       juliet@example.com/balcony     local "juliet", domain "example.com", resource "balcony"
       example.com/foo@bar            no local, domain "example.com", resource "foo@bar"
       Juliet@Example.COM./a/b        local "Juliet", domain "Example.COM", resource "a/b"

   Validated: each part 1 to 1023 bytes when present ('@' or '/' with nothing after or
   before it is an error; the domainpart is required); localpart: printable ASCII but
   space and " & ' / : < > @ (§3.3.1), or valid UTF-8 other than C1 controls; domainpart: one
   trailing '.' dropped (§3.2: the view excludes it), then an IPv6 address in brackets
   ("[::1]", RFC 3986 syntax, no zone), an IPv4 address (a domain whose last label is all
   digits must be a dotted quad), or labels of letters, digits, '-' (not first or last),
   at most 63 bytes (ASCII labels), or valid UTF-8 (non-ASCII labels, not converted to
   A-labels: IDNA2008 is not implemented); resourcepart: valid UTF-8 without control
   characters. PRECIS (RFC 8264/8265) is not applied: no Unicode case folding or
   normalisation, and characters PRECIS disallows but that are valid UTF-8 (symbols,
   compatibility characters, non-ASCII spaces) are accepted.
   Normalised (compare, format): ASCII letters in the localpart and domainpart to lower
   case; the domain's trailing dot; nothing else (the resourcepart is byte-exact).

   Errors: XMPP_ERR_JID_MALFORMED, with an xmpp_errinfo whose message says what is wrong
   ("localpart longer than 1023 bytes") and whose offset is that of the offending byte in
   the JID text (for xmpp_jid_make: in local "@" domain "/" resource, the parts as
   given, a domain's trailing dot included); an empty domainpart is reported where it
   should start, which is the end of the text for "juliet@". Its condition is
   improper-addressing (RFC 6120 §4.9.3.7); to a stanza the
   answer is the stanza error jid-malformed (RFC 6120 §8.3.3.8). */

#define XMPP_JID_MAX_PART 1023                             /* bytes in one part */
#define XMPP_JID_MAX_LEN  (3 * XMPP_JID_MAX_PART + 2)      /* bytes in a formatted JID */

typedef struct xmpp_jid {
    xmpp_str local;      /* localpart, {NULL, 0} if none */
    xmpp_str domain;     /* domainpart, never empty in a valid JID; no trailing dot */
    xmpp_str resource;   /* resourcepart, {NULL, 0} if none (a bare JID) */
} xmpp_jid;

/* Parse and validate the n bytes at s (no NUL needed; s may be NULL if n is 0). On
   success *jid points into s. err may be NULL.
   Errors: XMPP_ERR_JID_MALFORMED (*jid is then all empty views, *err says why and where). */
XMPPDEF xmpp_err xmpp_jid_parse(xmpp_jid *jid, const char *s, size_t n, xmpp_errinfo *err);

/* Build a JID from its parts, validated as xmpp_jid_parse would (an empty local or
   resource means none; a domain's trailing dot is dropped). *jid points into the parts.
   Errors: XMPP_ERR_JID_MALFORMED (as xmpp_jid_parse; a local with '@' or '/' is an error,
   so the result always formats to a string that parses back to the same JID). */
XMPPDEF xmpp_err xmpp_jid_make(xmpp_jid *jid, xmpp_str local, xmpp_str domain, xmpp_str resource,
                               xmpp_errinfo *err);

/* 1 if a and b are the same address: localpart and domainpart equal but for ASCII case,
   resourcepart byte for byte; else 0. */
XMPPDEF int xmpp_jid_equal(const xmpp_jid *a, const xmpp_jid *b);

/* 1 if the bare JIDs of a and b are equal (resourceparts ignored); else 0. */
XMPPDEF int xmpp_jid_bare_equal(const xmpp_jid *a, const xmpp_jid *b);

/* 1 if jid has no resourcepart; else 0. */
XMPPDEF int xmpp_jid_is_bare(const xmpp_jid *jid);

/* The bare JID of jid: the same localpart and domainpart views, no resourcepart. */
XMPPDEF xmpp_jid xmpp_jid_to_bare(const xmpp_jid *jid);

/* Write jid in normal form: localpart and domainpart with ASCII letters in lower case,
   no trailing dot, resourcepart as is: "local@domain/resource". *need (if not NULL) gets
   the length without the NUL. If it fits (*need < size) the string is written with a NUL
   and XMPP_OK returned; nothing is ever cut: if it does not fit, out gets "" (when size
   > 0) and the result is XMPP_ERR_NOSPACE; retry with *need + 1 bytes
   (XMPP_JID_MAX_LEN + 1 always suffice). out may be NULL if size is 0.
   Errors: XMPP_ERR_NOSPACE; XMPP_ERR_INVALID if jid has no domainpart (a JID
   that failed to parse) or a part longer than 1023 bytes (*need = 0, out gets "").
   Other JIDs not made by xmpp_jid_parse or xmpp_jid_make are written as they are. */
XMPPDEF xmpp_err xmpp_jid_format(const xmpp_jid *jid, char *out, size_t size, size_t *need);

/* ======================================================================== >>sasl
   Crypto and SASL (RFC 6120 §6). Two parts:

   Primitives, each with no state outside the caller's struct: SHA-1 and SHA-256
   (xmpp_hash_*: one streaming API for both, the algorithm chosen at init), HMAC over
   either (xmpp_hmac_*), PBKDF2-HMAC (xmpp_pbkdf2), strict base64 (xmpp_b64_*, RFC 4648
   §4), a constant-time comparison (xmpp_ct_equal) and a wipe the compiler cannot drop
   (xmpp_wipe). Built in by default; with XMPP_BEARSSL defined, hashes and HMAC are
   BearSSL's (br_sha1_*, br_sha256_*, br_hmac_*) behind the same API.
   (libstrophe owns xmpp_sha1* and xmpp_base64_*, hence xmpp_hash_ and xmpp_b64_.)

   SASL mechanisms, sans-I/O: bytes in, bytes out. The stream layer carries them base64
   encoded in <auth/>, <challenge/>, <response/>, <success/> (an empty initial response
   goes as "=", RFC 6120 §6.4.2); everything here is the raw, decoded bytes.

   Client (xmpp_sasl):                          Server (xmpp_sasl_server):
     m = xmpp_sasl_select(offered, n, &policy)
     xmpp_sasl_start(&s, &cfg, out)  -> <auth mechanism=m> out
                                                   xmpp_sasl_server_start(&v, &scfg)
                                                   xmpp_sasl_server_step(&v, in, out):
                                                     XMPP_AGAIN -> <challenge> out
     xmpp_sasl_step(&s, challenge, out) -> <response> out    (SCRAM: once)
                                                     XMPP_OK    -> <success> out
     xmpp_sasl_success(&s, data)  (SCRAM: checks the server's signature in data)

   Every output goes to a caller buffer (out, size, *len). If it is too small the call
   returns XMPP_ERR_NOSPACE, sets *len to the size needed and changes nothing: call again
   with a larger buffer. Every other error is sticky; xmpp_sasl_error() says what and
   where (offset: the byte in the message being parsed). Secrets (the salted password,
   keys, signatures) live in the structs only while needed and are wiped at the end of
   an exchange, on any error, and by xmpp_sasl_wipe(). */

/* ---- hashes */

typedef enum xmpp_hash_alg {   /* the value is the digest size in bytes */
#ifndef XMPP_NO_SHA1
    XMPP_SHA1 = 20,
#endif
    XMPP_SHA256 = 32
} xmpp_hash_alg;

#define XMPP_HASH_MAX 32       /* the largest digest */

#ifdef XMPP_BEARSSL
#include <bearssl.h>
typedef struct xmpp_hash {     /* private */
    union { br_sha1_context sha1; br_sha256_context sha256; } u;
    unsigned alg;
} xmpp_hash;
typedef struct xmpp_hmac {     /* private */
    br_hmac_context c;
} xmpp_hmac;
#else
typedef struct xmpp_hash {     /* private */
    uint32_t h[8];             /* chaining value (SHA-1 uses 5 words) */
    uint64_t n;                /* bytes hashed so far */
    unsigned char buf[64];     /* the partial block: n % 64 bytes */
    unsigned alg;              /* xmpp_hash_alg */
} xmpp_hash;
typedef struct xmpp_hmac {     /* private */
    xmpp_hash in, out;         /* after H(K ^ ipad), after H(K ^ opad) */
} xmpp_hmac;
#endif

/* Start a hash. Any alg value but XMPP_SHA1 hashes as SHA-256 (a 32-byte digest). */
XMPPDEF void xmpp_hash_init(xmpp_hash *h, xmpp_hash_alg alg);
/* Hash n more bytes (data may be NULL when n is 0). */
XMPPDEF void xmpp_hash_update(xmpp_hash *h, const void *data, size_t n);
/* Write the digest (alg bytes) to out; h is then wiped (init it again to reuse it). */
XMPPDEF void xmpp_hash_final(xmpp_hash *h, unsigned char *out);
/* One shot: out = H(data). */
XMPPDEF void xmpp_hash_once(xmpp_hash_alg alg, const void *data, size_t n, unsigned char *out);

/* HMAC (RFC 2104) over alg. Keys of any length (longer than 64 bytes are hashed). */
XMPPDEF void xmpp_hmac_init(xmpp_hmac *m, xmpp_hash_alg alg, const void *key, size_t klen);
XMPPDEF void xmpp_hmac_update(xmpp_hmac *m, const void *data, size_t n);
/* Write the MAC (alg bytes); m is then wiped. */
XMPPDEF void xmpp_hmac_final(xmpp_hmac *m, unsigned char *out);
XMPPDEF void xmpp_hmac_once(xmpp_hash_alg alg, const void *key, size_t klen,
                            const void *data, size_t n, unsigned char *out);

/* PBKDF2 (RFC 8018 §5.2) with HMAC-alg: out = dklen bytes derived from the password,
   the salt and iterations (>= 1; 0 is taken as 1). */
XMPPDEF void xmpp_pbkdf2(xmpp_hash_alg alg, const void *pass, size_t plen, const void *salt,
                         size_t slen, uint32_t iterations, unsigned char *out, size_t dklen);

/* 1 if the n bytes at a and b are equal, else 0, in a time that depends only on n. */
XMPPDEF int xmpp_ct_equal(const void *a, const void *b, size_t n);

/* Zero n bytes in a way the compiler may not optimise away (secrets on the stack). */
XMPPDEF void xmpp_wipe(void *p, size_t n);

/* ---- base64 (RFC 4648 §4: the standard alphabet, padded, nothing else) */

/* Bytes of the encoding of n bytes, and the most bytes n characters can decode to:
   constant expressions, for buffer sizes. */
#define XMPP_B64_ENCODED_SIZE(n) (((size_t)(n) + 2) / 3 * 4)
#define XMPP_B64_DECODED_MAX(n)  ((size_t)(n) / 4 * 3)

/* Encode n bytes into out (size bytes; no NUL is written). *len = XMPP_B64_ENCODED_SIZE(n).
   Errors: XMPP_ERR_NOSPACE if size < *len (nothing written). */
XMPPDEF xmpp_err xmpp_b64_encode(const void *in, size_t n, char *out, size_t size, size_t *len);

/* Decode n characters into out (size bytes). Strict: only A-Z a-z 0-9 + /, the length a
   multiple of 4, '=' only as the last one or two characters, and the bits the padding
   leaves over must be zero (one canonical encoding per byte string). No white space.
   *len: the decoded length; on XMPP_ERR_BASE64, the offset of the first bad character.
   Errors: XMPP_ERR_BASE64 (nothing written), XMPP_ERR_NOSPACE if size < *len (the input
   is valid; nothing written). */
XMPPDEF xmpp_err xmpp_b64_decode(const char *in, size_t n, void *out, size_t size, size_t *len);

/* ---- SASL mechanisms */

typedef enum xmpp_sasl_mech {   /* in order of preference, weakest first */
    XMPP_SASL_NONE = 0,
    XMPP_SASL_ANONYMOUS,        /* RFC 4505 */
    XMPP_SASL_EXTERNAL,         /* RFC 4422 Appendix A: the TLS client certificate */
    XMPP_SASL_PLAIN,            /* RFC 4616 */
    XMPP_SASL_SCRAM_SHA_1,      /* RFC 5802 */
    XMPP_SASL_SCRAM_SHA_256,    /* RFC 7677 */
    XMPP_SASL_SCRAM_SHA_1_PLUS, /* with channel binding */
    XMPP_SASL_SCRAM_SHA_256_PLUS
} xmpp_sasl_mech;

/* The mechanism's registered name ("SCRAM-SHA-256-PLUS"), "" for XMPP_SASL_NONE. */
XMPPDEF const char *xmpp_sasl_mech_name(xmpp_sasl_mech m);
/* The mechanism named name (exact, case-sensitive: RFC 4422 §3.1 names are upper case),
   or XMPP_SASL_NONE for a name this library does not implement. */
XMPPDEF xmpp_sasl_mech xmpp_sasl_mech_from_name(xmpp_str name);

/* What the client has; zero fields: no. */
typedef struct xmpp_sasl_policy {
    uint8_t tls;          /* the stream is encrypted (TLS) */
    uint8_t cb;           /* channel-binding data is available (see xmpp_sasl_config) */
    uint8_t plain_clear;  /* allow PLAIN without TLS (the password goes in the clear) */
    uint8_t client_cert;  /* a TLS client certificate is in use: EXTERNAL first */
    uint8_t anonymous;    /* log in anonymously: ANONYMOUS, nothing else */
} xmpp_sasl_policy;

/* Choose from the server's offer (the <mechanism/> texts). Order: EXTERNAL if
   client_cert (and offered); then SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS (with cb and
   tls), SCRAM-SHA-256, SCRAM-SHA-1, PLAIN (with tls or plain_clear). With anonymous,
   only ANONYMOUS. Unknown names are skipped. Returns XMPP_SASL_NONE if nothing fits. */
XMPPDEF xmpp_sasl_mech xmpp_sasl_select(const xmpp_str *offered, size_t n,
                                        const xmpp_sasl_policy *policy);

/* 1 if the offer has a -PLUS mechanism (whether or not this library implements it):
   for xmpp_sasl_config.plus_offered. */
XMPPDEF int xmpp_sasl_plus_offered(const xmpp_str *offered, size_t n);

/* SCRAM iteration counts a client accepts by default: below 4096 (RFC 7677 §4's
   minimum) is too weak, above 100000 costs a small device minutes of PBKDF2 and is
   refused as a denial of service. Both are configurable per exchange. */
#define XMPP_SASL_MIN_ITERATIONS 4096
#define XMPP_SASL_MAX_ITERATIONS 100000
#define XMPP_SASL_NONCE_MAX 48   /* bytes of a client or server nonce we generate or accept
                                    as given (printable, no ','); 24 random bytes -> 32 */
#ifndef XMPP_SASL_SALT_MAX
#define XMPP_SASL_SALT_MAX 64    /* bytes of a salt that xmpp_sasl_cache can hold */
#endif

/* The result of PBKDF2, kept between logins so a device does not repeat thousands of
   iterations each time (RFC 5802 §5.1 allows caching). It is as secret as the password
   for this server: store it as you would the password. One cache per account and server. */
typedef struct xmpp_sasl_cache {
    uint32_t iterations;                      /* the server's i= */
    uint8_t alg;                              /* XMPP_SHA1 or XMPP_SHA256 */
    uint8_t valid;                            /* 1: filled by a verified exchange */
    uint8_t salt_len;
    unsigned char salt[XMPP_SASL_SALT_MAX];   /* the server's salt, decoded */
    unsigned char salted_password[XMPP_HASH_MAX];
} xmpp_sasl_cache;

/* The client's side of one exchange. Zero fields take the defaults. The strings are not
   copied: they must stay valid until the exchange ends. */
typedef struct xmpp_sasl_config {
    xmpp_sasl_mech mech;
    xmpp_str authcid;      /* username: SCRAM, PLAIN (SASLprep'd, see README) */
    xmpp_str password;     /* SCRAM (may be empty with a matching cache), PLAIN */
    xmpp_str authzid;      /* optional identity to act as: SCRAM a=, PLAIN, EXTERNAL */
    const unsigned char *cb_data; /* channel-binding data: for tls-server-end-point
                                     (RFC 5929) the hash of the server's certificate */
    size_t cb_len;         /* 0: no channel binding */
    xmpp_str cb_type;      /* its type name (default "tls-server-end-point") */
    uint8_t plus_offered;  /* the server offered a -PLUS mechanism. With cb_data and a
                              mechanism without -PLUS, 0 sends the GS2 flag 'y' ("I could
                              bind, you seem not to": a server that can fails us, a
                              downgrade); 1 sends 'n'. RFC 5802 §6 */
    xmpp_str nonce;        /* SCRAM client nonce as given (printable ASCII but ',',
                              1..XMPP_SASL_NONCE_MAX bytes; tests), or empty: */
    xmpp_rng_fn rng;       /* then 24 bytes from rng, base64 encoded */
    void *rng_ctx;
    uint32_t min_iterations;   /* default XMPP_SASL_MIN_ITERATIONS */
    uint32_t max_iterations;   /* default XMPP_SASL_MAX_ITERATIONS */
    xmpp_sasl_cache *cache;    /* NULL, or read (skip PBKDF2 when alg, salt and i match)
                                  and written (valid once the server is verified) */
} xmpp_sasl_config;

/* The client. Allocate it anywhere; all fields are private. */
typedef struct xmpp_sasl {
    uint8_t mech, state, gs2, nonce_len;
    uint32_t min_it, max_it;
    xmpp_str authcid, password, authzid, cb_type;
    const unsigned char *cb;
    size_t cb_len;
    xmpp_sasl_cache *cache;
    unsigned char sig[XMPP_HASH_MAX];   /* the ServerSignature we expect */
    char nonce[XMPP_SASL_NONCE_MAX];
    xmpp_errinfo err;
} xmpp_sasl;

/* Start an exchange: check cfg, make the nonce, write the initial response (the <auth/>
   content) to out. SCRAM: "n,,n=user,r=nonce" with its GS2 header; PLAIN:
   authzid NUL authcid NUL password; EXTERNAL: authzid; ANONYMOUS: nothing (*len 0).
   Errors: XMPP_ERR_INVALID (no mechanism, a -PLUS one without cb_data, SCRAM without a
   nonce, rng or password, a bad nonce, cb_type, iteration bounds, or a control
   character in a name or password: SASLprep), XMPP_ERR_SASL_MECHANISM (compiled out),
   XMPP_ERR_NOSPACE. */
XMPPDEF xmpp_err xmpp_sasl_start(xmpp_sasl *s, const xmpp_sasl_config *cfg,
                                 unsigned char *out, size_t size, size_t *len);

/* The server's challenge in, our response out. SCRAM takes one: the server-first-message
   (answered by the client-final-message, with the proof); a challenge carrying the
   server-final-message is verified as xmpp_sasl_success() would and answered with an
   empty response. Errors (sticky): XMPP_ERR_SASL_MALFORMED (a missing, duplicate,
   out-of-order or malformed attribute, bad base64, an empty salt, an unknown mandatory
   extension m=, an unexpected challenge), XMPP_ERR_AUTH (the nonce does not extend
   ours, the server sent e=: the message names the value; or a bad server signature),
   XMPP_ERR_POLICY_VIOLATION (iteration count outside [min, max]), XMPP_ERR_INVALID
   (no password and no matching cache); XMPP_ERR_NOSPACE (not sticky). */
XMPPDEF xmpp_err xmpp_sasl_step(xmpp_sasl *s, const void *challenge, size_t n,
                                unsigned char *out, size_t size, size_t *len);

/* The server said <success/> with these additional data (n may be 0). SCRAM: the data
   must be the server-final-message "v=<signature>" proving that the server knows the
   password (unless a challenge already carried it): otherwise XMPP_ERR_AUTH, and the
   login must be treated as failed. Other mechanisms: data must be empty. On XMPP_OK a
   cache given in the config is marked valid. Errors as for xmpp_sasl_step(). */
XMPPDEF xmpp_err xmpp_sasl_success(xmpp_sasl *s, const void *data, size_t n);

/* The error (code XMPP_OK while there is none). Valid as long as s. */
XMPPDEF const xmpp_errinfo *xmpp_sasl_error(const xmpp_sasl *s);

/* Wipe every secret in s (the exchange cannot continue). Safe to call twice. */
XMPPDEF void xmpp_sasl_wipe(xmpp_sasl *s);

/* ---- the server's side (SCRAM and PLAIN): verify one client */

/* A server's view of one account. SCRAM needs salt, iterations and either the keys or
   the password (the keys are then derived); PLAIN needs the password. */
typedef struct xmpp_sasl_server_config {
    xmpp_sasl_mech mech;       /* PLAIN or a SCRAM mechanism */
    xmpp_str username;         /* the account; any other authcid is XMPP_ERR_AUTH */
    xmpp_str password;
    const unsigned char *salt;
    size_t salt_len;
    uint32_t iterations;       /* default XMPP_SASL_MIN_ITERATIONS */
    const unsigned char *stored_key, *server_key;   /* alg bytes each, or NULL */
    const unsigned char *cb_data;   /* the server's channel-binding data (for -PLUS) */
    size_t cb_len;
    xmpp_str cb_type;          /* default "tls-server-end-point" */
    uint8_t plus_offered;      /* we advertised -PLUS: a client's 'y' flag fails */
    xmpp_str nonce;            /* the server's nonce part as given, or empty: */
    xmpp_rng_fn rng;           /* 24 random bytes from rng, base64 encoded */
    void *rng_ctx;
} xmpp_sasl_server_config;

#ifndef XMPP_SASL_SERVER_BUF
#define XMPP_SASL_SERVER_BUF 512   /* bytes for the client's first message and ours */
#endif

typedef struct xmpp_sasl_server {   /* all fields private */
    xmpp_sasl_server_config cfg;
    uint8_t state, alg, snonce_len;
    uint16_t gs2_len, am_len;        /* buf: GS2 header, then the AuthMessage's first part */
    uint16_t nonce_at, nonce_len;    /* the combined nonce, in buf */
    uint16_t authz_at, authz_len;    /* the decoded authzid, in buf */
    unsigned char stored[XMPP_HASH_MAX], server[XMPP_HASH_MAX];
    char snonce[XMPP_SASL_NONCE_MAX];
    char buf[XMPP_SASL_SERVER_BUF];
    xmpp_errinfo err;
} xmpp_sasl_server;

/* Start verifying one client with this account (cfg is copied; its strings must stay
   valid until the exchange ends). Errors: XMPP_ERR_INVALID. */
XMPPDEF xmpp_err xmpp_sasl_server_start(xmpp_sasl_server *v, const xmpp_sasl_server_config *cfg);

/* The client's message in (the initial response first), ours out. Returns XMPP_AGAIN:
   send out as a <challenge/> and feed the response; XMPP_OK: the client is
   authenticated, send <success/> with out (SCRAM: the server-final-message).
   Errors (sticky): XMPP_ERR_SASL_MALFORMED, XMPP_ERR_AUTH (unknown user, bad password
   or proof, channel binding mismatch, 'y' while we offered -PLUS), XMPP_ERR_POLICY_VIOLATION
   (a message longer than the buffer), XMPP_ERR_NOSPACE (not sticky). */
XMPPDEF xmpp_err xmpp_sasl_server_step(xmpp_sasl_server *v, const void *in, size_t n,
                                       unsigned char *out, size_t size, size_t *len);

/* After XMPP_OK: the authorization identity the client asked for (empty if none).
   Points into v; valid until the next start. */
XMPPDEF xmpp_str xmpp_sasl_server_authzid(const xmpp_sasl_server *v);

XMPPDEF const xmpp_errinfo *xmpp_sasl_server_error(const xmpp_sasl_server *v);

/* StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword,
   "Server Key") (alg bytes each) from a password: what a server stores (RFC 5802 §3).
   The password is used as given (SASLprep it first). */
XMPPDEF void xmpp_sasl_scram_keys(xmpp_hash_alg alg, xmpp_str password, const void *salt,
                                  size_t slen, uint32_t iterations, unsigned char *stored_key,
                                  unsigned char *server_key);

/* ======================================================================== >>stream
   The client stream (RFC 6120), sans-I/O: bytes in with xmpp_stream_feed(), bytes out
   with xmpp_stream_output()/xmpp_stream_output_ack(), events pulled with
   xmpp_stream_next(), time passed in with xmpp_stream_tick(). No socket, clock,
   malloc or global state inside. The negotiation, in order:

       §4.2   our stream header; theirs (version 1.0, an id)
       §4.3.2 <stream:features/>
       §5     STARTTLS, when offered and wanted: <starttls/>, <proceed/>; then the TLS
              handshake through the TLS hook given in the config (>>tls), or, without
              one, the application's own (XMPP_STREAM_STARTTLS, xmpp_stream_tls_done())
       §6     SASL: the strongest mechanism both offer (>>sasl), <auth/>, challenges,
              <success/> (the server proven, for SCRAM), then a stream restart (§4.3.3)
       §7     resource binding (the server's resource, or the one configured)
              and the legacy session (RFC 3921) only when the server marks it required
              online: XMPP_STREAM_ONLINE with the bound full JID; stanzas both ways
       §4.4   closing: </stream:stream> both ways

       static unsigned char mem[16384];        at least xmpp_stream_mem_size(&cfg)
       xmpp_stream s;  xmpp_stream_event ev;  size_t n, off, used;  ssize_t k;
       xmpp_stream_init(&s, &cfg, mem, sizeof mem);
       while (!(xmpp_stream_wants(&s) & XMPP_WANT_CLOSED)) {
           const unsigned char *out = xmpp_stream_output(&s, &n);
           if (n && (k = write(fd, out, n)) > 0) xmpp_stream_output_ack(&s, (size_t)k);
           k = read(fd, buf, sizeof buf);  n = k > 0 ? (size_t)k : 0;  off = 0;   (poll() too)
           while (off < n) {                           feed stops while an event waits
               xmpp_stream_feed(&s, buf + off, n - off, &used);  off += used;
               while (xmpp_stream_next(&s, &ev)) handle(&ev);
               if (!used) break;                       TLS output must go out first
           }
           xmpp_stream_tick(&s, now_ms());
       }                      (and with TLS: while wants() says FEED, feed(NULL, 0) first)

   With a TLS hook in the config (cfg.tls_hook, say a BearSSL backend), the stream runs
   TLS itself: feed() takes and output() gives the bytes on the wire (TLS records once
   the handshake starts), at STARTTLS or, with cfg.direct_tls, from the first byte
   (XEP-0368). The loop above stays the same; keep the bytes feed() did not take, and
   when xmpp_stream_wants() says XMPP_WANT_FEED, feed nothing (NULL, 0) before reading
   the network again: the backend holds decrypted bytes the stream has not taken yet. */

/* ---- §3.2 finding the server: DNS SRV records (RFC 2782), sans-I/O
   RFC 6120 §3.2.1: look up _xmpp-client._tcp.DOMAIN (XEP-0368: _xmpps-client._tcp for
   direct TLS), try the targets in RFC 2782 order, and only when there is no SRV record
   fall back to DOMAIN itself on the default port (§3.2.2). These build the query and read
   the answer; sending them over UDP is the platform's (xmpp_posix_resolve below, or your
   own socket on firmware).

       unsigned char q[512];  size_t n;  xmpp_srv_target t[8];  size_t count;
       xmpp_srv_query(q, sizeof q, &n, id, "_xmpp-client._tcp", domain);   then send q
       xmpp_srv_parse(answer, len, q, n, t, 8, &count);   XMPP_AGAIN: no SRV, fall back
       xmpp_srv_order(t, count, rng, ctx);                 then connect to t[0], t[1], ... */

#define XMPP_SRV_HOST_MAX 253   /* bytes of a target name written out (RFC 1035 §2.3.4: 255
                                   on the wire), NUL extra */

typedef struct xmpp_srv_target {
    uint16_t priority, weight, port;
    char host[XMPP_SRV_HOST_MAX + 1];   /* NUL-terminated, no trailing dot */
} xmpp_srv_target;

/* A DNS query (RFC 1035 §4.1, recursion desired) for the SRV records of
   SERVICE.DOMAIN with the id given (pick it at random: it is what ties the answer to
   the question), into out; *len its length. Errors: XMPP_ERR_INVALID (an empty label, a
   label over 63 bytes, a name over 255), XMPP_ERR_NOSPACE (size too small; 12 + 4 + the
   name + 2 bytes always suffice, 273 at most). */
XMPPDEF xmpp_err xmpp_srv_query(unsigned char *out, size_t size, size_t *len, uint16_t id,
                                const char *service, xmpp_str domain);

/* The SRV records in the answer msg (len bytes) to query (qlen bytes: what
   xmpp_srv_query() wrote and you sent), into out (up to max; *count how many). The answer
   must carry the query's id and its question, unchanged but for letter case (RFC 5452
   §4: what ties an answer to its question). Returns XMPP_OK with at least one;
   XMPP_AGAIN when there is no SRV record (NXDOMAIN, or no answer: fall back to the
   domain, RFC 6120 §3.2.2); XMPP_ERR_AUTH when the only record's target is "." (RFC 2782:
   the service is decidedly not available there: do not fall back); XMPP_ERR_PROTOCOL (not
   an answer to this query: another id or question, not a response, truncated (TC: ask
   over TCP), a server failure, or malformed: compression loops, pointers or lengths out of
   the message). */
XMPPDEF xmpp_err xmpp_srv_parse(const unsigned char *msg, size_t len, const unsigned char *query, size_t qlen,
                                xmpp_srv_target *out, size_t max, size_t *count);

/* RFC 2782 order: by priority, lowest first; within one priority a weighted random pick,
   each record chosen with probability weight / (sum of the remaining weights), weight 0
   ones first among equals (as the RFC's algorithm puts them). rng: 4 bytes per pick. */
XMPPDEF void xmpp_srv_order(xmpp_srv_target *t, size_t n, xmpp_rng_fn rng, void *ctx);

#ifndef XMPP_STREAM_SASL_MAX
#define XMPP_STREAM_SASL_MAX 512   /* bytes of one decoded SASL message, in or out (SCRAM's
                                      are ~100-200; PLAIN's: username + password + 2) */
#endif
#ifndef XMPP_STREAM_JID_MAX
#define XMPP_STREAM_JID_MAX 512    /* bytes of the bound JID kept (RFC 7622 allows 3071); at
                                      least 64 (before the bind it holds the TLS name and
                                      the channel-binding data) */
#endif

typedef struct xmpp_tls xmpp_tls;   /* the TLS hook (>>tls) */

typedef enum xmpp_tls_policy {
    XMPP_TLS_REQUIRED = 0,   /* default: STARTTLS or fail (a server without it is refused) */
    XMPP_TLS_OPTIONAL,       /* STARTTLS when offered, plaintext otherwise */
    XMPP_TLS_NEVER           /* plaintext only (tests on loopback, a link already secured) */
} xmpp_tls_policy;

/* What the client needs. Strings are not copied: keep them valid while the client runs.
   Zero fields take the defaults. */
typedef struct xmpp_stream_config {
    xmpp_str jid;              /* local@domain or local@domain/resource (the resource asked for) */
    xmpp_str password;         /* SCRAM, PLAIN; may be empty with a valid SCRAM cache */
    xmpp_sasl_cache *cache;    /* optional: SCRAM salted password kept between logins */
    xmpp_rng_fn rng;           /* required: SCRAM nonces and stanza ids */
    void *rng_ctx;
    xmpp_tls_policy tls;
    uint8_t plain_clear;       /* allow SASL PLAIN without TLS (the password in clear text) */
    xmpp_tls *tls_hook;        /* a TLS backend (>>tls), initialised, not started: the stream
                                  runs the handshake itself (SNI and the name verified: the
                                  JID's domain) and binds SCRAM-*-PLUS to it. NULL: the
                                  application runs TLS (XMPP_STREAM_STARTTLS) */
    uint8_t direct_tls;        /* with tls_hook: TLS from the first byte (XEP-0368, ALPN
                                  "xmpp-client"), no STARTTLS */
    uint8_t client_cert;       /* the TLS backend has a client certificate: log in with SASL
                                  EXTERNAL (XEP-0178) when the server offers it */
    uint8_t anonymous;         /* log in with SASL ANONYMOUS (RFC 4505): the JID is then just
                                  the domain, and the server names us */
    const char *mechanism;     /* only this SASL mechanism ("PLAIN", "SCRAM-SHA-1", ...; the
                                  policy still holds: no PLAIN in clear text unless
                                  plain_clear); NULL: the strongest both offer */
    uint8_t tls_active;        /* without tls_hook: the transport is TLS already (the
                                  application's direct TLS) */
    uint32_t timeout_ms;       /* each negotiation step, a ping, the closing (default 30000) */
    uint32_t ping_ms;          /* XEP-0199 keepalive after this much silence (0: none) */
    size_t arena;              /* stanza arena bytes (default 4096) */
    size_t out;                /* output buffer bytes (default 2048) */
    size_t xml_buf;            /* tokenizer buffer bytes (default 4096; more deeply nested
                                  or bigger start tags than fit are policy-violation;
                                  xmpp_xml_buffer_size(&limits) bytes never run out) */
    xmpp_xml_limits limits;    /* tokenizer limits (zero: defaults) */
    const unsigned char *cb_data;   /* without tls_hook: channel binding (tls-server-end-point)
                                       of the application's TLS, if any */
    size_t cb_len;
    /* Trace: each state change with its RFC section, each chunk in and out (SASL
       exchanges masked). NULL: none. Compiled out with XMPP_NO_TRACE. */
    void (*trace)(void *ctx, int kind, const char *text, size_t n);
    void *trace_ctx;
} xmpp_stream_config;

/* Trace kinds: a state change (text: its RFC section and what it waits for), a chunk in
   or out (plaintext XML; our SASL messages are replaced by "(SASL message, not shown)"),
   and each SASL message decoded from base64, ours with its secrets replaced by
   "(hidden)" (PLAIN's password, SCRAM's ClientProof). */
enum { XMPP_TRACE_STATE = 1, XMPP_TRACE_IN, XMPP_TRACE_OUT, XMPP_TRACE_SASL_IN, XMPP_TRACE_SASL_OUT };

typedef enum xmpp_stream_event_kind {
    XMPP_STREAM_NONE = 0,
    XMPP_STREAM_STARTTLS,      /* no tls_hook: run the TLS handshake now, then call
                                  xmpp_stream_tls_done() */
    XMPP_STREAM_ONLINE,        /* logged in and bound: jid is the full JID */
    XMPP_STREAM_STANZA,        /* a stanza (message, presence, iq) arrived: stanza */
    XMPP_STREAM_SKIPPED,       /* a stanza did not fit the arena and was skipped (name: its
                              element name, if known); the stream goes on */
    XMPP_STREAM_ERROR,  /* the server sent a stream error: condition, text (for
                              see-other-host, text is the host to go to) */
    XMPP_STREAM_SASL_FAILURE,  /* authentication failed: condition (RFC 6120 §6.5), text */
    XMPP_STREAM_CLOSED         /* the stream is over: err XMPP_OK if both sides closed cleanly,
                              else why (condition, text); close the transport */
} xmpp_stream_event_kind;

typedef struct xmpp_stream_event {
    xmpp_stream_event_kind kind;
    xmpp_str jid;                 /* ONLINE */
    const xmpp_node *stanza;      /* STANZA: valid until the next feed */
    xmpp_str condition, text;     /* STREAM_ERROR, SASL_FAILURE, CLOSED */
    xmpp_err err;                 /* CLOSED */
    size_t unsent;                /* CLOSED: bytes we had queued that never went out (the
                                     connection or TLS was gone first: plaintext not yet
                                     sealed plus TLS records not yet sent); 0 otherwise */
} xmpp_stream_event;

typedef enum xmpp_stream_state {
    XMPP_STATE_START, XMPP_STATE_HEADER, XMPP_STATE_FEATURES, XMPP_STATE_STARTTLS, XMPP_STATE_TLS,
    XMPP_STATE_SASL, XMPP_STATE_BIND, XMPP_STATE_SESSION, XMPP_STATE_ONLINE, XMPP_STATE_CLOSING,
    XMPP_STATE_CLOSED
} xmpp_stream_state;

#define XMPP__EVQ 4
typedef struct xmpp_stream {
    /* private; the small fields first: Thumb code reaches the first 32 bytes (and words
       up to 124) with one instruction, farther fields take two or three */
    uint8_t state, tls, authed, session, building, closed_sent, ping_out, ticked, mech, nev, ev0;
    uint8_t tls_run, tls_closing;  /* the hook is started; its close_notify is queued */
    unsigned char *out, *scratch;
    size_t out_len, out_size;
    char *jid;                    /* the bound JID */
    size_t jid_len;
    const char *cb_type;           /* channel binding of the hook's TLS (kept in jid until */
    size_t cb_len;                 /* the bind): its type name and length */
    uint64_t now, deadline, last_rx;
    xmpp_stream_config cfg;
    xmpp_errinfo err;
    xmpp_stream_event ev[XMPP__EVQ];
    xmpp_tree st;
    xmpp_sasl sasl;
    xmpp_builder b;
    xmpp_xml xml;
} xmpp_stream;

/* Bytes of memory xmpp_stream_init() needs for this config (tokenizer buffer, stanza
   arena, output buffer, SASL scratch, the bound JID). */
XMPPDEF size_t xmpp_stream_mem_size(const xmpp_stream_config *cfg);

/* Set up a client in mem (any alignment) and queue our stream header. Errors:
   XMPP_ERR_INVALID (no JID, a JID without a domain, no rng, mem too small),
   XMPP_ERR_NOSPACE (the output buffer, cfg->out, cannot hold our stream header: the
   stream is CLOSED). A negotiation message that does not fit the output buffer later
   (a restart's header, <auth/>, the bind) ends the stream the same way. */
XMPPDEF xmpp_err xmpp_stream_init(xmpp_stream *c, const xmpp_stream_config *cfg, void *mem, size_t size);

/* Bytes received from the server. Stops early (*used < len) while an event is waiting:
   pull events, then feed the rest. With a TLS hook it also stops when the TLS backend's
   buffer is full (a half-duplex BearSSL buffer while output waits): send the output, then
   feed the rest; and data NULL with len 0 hands on what the backend holds
   (XMPP_WANT_FEED). Returns XMPP_OK or, once the stream is over, the reason (also in the
   XMPP_STREAM_CLOSED event). */
XMPPDEF xmpp_err xmpp_stream_feed(xmpp_stream *c, const void *data, size_t len, size_t *used);

/* The server closed the connection (recv() gave 0): XMPP_STREAM_CLOSED follows, with
   XMPP_ERR_CLOSED if the stream had not ended (XMPP_ERR_TLS_CLOSED inside a TLS
   handshake or without the server's close_notify), XMPP_OK if we had closed it and were
   waiting for the server's </stream:stream>. */
XMPPDEF void xmpp_stream_eof(xmpp_stream *c);

/* The next event: 1 and *ev, or 0 when there is none. */
XMPPDEF int xmpp_stream_next(xmpp_stream *c, xmpp_stream_event *ev);

/* Bytes to send to the server (*n = 0: none), valid until the next call on s; then how
   many of them went out. With a TLS hook these are TLS records (what was queued in
   plaintext is sealed here, as much as the backend takes). */
XMPPDEF const unsigned char *xmpp_stream_output(xmpp_stream *c, size_t *n);
XMPPDEF void xmpp_stream_output_ack(xmpp_stream *c, size_t n);

/* What the stream waits for: XMPP_WANT_READ (bytes from the server), XMPP_WANT_WRITE
   (output to send), XMPP_WANT_CLOSED (it is over: send what is left, close the
   transport), XMPP_WANT_TLS (no tls_hook: run the TLS handshake, XMPP_STREAM_STARTTLS),
   XMPP_WANT_FEED (with a tls_hook: the backend holds decrypted bytes that arrived while an
   event waited; call xmpp_stream_feed(s, NULL, 0, &used) for them before waiting for the
   network: one record can carry many stanzas, and they are handed on one event at a
   time, so that what you send in answer to each can go out before the next). */
enum { XMPP_WANT_READ = 1, XMPP_WANT_WRITE = 2, XMPP_WANT_CLOSED = 4, XMPP_WANT_TLS = 8, XMPP_WANT_FEED = 16 };
XMPPDEF unsigned xmpp_stream_wants(const xmpp_stream *c);

/* The time now, in milliseconds from any origin. Timeouts and keepalive pings run from
   here: call it right after xmpp_stream_init() (the first call sets the clock) and then
   every second or so. */
XMPPDEF void xmpp_stream_tick(xmpp_stream *c, uint64_t now_ms);

/* Without tls_hook, after XMPP_STREAM_STARTTLS: TLS is up; the client restarts the stream
   over it. */
XMPPDEF void xmpp_stream_tls_done(xmpp_stream *c);

/* Send a stanza: build it with the returned builder (whose default namespace is
   jabber:client), then xmpp_stream_send_end(). NULL unless online. send_end returns
   XMPP_OK (queued in the output), XMPP_ERR_NOSPACE (not queued: the output buffer is too
   full; send what is there and try again) or the builder's error. Nothing is queued
   halfway. Finish a stanza (send_end) before the next feed, tick or close: those may
   write to the output themselves. */
XMPPDEF xmpp_builder *xmpp_stream_send_begin(xmpp_stream *c);
XMPPDEF xmpp_err xmpp_stream_send_end(xmpp_stream *c);

/* A fresh stanza id ("x" + 16 random characters), written to out (18 bytes). NULL if
   size is smaller. */
XMPPDEF char *xmpp_stream_make_id(xmpp_stream *c, char *out, size_t size);

/* Close: </stream:stream>, then XMPP_STREAM_CLOSED when the server closes too (or after the
   timeout). During a TLS handshake there is no stream yet: CLOSED at once (with a hook:
   after its close_notify, in the output). */
XMPPDEF void xmpp_stream_close(xmpp_stream *c);

XMPPDEF xmpp_stream_state xmpp_stream_state_of(const xmpp_stream *c);

/* The SASL mechanism chosen ("SCRAM-SHA-1", ...), "" before there is one. */
XMPPDEF const char *xmpp_stream_mechanism(const xmpp_stream *c);

/* ======================================================================== >>tls
   The TLS hook: what the stream calls at STARTTLS (RFC 6120 §5) or at connect for direct
   TLS (XEP-0368). Sans-I/O, like every layer: the hook never touches a socket. Ciphertext
   goes in with xmpp_tls_feed() and comes out with xmpp_tls_output()/_output_ack();
   plaintext goes in with xmpp_tls_write() and comes out with xmpp_tls_read()/_read_ack().

       network bytes --> xmpp_tls_feed() ........ xmpp_tls_read() --> XML tokenizer
       network bytes <-- xmpp_tls_output() ..... xmpp_tls_write() <-- stanzas you build

   A backend (BearSSL below, or mbedTLS, wolfSSL, OpenSSL written by you) is a struct whose
   first member is an xmpp_tls; its init function fills in the class pointer. Everything
   else the stream needs goes through the functions below, which only dispatch, so this
   part compiles without any TLS library. README.md ("TLS") states the contract a backend
   must keep: who owns which buffer, when each function may be called, what each returns.

   The loop, for one connection (the stream does this; tests/test_tls.c does it by hand):
       xmpp_tls_start(t, "example.com", NULL);                  SNI + name to verify
       while (xmpp_tls_state(t) <= XMPP_TLS_OPEN) {             HANDSHAKING or OPEN
           while ((p = xmpp_tls_output(t, &n)) != NULL) { n = send(fd, p, n); xmpp_tls_output_ack(t, n); }
           n = recv(fd, buf, sizeof buf);                        (0: xmpp_tls_eof(t))
           for (off = 0; off < n; off += used) {
               xmpp_tls_feed(t, buf + off, n - off, &used);      may take less: then read first
               while ((p = xmpp_tls_read(t, &m)) != NULL) { consume(p, m); xmpp_tls_read_ack(t, m); }
               if (!used && xmpp_tls_state(t) != XMPP_TLS_OPEN) break;   failed or closed
           }
           xmpp_tls_write(t, stanza, len, &used);                only once OPEN; may take less
       }
       if (xmpp_tls_error(t)->code) report(xmpp_tls_error(t)->message);

   Errors (sticky, xmpp_tls_error() gives the precise message; xmpp_err_condition() is
   NULL for them: after a TLS failure no stream error can be sent, RFC 6120 §5.4.3.2 says
   close the TCP connection):
       XMPP_ERR_TLS            handshake failure, alert from the peer, bad record, no
                               common cipher suite or version, client certificate refused
       XMPP_ERR_TLS_UNTRUSTED  the server's chain does not end at a trust anchor (unknown
                               CA), or a certificate in it is unusable (not a CA, bad
                               signature, critical extension, weak key, malformed)
       XMPP_ERR_TLS_NAME       the certificate does not name the XMPP domain
       XMPP_ERR_TLS_EXPIRED    a certificate is expired or not yet valid at config time
       XMPP_ERR_TLS_CLOSED     the transport closed during the handshake (state FAILED), or
                               after it without a close_notify (state CLOSED: truncation
                               cannot be excluded; </stream:stream> tells if the stream ended) */

typedef enum xmpp_tls_status {
    XMPP_TLS_IDLE = 0,      /* initialised, not started */
    XMPP_TLS_HANDSHAKING,   /* started: feed and output until OPEN */
    XMPP_TLS_OPEN,          /* handshake done: application data both ways */
    XMPP_TLS_CLOSED,        /* close_notify exchanged, or the transport closed (see error) */
    XMPP_TLS_FAILED         /* fatal error: xmpp_tls_error(); drop the TCP connection */
} xmpp_tls_status;

/* Channel-binding types (RFC 5056) for SCRAM-*-PLUS (RFC 5802 §6) and XEP-0440. */
typedef enum xmpp_tls_cb {
    XMPP_TLS_CB_SERVER_END_POINT,   /* RFC 5929 §4: hash of the server's certificate */
    XMPP_TLS_CB_UNIQUE,             /* RFC 5929 §3: first Finished of the last handshake */
    XMPP_TLS_CB_EXPORTER            /* RFC 9266: needs TLS 1.3 or the extended master secret */
} xmpp_tls_cb;

/* Longest channel-binding data: a SHA-512 hash. */
#define XMPP_TLS_CB_MAX 64

/* What a backend implements; one static const instance per backend. Each member has the
   contract of the xmpp_tls_ function of the same name below. */
typedef struct xmpp_tls_class {
    xmpp_err (*start)(xmpp_tls *t, const char *server_name, const char *alpn);
    xmpp_err (*feed)(xmpp_tls *t, const unsigned char *data, size_t len, size_t *used);
    xmpp_err (*eof)(xmpp_tls *t);
    const unsigned char *(*output)(xmpp_tls *t, size_t *len);
    void (*output_ack)(xmpp_tls *t, size_t n);
    xmpp_err (*write)(xmpp_tls *t, const unsigned char *data, size_t len, size_t *used);
    const unsigned char *(*read)(xmpp_tls *t, size_t *len);
    void (*read_ack)(xmpp_tls *t, size_t n);
    void (*close)(xmpp_tls *t);
    xmpp_tls_status (*state)(xmpp_tls *t);
    const xmpp_errinfo *(*error)(xmpp_tls *t);
    xmpp_err (*peer_cert)(xmpp_tls *t, const unsigned char **der, size_t *len);
    xmpp_err (*channel_binding)(xmpp_tls *t, xmpp_tls_cb type, unsigned char *out,
                                size_t size, size_t *len);
} xmpp_tls_class;

/* The hook: the first member of every backend's state struct. */
struct xmpp_tls {
    const xmpp_tls_class *vt;   /* set by the backend's init */
};

/* Begin a client handshake. server_name: the XMPP domain (A-labels for IDNs), sent as SNI
   (RFC 6066 §3) and verified against the server's certificate; NULL or "" only when the
   backend was told not to verify. alpn: NULL, or a protocol name to offer with ALPN (RFC
   7301): "xmpp-client" for direct TLS (XEP-0368); NULL for STARTTLS. Both strings are
   copied. Calling it again starts over on a fresh connection (no session resumption).
   Errors: XMPP_ERR_INVALID (name missing or longer than 255 bytes, alpn empty or longer
   than the backend keeps: RFC 7301 allows 255 bytes, the BearSSL backend keeps 63);
   XMPP_ERR_TLS (the backend could not start: see xmpp_tls_error()). */
XMPPDEF xmpp_err xmpp_tls_start(xmpp_tls *t, const char *server_name, const char *alpn);

/* Push ciphertext received from the network. *used gets how many bytes were taken (all
   of them, unless the engine holds decrypted data that xmpp_tls_read() must take first,
   or it failed): feed the rest later. After a fatal error, takes nothing and returns the
   sticky code. Returns XMPP_OK or the error (state FAILED). */
XMPPDEF xmpp_err xmpp_tls_feed(xmpp_tls *t, const unsigned char *data, size_t len, size_t *used);

/* The transport reached end of file (recv() returned 0). During the handshake this is
   XMPP_ERR_TLS_CLOSED and state FAILED; when OPEN without the peer's close_notify, state
   becomes CLOSED with error XMPP_ERR_TLS_CLOSED; after a close_notify, XMPP_OK. */
XMPPDEF xmpp_err xmpp_tls_eof(xmpp_tls *t);

/* Ciphertext to send: a pointer to *len bytes inside the backend's buffer, or NULL (*len
   = 0) when there is nothing to send. Valid until the next call on t. Send what you can,
   then xmpp_tls_output_ack() the number of bytes actually sent (0..*len). */
XMPPDEF const unsigned char *xmpp_tls_output(xmpp_tls *t, size_t *len);
XMPPDEF void xmpp_tls_output_ack(xmpp_tls *t, size_t n);

/* Push plaintext to send (state OPEN). *used gets how many bytes were taken: fewer than
   len (maybe 0) while the handshake runs or the output buffer is full; send output and
   call again with the rest. What was taken is sealed into records at once, so it is in
   xmpp_tls_output() when this returns. Errors: the sticky code once FAILED;
   XMPP_ERR_INVALID after xmpp_tls_close() or when CLOSED. */
XMPPDEF xmpp_err xmpp_tls_write(xmpp_tls *t, const unsigned char *data, size_t len, size_t *used);

/* Plaintext received: a pointer to *len bytes inside the backend's buffer, or NULL (*len =
   0) when none is waiting. Valid until the next call on t. Consume 0..*len bytes and
   acknowledge them with xmpp_tls_read_ack(). */
XMPPDEF const unsigned char *xmpp_tls_read(xmpp_tls *t, size_t *len);
XMPPDEF void xmpp_tls_read_ack(xmpp_tls *t, size_t n);

/* Send close_notify (RFC 5246 §7.2.1): it appears in xmpp_tls_output(). No more writes.
   The state becomes CLOSED when the peer's close_notify arrives (or at xmpp_tls_eof()). */
XMPPDEF void xmpp_tls_close(xmpp_tls *t);

/* Where the connection is (see xmpp_tls_status). */
XMPPDEF xmpp_tls_status xmpp_tls_state(xmpp_tls *t);

/* The sticky error: code XMPP_OK while all is well, else one of the codes above with a
   precise message. Valid as long as t. */
XMPPDEF const xmpp_errinfo *xmpp_tls_error(xmpp_tls *t);

/* The server's end-entity certificate, DER, as received in the handshake (whether or not
   it was verified: look at the state). *der points into the backend's storage, valid until
   the next xmpp_tls_start(). Errors: XMPP_AGAIN (no certificate received yet);
   XMPP_ERR_NOSPACE (the backend was given no storage, or too little: *len gets the size
   it needed, *der NULL). */
XMPPDEF xmpp_err xmpp_tls_peer_cert(xmpp_tls *t, const unsigned char **der, size_t *len);

/* Channel-binding data of this connection (state OPEN), written to out (size bytes;
   XMPP_TLS_CB_MAX always suffice), length in *len.
     XMPP_TLS_CB_SERVER_END_POINT: the hash of the server's certificate (RFC 5929 §4.1):
       with the hash of its signature algorithm, SHA-256 when that is MD5 or SHA-1;
       undefined (XMPP_ERR_INVALID) for signature algorithms with no single hash (PSS,
       EdDSA).
     XMPP_TLS_CB_UNIQUE: the first Finished message of the handshake (RFC 5929 §3.1).
     XMPP_TLS_CB_EXPORTER: 32 bytes of the exporter "EXPORTER-Channel-Binding" (RFC
       9266), only on TLS 1.3 or with the extended master secret (RFC 7627).
   Errors: XMPP_AGAIN (handshake not finished); XMPP_ERR_INVALID (this type is undefined
   or unsound on this connection, or unknown); XMPP_ERR_NOSPACE (size too small; *len gets
   the size needed). */
XMPPDEF xmpp_err xmpp_tls_channel_binding(xmpp_tls *t, xmpp_tls_cb type, unsigned char *out,
                                          size_t size, size_t *len);

/* ---- the BearSSL backend (define XMPP_BEARSSL; link -lbearssl)
   BearSSL's own sans-I/O engine (no BearSSL socket wrappers), everything in caller
   memory. TLS 1.2 only (BearSSL 0.6 has no TLS 1.3), ECDHE with ECDSA or RSA
   certificates, AES-GCM and ChaCha20-Poly1305; no renegotiation, no session resumption.

   Buffer: XMPP_TLS_BUF_SIZE(log2, bidi) bytes. log2 is the largest record plaintext the
   engine takes, 2^log2: 14 (16384, any server) or 9..12 (512..4096): then the client asks
   the server for that Maximum Fragment Length (RFC 6066 §4; BearSSL does it by itself
   when the buffer is smaller than the full size), and a server that ignores the request
   fails the connection with a record too large. bidi 1: full duplex (separate input and
   output halves); 0: half duplex (one shared buffer: nothing is received while output is
   waiting to be sent, so always drain xmpp_tls_output() before feeding). Sizes:
       XMPP_TLS_BUF_SIZE(14, 1) = 33178 (BR_SSL_BUFSIZE_BIDI)   XMPP_TLS_BUF_SIZE(14, 0) = 16709
       XMPP_TLS_BUF_SIZE(12, 1) =  8602                         XMPP_TLS_BUF_SIZE(12, 0) =  4421
       XMPP_TLS_BUF_SIZE(10, 1) =  2458                         XMPP_TLS_BUF_SIZE(10, 0) =  1349
       XMPP_TLS_BUF_SIZE( 9, 1) =  1434                         XMPP_TLS_BUF_SIZE( 9, 0) =   837
   A buffer between two sizes is used up to the lower one. The state struct
   (xmpp_tls_bearssl) is 6992 bytes on Cortex-M0+ (7496 on x86-64): BearSSL's client
   context 3408 and its X.509 validator 3048 of them. Both servers of the interop tests
   (Prosody 0.12, ejabberd 23.01) honour max_fragment_length, so XMPP_TLS_BUF_SIZE(9, 0) =
   837 bytes works with them (README.md, "TLS").

   Verification is on unless XMPP_TLS_INSECURE_NO_VERIFY is set: the chain must end at one
   of the trust anchors (br_x509_minimal: basic constraints and key usage enforced, no
   revocation checks), every certificate must be valid at config.now, and the server name
   given to xmpp_tls_start() must match a dNSName of the end-entity certificate (RFC 6125
   §6.4: case-insensitive, a wildcard only as the whole leftmost label; BearSSL falls back
   to the subject CN only when the certificate has no subjectAltName extension at all).
   id-on-xmppAddr and SRV-ID names are not checked. */
#ifdef XMPP_BEARSSL
#include <bearssl.h>

#define XMPP_TLS_BUF_SIZE(log2, bidi) \
    (((size_t)1 << (log2)) + 325 + ((bidi) ? ((size_t)1 << (log2)) + 85 : 0))

/* Accept any server certificate, unverified: for tests against a server whose certificate
   you cannot check. The name says what it does; never set it in a product. */
#define XMPP_TLS_INSECURE_NO_VERIFY 0x0001u

/* A private key decoded by xmpp_tls_bearssl_key_decode(): the views point into caller storage. */
typedef struct xmpp_tls_bearssl_key {
    int type;                      /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC; 0: none */
    union {
        br_rsa_private_key rsa;
        br_ec_private_key ec;
    } k;
} xmpp_tls_bearssl_key;

/* Zero = default for every field. All pointers are kept (nothing is copied): what they
   point at must outlive the xmpp_tls_bearssl. */
typedef struct xmpp_tls_bearssl_config {
    const br_x509_trust_anchor *anchors;   /* trust anchors (xmpp_tls_bearssl_anchors() makes
                                              them from PEM); required unless INSECURE */
    size_t nanchors;
    int64_t now;             /* the time for certificate validity, Unix seconds (UTC);
                                0: BearSSL's own clock (time() where BearSSL was built
                                with it; elsewhere the handshake fails: give the time) */
    unsigned flags;          /* XMPP_TLS_INSECURE_NO_VERIFY, else 0 */
    xmpp_rng_fn rng;         /* entropy source, 32 bytes per start (NULL: BearSSL's OS
                                source only, getrandom/urandom; firmware must give one) */
    void *rng_ctx;
    const br_x509_certificate *chain;  /* client certificate chain for mutual TLS, end-entity
                                          first (xmpp_tls_bearssl_certs()); NULL: none */
    size_t nchain;
    const xmpp_tls_bearssl_key *key;   /* the private key of chain[0] */
    unsigned char *cert;     /* where to keep the server's certificate for
                                xmpp_tls_peer_cert() (NULL: not kept; the channel
                                binding works without it) */
    size_t cert_size;
} xmpp_tls_bearssl_config;

/* The backend's state: caller-owned, plain struct. Give &b->tls to the stream. */
typedef struct xmpp_tls_bearssl {
    xmpp_tls tls;                          /* the hook; first member */
    /* private */
    br_ssl_client_context cc;
    union {
        br_x509_minimal_context minimal;   /* verifying */
        br_x509_decoder_context decoder;   /* XMPP_TLS_INSECURE_NO_VERIFY: key only */
    } xv;
    const br_x509_class *xclass;           /* the wrapper BearSSL calls: captures the EE */
    br_hash_compat_context hash;           /* running tls-server-end-point hash */
    const br_hash_class *hash_class;
    xmpp_tls_bearssl_config cfg;
    unsigned char *buf;
    size_t size;
    int bidi;
    xmpp_errinfo err;
    xmpp_tls_status status;
    unsigned char closing, got_cert;
    unsigned char head[64];                /* first bytes of the EE certificate */
    unsigned char end_point[64];           /* tls-server-end-point, end_point_len bytes */
    size_t nhead, end_point_len;
    uint32_t ncert, cert_len, cert_pos;
    const char *alpn_names[1];
    char alpn[64];             /* the ALPN name offered: up to 63 bytes */
} xmpp_tls_bearssl;

/* Set b up with cfg (NULL: all defaults, which fails: no anchors) and the buffer buf of
   size bytes (see XMPP_TLS_BUF_SIZE), bidi 1 for full duplex. buf and everything cfg points
   at must outlive b. Then xmpp_tls_start(&b->tls, ...).
   Errors (also in xmpp_tls_error(&b->tls)): XMPP_ERR_INVALID (buffer under
   XMPP_TLS_BUF_SIZE(9, bidi), no anchors while verifying, a chain without key or a key
   without chain). */
XMPPDEF xmpp_err xmpp_tls_bearssl_init(xmpp_tls_bearssl *b, const xmpp_tls_bearssl_config *cfg,
                                       void *buf, size_t size, int bidi);

/* Trust anchors from PEM text (each "CERTIFICATE" object; others and any text around
   them are skipped) or from one DER certificate (input that is exactly one DER SEQUENCE
   is taken as DER, anything else as PEM). Up to max anchors go to out (*count gets how
   many); their names and keys are stored in store (size bytes, *used gets the bytes
   used: the subject name plus 65 bytes per EC P-256 key, 259 per RSA-2048 key). A
   certificate with basicConstraints CA:TRUE becomes a CA anchor; any other one a
   direct-trust anchor (that exact server certificate is trusted). Needs about 1.9 KB of
   stack (BearSSL's PEM and X.509 decoders).
   Errors: XMPP_ERR_INVALID (malformed PEM or certificate, or none found: the message
   in *why if why is not NULL); XMPP_ERR_NOSPACE (more than max, or store too small: *used
   gets the size needed for all that was found). */
XMPPDEF xmpp_err xmpp_tls_bearssl_anchors(const char *pem, size_t len, br_x509_trust_anchor *out,
                                          size_t max, size_t *count, unsigned char *store,
                                          size_t size, size_t *used, const char **why);

/* A certificate chain (for a client certificate) from PEM text or one DER certificate
   (DER as above: exactly one DER SEQUENCE; a DER file with anything after it, such as a
   newline, is read as PEM and refused): each "CERTIFICATE" object in order, its DER in
   store. Errors as above. */
XMPPDEF xmpp_err xmpp_tls_bearssl_certs(const char *pem, size_t len, br_x509_certificate *out,
                                        size_t max, size_t *count, unsigned char *store,
                                        size_t size, size_t *used, const char **why);

/* A private key from PEM ("EC PRIVATE KEY", "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY",
   unencrypted) or DER (exactly one DER SEQUENCE, as above): its parts go to store (32 bytes for P-256, about 640 for RSA-2048).
   Needs about 2.9 KB of stack (BearSSL's PEM and key decoders). Errors as above. */
XMPPDEF xmpp_err xmpp_tls_bearssl_key_decode(xmpp_tls_bearssl_key *key, const char *pem, size_t len,
                                      unsigned char *store, size_t size, size_t *used,
                                      const char **why);

/* The negotiated cipher suite (IANA number, e.g. 0xC02B for
   TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) and protocol version (0x0303), once OPEN;
   0 before. */
XMPPDEF unsigned xmpp_tls_bearssl_suite(const xmpp_tls_bearssl *b);
XMPPDEF unsigned xmpp_tls_bearssl_version(const xmpp_tls_bearssl *b);

/* BearSSL's own error code (br_ssl_engine_last_error: BR_ERR_*, BR_ERR_X509_*, or 256/512
   + an alert number), for debugging; xmpp_tls_error() says it in words. */
XMPPDEF int xmpp_tls_bearssl_last_error(const xmpp_tls_bearssl *b);
#endif /* XMPP_BEARSSL */
/* ======================================================================== >>posix
   Platform glue for POSIX systems (define XMPP_POSIX; the only part that touches the
   OS): connect a TCP socket, random bytes, a monotonic clock, one step of an event loop
   around a client stream, and (with XMPP_BEARSSL too) TLS set up from PEM files.

       xmpp_posix_io io;  xmpp_stream_event ev;  const char *why;
       cfg.tls_hook = xmpp_posix_tls_new(NULL, NULL, NULL, &why);   the system's CAs
       int fd = xmpp_posix_dial(NULL, domain, 5222, 10000, &why);
       xmpp_posix_io_init(&io, fd);
       while (!(xmpp_stream_wants(&s) & XMPP_WANT_CLOSED)) {
           if (xmpp_posix_step(&io, &s, 1000, &why) < 0) break;   the connection failed
           while (xmpp_stream_next(&s, &ev)) handle(&ev);
       }
       xmpp_posix_flush(&io, &s);  close(fd);                    what is left: the close */
#ifdef XMPP_POSIX

/* Connect to host (a name, or an IPv4/IPv6 literal) on port, trying each address
   getaddrinfo() gives (IPv6 and IPv4, in its order), each attempt bounded by timeout_ms.
   Returns a connected socket, non-blocking (xmpp_posix_step waits with poll()) and with
   TCP_NODELAY (xmpp_posix_step gathers the answers to a burst itself: Nagle's algorithm
   would only hold them back until the server's ACK), or -1 and *why. (For SRV lookup,
   RFC 6120 §3.2, see xmpp_posix_dial.) */
XMPPDEF int xmpp_posix_connect(const char *host, unsigned port, int timeout_ms, const char **why);

/* The SRV records of SERVICE.DOMAIN (xmpp_srv_query/_parse over UDP), in RFC 2782 order
   (xmpp_srv_order with getrandom): up to max into out, *count of them. The resolver is
   the first "nameserver" of /etc/resolv.conf (port 53), or the environment variable
   XMPP_RESOLVER ("IPv4:PORT" or "[IPv6]:PORT", for tests); each query waits up to
   timeout_ms, and is sent twice at most. Returns xmpp_srv_parse()'s result (XMPP_AGAIN:
   no SRV record, fall back), or XMPP_ERR_TIMEOUT / XMPP_ERR_INVALID (no resolver) with
   *why. */
XMPPDEF xmpp_err xmpp_posix_resolve(const char *service, xmpp_str domain, xmpp_srv_target *out, size_t max,
                                    size_t *count, int timeout_ms, const char **why);

/* Connect to server ("HOST", "HOST:PORT", "[IPv6]:PORT") on its port or default_port, as
   xmpp_posix_connect(). server NULL: RFC 6120 §3.2: the SRV targets of the domain
   (_xmpp-client._tcp, or _xmpps-client._tcp when default_port is 5223: XEP-0368) in
   order, and only without SRV records the domain itself on default_port. Returns the
   socket, or -1 and *why. */
XMPPDEF int xmpp_posix_dial(const char *server, xmpp_str domain, unsigned default_port, int timeout_ms,
                            const char **why);

/* n random bytes from getrandom(): an xmpp_rng_fn (ctx unused). Aborts if the kernel
   has none to give, rather than hand out predictable nonces. */
XMPPDEF void xmpp_posix_random(void *ctx, unsigned char *buf, size_t n);

/* Milliseconds of CLOCK_MONOTONIC, for xmpp_stream_tick(). */
XMPPDEF uint64_t xmpp_posix_now_ms(void);

/* The socket and the bytes read but not yet taken by the stream (feed stops while an
   event waits). */
typedef struct xmpp_posix_io {
    int fd;
    size_t off, len;
    unsigned char buf[16384];   /* one TLS record at most per recv() */
} xmpp_posix_io;

XMPPDEF void xmpp_posix_io_init(xmpp_posix_io *io, int fd);

/* One step: send the stream's output, then feed bytes kept from before or, when there
   are none, wait up to wait_ms for the server's, and tick the clock. Pull the events
   after each step. Output goes out when no more input is at hand: the answers to a burst
   of stanzas leave in one send() (over TLS: one record) at the start of the step after
   the one that fed the burst's last stanza, or sooner once half the output buffer is
   full. Returns 1 (something happened), 0 (nothing within wait_ms) or -1 and
   *why (the connection failed or the server closed it). */
XMPPDEF int xmpp_posix_step(xmpp_posix_io *io, xmpp_stream *s, int wait_ms, const char **why);

/* Send whatever output is left (say, our </stream:stream>), for up to one second. */
XMPPDEF void xmpp_posix_flush(xmpp_posix_io *io, xmpp_stream *s);

/* The standard one-line report of an event, for command-line tools (name: the program's,
   before each line on stderr; NULL: none). On stdout: ONLINE "online as JID (MECHANISM)",
   CLOSED "closed: TEXT"; on stderr: STREAM_ERROR "NAME: stream error: CONDITION TEXT",
   SASL_FAILURE "NAME: login failed: CONDITION TEXT", and after a CLOSED that was not
   clean "NAME: ERROR: TEXT" (xmpp_strerror()). Other events: nothing. */
XMPPDEF void xmpp_posix_report(const char *name, const xmpp_stream *s, const xmpp_stream_event *ev);

#ifdef XMPP_BEARSSL
/* A TLS hook for xmpp_stream_config.tls_hook: the BearSSL backend with a full-duplex
   buffer (16 KiB records: any server), certificates verified against the CA certificates
   in ca_file (PEM; NULL: the system's, /etc/ssl/certs/ca-certificates.crt) at the time of
   each handshake (time()), and a client certificate (cert_file, PEM chain, end-entity first, and its
   unencrypted key in key_file; both NULL: none) for mutual TLS and SASL EXTERNAL. On the
   heap (about 45 KB plus the anchors; the glue's only allocation). Returns NULL and *why
   (a file that cannot be read, no certificate in it, a malformed one, no memory). */
XMPPDEF xmpp_tls *xmpp_posix_tls_new(const char *ca_file, const char *cert_file, const char *key_file,
                                     const char **why);
XMPPDEF void xmpp_posix_tls_free(xmpp_tls *t);

/* ---- a whole client from the command line, for bots and tools: the options every
   example takes, the password from the environment, TLS by default.

       static xmpp_posix_client c;
       if (xmpp_posix_client_start(&c, argc, argv, &why)) ...     usage or failure
       do {
           r = xmpp_posix_client_step(&c, 500, &why);             1 running, 0 over, -1 lost
           while (xmpp_stream_next(&c.s, &ev)) handle(&ev);       c.s: the stream
       } while (r > 0);
       xmpp_posix_client_end(&c);                                 flush, close, free */
#ifndef XMPP_POSIX_REDIRECTS
#define XMPP_POSIX_REDIRECTS 3   /* see-other-host followed at most this many times per client */
#endif
#define XMPP_POSIX_CLIENT_USAGE "[--server HOST[:PORT]] [--ca FILE] [--direct-tls] [--cert FILE --key FILE] [--plaintext] [--reconnect] JID"

typedef struct xmpp_posix_client {
    xmpp_stream s;                /* the stream: xmpp_stream_next, _send_begin, ... */
    const char *args[8];          /* the arguments after the options: args[0] is the JID */
    int nargs;
    /* private */
    xmpp_stream_config cfg;
    xmpp_posix_io io;
    int fd, closing, redirects, reconnect, attempt;
    unsigned port;                /* the default port (5222, or 5223 for direct TLS) */
    const char *server;           /* --server, or NULL: the JID's domain (SRV) */
    uint64_t retry_at;            /* --reconnect: when to try again (0: not waiting) */
    char cond[32];                /* the last stream error's condition */
    char host[XMPP_SRV_HOST_MAX + 10];   /* where see-other-host sent us */
    unsigned char mem[24576];
} xmpp_posix_client;

/* Parse argv (options, then the JID and whatever follows it, into c->args), take the
   password from the environment variable XMPP_PASSWORD, set up TLS (STARTTLS on 5222 by
   default; --direct-tls: 5223; --ca FILE: the CAs to trust, default the system's; --cert
   and --key: a client certificate, then SASL EXTERNAL when offered and no password needed;
   --plaintext: no TLS; --reconnect: see xmpp_posix_client_step), connect, and start the
   stream. SIGINT and SIGTERM close the stream cleanly from then on. c must be zeroed
   (static, or = {0}), except for what you want in c->cfg beyond the options (trace,
   trace_ctx, timeout_ms, ping_ms, limits, xml_buf, arena, out): that is kept, as long
   as xmpp_stream_mem_size() stays within c->mem. out defaults to 8192 bytes here (not
   2048): the answers to a burst of stanzas leave in fewer sends.
   Returns 0; -2 on bad usage (*why says what); -1 on a failure (*why: a file, the
   connection). */
XMPPDEF int xmpp_posix_client_start(xmpp_posix_client *c, int argc, char **argv, const char **why);

/* One xmpp_posix_step() (after SIGINT/SIGTERM: xmpp_stream_close() first). Returns 1
   while the stream runs, 0 once it is over (pull its last events), -1 and *why if the
   connection failed. A stream error see-other-host (RFC 6120 §4.9.3.19) is followed
   here, up to XMPP_POSIX_REDIRECTS times: its events are dropped, a new connection is
   made to the host it names (default port as before) and the login starts again, with
   the same JID, TLS and certificate name (the JID's domain); the trace hook says so. After
   that many, or when the host cannot be reached, the events come to you as they are.
   With --reconnect, a stream that ends for a reason that may pass (the connection lost or
   closed, a timeout, the stream errors system-shutdown, connection-timeout, reset,
   internal-server-error, remote-connection-failed, resource-constraint; not a failed
   login, a certificate, or our own close) is started again after a random wait of up to
   500 ms x 2^attempt (at most 60 s; "full jitter"), as often as it takes; you get its
   CLOSED event as usual, then ONLINE again. The trace hook gets each wait. (The first
   connection is xmpp_posix_client_start's: if it fails, that says why, at once.) */
XMPPDEF int xmpp_posix_client_step(xmpp_posix_client *c, int wait_ms, const char **why);

/* Send what is left, close the socket, free the TLS hook (nothing to do after a failed
   xmpp_posix_client_start: it gave back what it had). Returns 0 if the stream had ended
   cleanly (both sides closed it), 1 if not (it failed, or was never over): the exit
   status of a tool whose stream is all it does. */
XMPPDEF int xmpp_posix_client_end(xmpp_posix_client *c);

/* For command-line tools, after xmpp_posix_client_start or the last
   xmpp_posix_client_step: r and why as they returned, name the program's. r < 0: prints
   "NAME: WHY" to stderr and, for -2 (bad usage), "usage: XMPP_PASSWORD=... NAME OPTIONS
   JID ARGS" (OPTIONS JID: XMPP_POSIX_CLIENT_USAGE; args: what the tool takes after the
   JID, NULL: nothing). Returns the exit status: 2 for -2, 1 for -1, 0 (and prints
   nothing) for r >= 0.
       if ((r = xmpp_posix_client_start(&c, argc, argv, &why)) != 0)
           return xmpp_posix_client_failed("say", r, why, "TO TEXT"); */
XMPPDEF int xmpp_posix_client_failed(const char *name, int r, const char *why, const char *args);
#endif /* XMPP_BEARSSL */

#endif /* XMPP_POSIX */


#ifdef __cplusplus
}
#endif
#endif /* XMPP_H */

/* ************************************************************************************* */
/*                                   IMPLEMENTATION                                      */
/* ************************************************************************************* */
#ifdef XMPP_IMPLEMENTATION
#ifndef XMPP__IMPLEMENTED
#define XMPP__IMPLEMENTED

#if !defined(XMPP_FREESTANDING) && (!defined(XMPP_MEMCPY) || !defined(XMPP_MEMMOVE) || \
    !defined(XMPP_MEMSET) || !defined(XMPP_MEMCMP) || !defined(XMPP_STRLEN))
#include <string.h>
#endif

/* ======================================================================== >>base */

#ifndef XMPP_FAST
#  ifdef __OPTIMIZE_SIZE__
#    define XMPP_FAST 0
#  else
#    define XMPP_FAST 1
#  endif
#endif

#ifndef XMPP_MEMCPY
#  ifdef XMPP_FREESTANDING
#    define XMPP_MEMCPY xmpp__memmove
#  else
#    define XMPP_MEMCPY memcpy
#  endif
#endif
#ifndef XMPP_MEMMOVE
#  ifdef XMPP_FREESTANDING
#    define XMPP_MEMMOVE xmpp__memmove
#  else
#    define XMPP_MEMMOVE memmove
#  endif
#endif
#ifndef XMPP_MEMSET
#  ifdef XMPP_FREESTANDING
#    define XMPP_MEMSET xmpp__memset
#  else
#    define XMPP_MEMSET memset
#  endif
#endif
#ifndef XMPP_MEMCMP
#  ifdef XMPP_FREESTANDING
#    define XMPP_MEMCMP xmpp__memcmp
#  else
#    define XMPP_MEMCMP memcmp
#  endif
#endif

#ifndef XMPP_STRLEN
#  ifdef XMPP_FREESTANDING
#    define XMPP_STRLEN xmpp__strlen
#  else
#    define XMPP_STRLEN strlen
#  endif
#endif

#ifdef XMPP_FREESTANDING
static size_t xmpp__strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}
static void *xmpp__memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = (unsigned char *)d;
    const unsigned char *sp = (const unsigned char *)s;
    if (dp < sp) while (n--) *dp++ = *sp++;
    else { dp += n; sp += n; while (n--) *--dp = *--sp; }
    return d;
}
static void *xmpp__memset(void *d, int c, size_t n)
{
    unsigned char *dp = (unsigned char *)d;
    while (n--) *dp++ = (unsigned char)c;
    return d;
}
static int xmpp__memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *ap = (const unsigned char *)a, *bp = (const unsigned char *)b;
    for (; n; n--, ap++, bp++) if (*ap != *bp) return *ap < *bp ? -1 : 1;
    return 0;
}
#endif

/* Code off the hot path stays out of line: smaller, and the scanner's loops stay tight. */
#if defined(__GNUC__) || defined(__clang__)
#define XMPP__COLD __attribute__((noinline))
#else
#define XMPP__COLD
#endif
/* Hot helpers: inlined with XMPP_FAST, kept out of line (smaller) without it. XMPP__INLINE:
   inlined with XMPP_FAST, the compiler's choice without it (a helper with one caller, or
   a small one such as xmpp__eq). */
#if XMPP_FAST && (defined(__GNUC__) || defined(__clang__))
#define XMPP__HOT __attribute__((always_inline)) inline
#define XMPP__INLINE XMPP__HOT
#else
#define XMPP__HOT XMPP__COLD
#define XMPP__INLINE
#endif

/* Lists of strings. A table of names or messages is one array of the strings one after
   the other, each with its NUL ("one" "\0" "two" "\0"), not an array of pointers to
   literals: GCC puts the literals of every pointer table in a file into one section,
   which a firmware image that uses any table then carries whole (the tokenizer alone
   carried 2 KB of the other layers' names and messages). An array gets a section of its
   own (-fdata-sections), dropped by the linker with the code that uses it. A list indexed
   by a code is written by the code's X-macro, so that it has one entry per code; a list
   that is searched ends with an explicit "\0", which with the array's own closing NUL
   makes an empty string that ends the search. */
static XMPP__COLD const char *xmpp__nth(const char *list, unsigned i)
{
    for (; i; i--) while (*list++) {}
    return list;
}

/* The index of s among the first count strings of list; count if it is none of them. */
static XMPP__COLD unsigned xmpp__find(const char *list, unsigned count, xmpp_str s)
{
    unsigned i;
    for (i = 0; i < count; i++) {
        size_t k = 0;
        while (k < s.n && list[k] && list[k] == s.p[k]) k++;
        if (k == s.n && !list[k]) break;
        while (*list++) {}
    }
    return i;
}

static const char xmpp__err_msg[] =
#define XMPP__MSG(name, cond, msg) msg "\0"
    XMPP__ERRORS(XMPP__MSG);
#undef XMPP__MSG
static const char xmpp__err_cond[] =
#define XMPP__COND(name, cond, msg) cond "\0"
    XMPP__ERRORS(XMPP__COND);
#undef XMPP__COND

XMPPDEF const char *xmpp_strerror(xmpp_err code)
{
    return (unsigned)code < XMPP__ERR_COUNT ? xmpp__nth(xmpp__err_msg, (unsigned)code) : "unknown error";
}

XMPPDEF const char *xmpp_err_condition(xmpp_err code)
{
    const char *c = (unsigned)code < XMPP__ERR_COUNT ? xmpp__nth(xmpp__err_cond, (unsigned)code) : "undefined-condition";
    return *c ? c : NULL;   /* "" in XMPP__ERRORS: none */
}

/* Character classes of single bytes, for the tokenizer's fast paths. Bytes >= 0x80 have
   no class: they take the UTF-8 path. */
enum {
    XMPP__C_NS = 1,   /* ASCII NameStartChar, ':' excepted: letters, '_' */
    XMPP__C_N  = 2,   /* ASCII NameChar, ':' excepted: letters, digits, '_', '-', '.' */
    XMPP__C_T  = 4,   /* copied as is in text: TAB LF, 0x20-0x7F but < & ] */
    XMPP__C_A  = 8,   /* copied as is in an attribute value: 0x20-0x7F but < & ' " */
    XMPP__C_S  = 16,  /* XML white space: SP TAB LF CR */
    XMPP__C_W  = 32   /* written as is by the builder: 0x20-0x7F but < > & ' " */
};
static const unsigned char xmpp__cc[256] = {
     0, 0, 0, 0, 0, 0, 0, 0, 0,20,20, 0, 0,16, 0, 0,  /* 00 */
     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 10 */
    60,44, 4,44,44,44, 0, 4,44,44,44,44,44,46,46,44,  /* 20  !"#$%&'()*+,-./ */
    46,46,46,46,46,46,46,46,46,46,44,44, 0,44,12,44,  /* 30 0123456789:;<=>? */
    44,47,47,47,47,47,47,47,47,47,47,47,47,47,47,47,  /* 40 @A-O */
    47,47,47,47,47,47,47,47,47,47,47,44,44,40,44,47,  /* 50 P-Z[\]^_ */
    44,47,47,47,47,47,47,47,47,47,47,47,47,47,47,47,  /* 60 `a-o */
    47,47,47,47,47,47,47,47,47,47,47,44,44,44,44,44,  /* 70 p-z{|}~DEL */
};

/* ======================================================================== >>xml
   IMPLEMENTATION NOTES

   One byte-at-a-time state machine (x->state) with fast loops for the common runs
   (names, attribute values, text), which copy bytes into the caller's buffer as they go.
   Nothing points into the caller's input after xmpp_xml_feed() returns.

   The buffer [buf, end) is a stack:
       [frame: stream][frame: message][frame: body] [token being built ...]      [views]
        ^buf                                         ^mark                  ^top  ^end
   A frame (struct xmpp__frame, aligned) is one open element: a header, its qualified
   name, then its namespace declarations as binding records
       [prefix length: 2 bytes LE][URI length: 2 bytes LE][prefix][URI]
   While a start tag is read, its name and raw attributes sit above the frame header, the
   attribute views (xmpp_xml_attr, max_attrs of them) at the buffer's tail point into them.
   At its '>' the namespace declarations are appended as binding records, names are
   resolved and the token is handed out. When the token is released (the next feed or
   next call), the binding records move down to just after the name and everything else
   is dropped: an open element costs header + name + declarations. (An empty element's
   START keeps everything where it is: its END, released next, drops the whole frame.)

   Releasing a token is deferred (x->release) so that the views handed out stay valid
   until the caller comes back. feed() stops right after a token is complete, so at most
   one token (plus the END that follows the START of an empty element) waits at a time.

   max_stanza is checked where it costs nothing per byte: when feed() returns. If the
   stanza has taken more bytes than allowed by then, the error is placed at the first byte
   past the limit and replaces whatever the scanner found later (a token completed past
   the limit, or an error past it), so the outcome does not depend on the chunking.
   Memory stays bounded meanwhile by max_token and the buffer.

   Speed: common sequences skip the state switch (labels lt, etag, name, value,
   after_value): an attribute name goes straight on from the tag's white space. The
   rest is XMPP_FAST only (without it, at -Os, the next trip through the switch does the
   same with less code): '<' goes straight on to the tag or end tag, name="value"
   straight to the value, a value or element name straight to what follows it; a plain
   start tag is read in one go (xmpp__tag_fast) as far as the chunk goes, the states
   taking over after its last plain attribute; with SSE2 values, names and text are
   copied 16 bytes at a time, elsewhere values eight; a reference that is all in the chunk
   is decoded in one go (xmpp__ref_whole); an end tag's name is compared eight bytes at a
   time; the text loop takes two-byte characters along, and whole UTF-8 characters are
   copied inside the text and value loops; a '<' after no text, and text that ends at a '<', skip a trip
   through the states; an unprefixed element usually skips the namespace lookup
   (xmpp__start_tag), and an unprefixed child with no attributes everything else
   (xmpp__start_child); and feed() copies a single plain byte itself when the scanner has
   set x->fast: nothing but a copy is due for the next byte. test_fastpath checks that
   none of this changes a token or an error. */

enum {
    XMPP__S_BOM = 0,   /* first bytes: optional UTF-8 BOM, optional <?xml ...?> */
    XMPP__S_BOM2,      /* after EF */
    XMPP__S_BOM3,      /* after EF BB */
    XMPP__S_PROLOG,    /* before the root element: white space or '<' */
    XMPP__S_EPILOG,    /* after the root element: white space only */
    XMPP__S_LT,        /* after '<' */
    XMPP__S_PI,        /* after "<?" at the very start: must be "<?xml " */
    XMPP__S_BANG,      /* after "<!": only <![CDATA[ is allowed */
    XMPP__S_CDSTART,   /* matching "CDATA[" */
    XMPP__S_CDATA,     /* inside a CDATA section */
    XMPP__S_NAME,      /* element name of a start tag */
    XMPP__S_TAG,       /* in a start tag, before an attribute, '>' or "/>" */
    XMPP__S_AFTERVAL,  /* after an attribute value: white space, '>' or "/>" */
    XMPP__S_ANAME,     /* attribute name */
    XMPP__S_EQ,        /* after an attribute name: S? '=' */
    XMPP__S_QUOTE,     /* after '=': S? quote */
    XMPP__S_VALUE,     /* attribute value */
    XMPP__S_SLASH,     /* after '/' in a start tag */
    XMPP__S_QMARK,     /* after '?' in the XML declaration */
    XMPP__S_ETAG,      /* end tag name, matched against the open element's */
    XMPP__S_ETAGWS,    /* white space after the end tag name */
    XMPP__S_TEXT,      /* character data */
    XMPP__S_REF,       /* after '&' */
    XMPP__S_ENTNAME,   /* entity name */
    XMPP__S_CREF,      /* after "&#" */
    XMPP__S_CDEC,      /* decimal character reference */
    XMPP__S_CHEX       /* hexadecimal character reference */
};

enum {
    XMPP__F_DECL = 1,      /* the start tag being read is the XML declaration */
    XMPP__F_EMPTY = 2,     /* the START pending is an empty element: END follows */
    XMPP__F_CR = 4,        /* the last byte was a CR: skip one LF */
    XMPP__F_START = 8,     /* the next name byte must be a NameStartChar */
    XMPP__F_LEADSTART = 16,/* the UTF-8 sequence being read is a name's start char */
    XMPP__F_STARTED = 32,  /* something was fed: a declaration can no longer come */
                           /* 64: free */
    XMPP__F_AFTER = 128    /* the root element has ended */
};

enum {   /* x->decls: what xmpp__start_tag has to do beyond the element's name */
    XMPP__D_NS = 1,        /* maybe a namespace declaration (xmlns, xmlns:p) */
    XMPP__D_PREFIX = 2     /* maybe a prefixed attribute (p:name) that is not one */
};

/* Every way the tokenizer can fail: id, code, message (xmpp_xml_error()->message). */
#define XMPP__XML_FAILS(X) \
    X(BOM,            XMPP_ERR_NOT_WELL_FORMED, "invalid byte order mark") \
    X(EPILOG_TEXT,    XMPP_ERR_NOT_WELL_FORMED, "text outside the root element") \
    X(EPILOG_MARKUP,  XMPP_ERR_NOT_WELL_FORMED, "markup after the root element") \
    X(END_UNOPENED,   XMPP_ERR_NOT_WELL_FORMED, "end tag without a start tag") \
    X(BANG,           XMPP_ERR_NOT_WELL_FORMED, "invalid markup after '<!'") \
    X(CDATA_OPEN,     XMPP_ERR_NOT_WELL_FORMED, "invalid markup after '<!['") \
    X(NONCHAR,        XMPP_ERR_NOT_WELL_FORMED, "U+FFFE or U+FFFF (not an XML character)") \
    X(NAME_CHAR,      XMPP_ERR_NOT_WELL_FORMED, "invalid character in a name") \
    X(NAME_START,     XMPP_ERR_NOT_WELL_FORMED, "invalid character at the start of a name") \
    X(COLONS,         XMPP_ERR_NOT_WELL_FORMED, "more than one ':' in a name") \
    X(DECL_CLOSE,     XMPP_ERR_NOT_WELL_FORMED, "XML declaration not closed by '?>'") \
    X(ATTR_SPACE,     XMPP_ERR_NOT_WELL_FORMED, "attributes must be separated by white space") \
    X(EQ,             XMPP_ERR_NOT_WELL_FORMED, "expected '=' after an attribute name") \
    X(UNQUOTED,       XMPP_ERR_NOT_WELL_FORMED, "attribute value not quoted") \
    X(LT_IN_VALUE,    XMPP_ERR_NOT_WELL_FORMED, "'<' in an attribute value") \
    X(DECL_REF,       XMPP_ERR_NOT_WELL_FORMED, "reference in the XML declaration") \
    X(CTRL_VALUE,     XMPP_ERR_NOT_WELL_FORMED, "control character in an attribute value") \
    X(SLASH,          XMPP_ERR_NOT_WELL_FORMED, "expected '>' after '/'") \
    X(QMARK,          XMPP_ERR_NOT_WELL_FORMED, "expected '>' after '?'") \
    X(END_MISMATCH,   XMPP_ERR_NOT_WELL_FORMED, "end tag does not match the start tag") \
    X(END_GT,         XMPP_ERR_NOT_WELL_FORMED, "expected '>' in an end tag") \
    X(CDEND_IN_TEXT,  XMPP_ERR_NOT_WELL_FORMED, "']]>' in text") \
    X(CTRL_TEXT,      XMPP_ERR_NOT_WELL_FORMED, "control character in text") \
    X(CTRL_CDATA,     XMPP_ERR_NOT_WELL_FORMED, "control character in a CDATA section") \
    X(AMP,            XMPP_ERR_NOT_WELL_FORMED, "'&' not followed by a reference") \
    X(REF_SEMI,       XMPP_ERR_NOT_WELL_FORMED, "entity reference without ';'") \
    X(CREF_CHAR,      XMPP_ERR_NOT_WELL_FORMED, "character reference to a character not allowed in XML") \
    X(CREF,           XMPP_ERR_NOT_WELL_FORMED, "invalid character reference") \
    X(CREF_RANGE,     XMPP_ERR_NOT_WELL_FORMED, "character reference beyond U+10FFFF") \
    X(DUP_ATTR,       XMPP_ERR_NOT_WELL_FORMED, "duplicate attribute") \
    X(NS_XMLNS_DECL,  XMPP_ERR_NOT_WELL_FORMED, "the xmlns prefix cannot be declared") \
    X(NS_XML,         XMPP_ERR_NOT_WELL_FORMED, "the xml prefix is bound to its own namespace only") \
    X(NS_UNDECLARE,   XMPP_ERR_NOT_WELL_FORMED, "a prefix cannot be undeclared (xmlns:p=\"\")") \
    X(NS_XML_DEFAULT, XMPP_ERR_NOT_WELL_FORMED, "the XML namespace cannot be the default") \
    X(NS_XMLNS_URI,   XMPP_ERR_NOT_WELL_FORMED, "the xmlns namespace cannot be bound") \
    X(NS_XMLNS_ELEM,  XMPP_ERR_NOT_WELL_FORMED, "the xmlns prefix cannot name an element") \
    X(NS_ELEM_PREFIX, XMPP_ERR_NOT_WELL_FORMED, "undeclared namespace prefix on element") \
    X(NS_ATTR_PREFIX, XMPP_ERR_NOT_WELL_FORMED, "undeclared namespace prefix on attribute") \
    X(DUP_EXPANDED,   XMPP_ERR_NOT_WELL_FORMED, "duplicate attribute (same namespace and name)") \
    X(DECL_VERSION,   XMPP_ERR_NOT_WELL_FORMED, "XML declaration without version") \
    X(DECL_VERSION_1X, XMPP_ERR_NOT_WELL_FORMED, "XML declaration: version is not 1.x") \
    X(DECL_STANDALONE, XMPP_ERR_NOT_WELL_FORMED, "XML declaration: standalone is not yes or no") \
    X(DECL_PSEUDO,    XMPP_ERR_NOT_WELL_FORMED, "XML declaration: unknown or misplaced pseudo-attribute") \
    X(PI,             XMPP_ERR_RESTRICTED_XML, "processing instruction") \
    X(COMMENT,        XMPP_ERR_RESTRICTED_XML, "comment") \
    X(DOCTYPE,        XMPP_ERR_RESTRICTED_XML, "document type declaration") \
    X(ENTITY,         XMPP_ERR_RESTRICTED_XML, "entity reference other than the predefined ones") \
    X(ENCODING,       XMPP_ERR_UNSUPPORTED_ENCODING, "encoding other than UTF-8 declared") \
    X(UTF8,           XMPP_ERR_UNSUPPORTED_ENCODING, "invalid UTF-8") \
    X(UTF16,          XMPP_ERR_UNSUPPORTED_ENCODING, "a 00 byte at the start: UTF-16 or UTF-32, not UTF-8") \
    X(MAX_DEPTH,      XMPP_ERR_POLICY_VIOLATION, "elements nested deeper than max_depth") \
    X(FULL,           XMPP_ERR_POLICY_VIOLATION, "tokenizer buffer full") \
    X(MAX_NAME,       XMPP_ERR_POLICY_VIOLATION, "name longer than max_name") \
    X(MAX_ATTRS,      XMPP_ERR_POLICY_VIOLATION, "more attributes than max_attrs") \
    X(MAX_TOKEN,      XMPP_ERR_POLICY_VIOLATION, "start tag longer than max_token") \
    X(FULL_NS,        XMPP_ERR_POLICY_VIOLATION, "tokenizer buffer full (namespace declarations)") \
    X(MAX_STANZA,     XMPP_ERR_POLICY_VIOLATION, "stanza larger than max_stanza") \
    X(STATE,          XMPP_ERR_INVALID,      "internal error: unknown tokenizer state")

enum {
#define XMPP__FAIL_ID(id, code, msg) XMPP__E_##id,
    XMPP__XML_FAILS(XMPP__FAIL_ID)
#undef XMPP__FAIL_ID
    XMPP__E_COUNT
};
static const unsigned char xmpp__fail_code[] = {
#define XMPP__FAIL_CODE(id, code, msg) (unsigned char)code,
    XMPP__XML_FAILS(XMPP__FAIL_CODE)
#undef XMPP__FAIL_CODE
};
static const char xmpp__fail_msg[] =   /* see xmpp__nth */
#define XMPP__FAIL_MSG(id, code, msg) msg "\0"
    XMPP__XML_FAILS(XMPP__FAIL_MSG);
#undef XMPP__FAIL_MSG

typedef struct xmpp__frame {
    struct xmpp__frame *prev;   /* parent element, NULL for the root */
    xmpp_str ns;                /* its namespace (for the END token) */
    uint16_t qlen;              /* bytes of the qualified name that follows */
    uint16_t plen;              /* bytes of its prefix, 0 if none */
    uint32_t blen;              /* bytes of binding records after the name */
} xmpp__frame;

#define XMPP__ALIGN (sizeof(union { void *p; size_t n; uint32_t u; }))
#define XMPP__QNAME(f) ((unsigned char *)(f) + sizeof(xmpp__frame))

static const char xmpp__ns_xml[] = "http://www.w3.org/XML/1998/namespace";
static const char xmpp__ns_xmlns[] = "http://www.w3.org/2000/xmlns/";

static xmpp_str xmpp__str(const void *p, size_t n)
{
    xmpp_str s;
    s.p = (const char *)p;
    s.n = n;
    return s;
}

/* Little-endian numbers in buffers and the arena, and short names compared: byte by byte,
   or with XMPP_FAST on a little-endian machine by words (fewer instructions). */
#if XMPP_FAST && (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define XMPP__LE 1
#else
#define XMPP__LE 0
#endif

static XMPP__INLINE int xmpp__eq(xmpp_str a, const char *b, size_t bn)   /* names: short, inline */
{
    size_t i;
    if (a.n != bn) return 0;
#if XMPP__LE
    if (bn >= 4) {   /* four bytes at a time, the last word overlapping */
        uint32_t u, v;
        for (i = 0; i + 4 < bn; i += 4) {
            __builtin_memcpy(&u, a.p + i, 4);
            __builtin_memcpy(&v, b + i, 4);
            if (u != v) return 0;
        }
        __builtin_memcpy(&u, a.p + bn - 4, 4);
        __builtin_memcpy(&v, b + bn - 4, 4);
        return u == v;
    }
#endif
    for (i = 0; i < bn; i++)
        if (a.p[i] != b[i]) return 0;
    return 1;
}

static unsigned xmpp__get16(const unsigned char *p)
{
#if XMPP__LE
    uint16_t u;
    __builtin_memcpy(&u, p, 2);
    return u;
#else
    return (unsigned)p[0] | (unsigned)p[1] << 8;
#endif
}

static void xmpp__put16(unsigned char *p, size_t v)
{
#if XMPP__LE
    uint16_t u = (uint16_t)v;
    __builtin_memcpy(p, &u, 2);
#else
    p[0] = (unsigned char)(v & 0xFF);
    p[1] = (unsigned char)(v >> 8);
#endif
}

/* XML 1.0 (5th ed.) §2.3 NameStartChar and NameChar beyond ASCII: ranges of the BMP,
   those after the first 22 entries are NameChar only; U+10000-U+EFFFF are both. */
static const uint16_t xmpp__name_ranges[] = {
    0xC0, 0xD6, 0xD8, 0xF6, 0xF8, 0x2FF, 0x370, 0x37D, 0x37F, 0x1FFF, 0x200C, 0x200D,
    0x2070, 0x218F, 0x2C00, 0x2FEF, 0x3001, 0xD7FF, 0xF900, 0xFDCF, 0xFDF0, 0xFFFD,
    0xB7, 0xB7, 0x300, 0x36F, 0x203F, 0x2040
};

static XMPP__COLD int xmpp__name_cp(uint32_t c, int start)
{
    unsigned i;
    if (c >= 0x10000) return c <= 0xEFFFF;
    for (i = 0; i < (start ? 22u : 28u); i += 2)
        if (c >= xmpp__name_ranges[i] && c <= xmpp__name_ranges[i + 1]) return 1;
    return 0;
}

/* The stream offset of p, a byte of the chunk being fed. */
static XMPP__HOT uint64_t xmpp__off(const xmpp_xml *x, const unsigned char *p)
{
    return x->base + (uint64_t)(p - x->chunk);
}

static XMPP__COLD const unsigned char *xmpp__fail(xmpp_xml *x, const unsigned char *p, unsigned id)
{
    /* A name stops at max_name or at the start tag's cap, whichever comes first: say which
       (the cap is max_token past the tag's start, or the buffer's end) */
    if (id == XMPP__E_MAX_NAME && (size_t)(x->cap - x->name) <= x->lim.max_name)
        id = x->cap == x->end ? XMPP__E_FULL : XMPP__E_MAX_TOKEN;
    x->err.code = (xmpp_err)xmpp__fail_code[id];
    x->err.message = xmpp__nth(xmpp__fail_msg, id);
    x->err.offset = xmpp__off(x, p);
    return p;
}

/* One byte of a multi-byte UTF-8 sequence (a lead byte when x->need is 0). Returns 1 when
   x->cp holds a complete code point, 0 when more bytes are due, -1 if the sequence is not
   UTF-8 (overlong, surrogate, above U+10FFFF), -2 for U+FFFE/U+FFFF (UTF-8, not XML). */
static XMPP__COLD int xmpp__utf8(xmpp_xml *x, unsigned c)
{
    if (!x->need) {
        x->lo = 0x80;
        x->hi = 0xBF;
        if (c < 0xC2 || c > 0xF4) return -1;
        if (c < 0xE0) { x->need = 1; x->cp = c & 0x1F; }
        else if (c < 0xF0) {
            x->need = 2; x->cp = c & 0x0F;
            if (c == 0xE0) x->lo = 0xA0;     /* overlong */
            if (c == 0xED) x->hi = 0x9F;     /* surrogates */
        } else {
            x->need = 3; x->cp = c & 0x07;
            if (c == 0xF0) x->lo = 0x90;     /* overlong */
            if (c == 0xF4) x->hi = 0x8F;     /* above U+10FFFF */
        }
        return 0;
    }
    if (c < x->lo || c > x->hi) return -1;
    x->lo = 0x80;
    x->hi = 0xBF;
    x->cp = x->cp << 6 | (c & 0x3F);
    if (--x->need) return 0;
    return x->cp == 0xFFFE || x->cp == 0xFFFF ? -2 : 1;
}

/* SSE2 (every x86-64 has it) takes the runs below 16 bytes a round. Not with
   XMPP_FREESTANDING: <emmintrin.h> includes <stdlib.h> (for _mm_malloc). */
#if XMPP_FAST && (defined(__GNUC__) || defined(__clang__)) && defined(__SSE2__) && !defined(XMPP_NO_SIMD) && \
    !defined(XMPP_FREESTANDING)
#include <emmintrin.h>
#define XMPP__SSE2 1
#else
#define XMPP__SSE2 0
#endif

/* Copy bytes of class cls from p to d, at most n; returns how many. The hot loop of the
   tokenizer: names, attribute values and text are runs of plain bytes. */
static size_t xmpp__run(unsigned char *d, const unsigned char *p, size_t n, unsigned cls)
{
    size_t k = 0;
    while (k < n && (xmpp__cc[p[k]] & cls)) { d[k] = p[k]; k++; }
    return k;
}

#if XMPP_FAST
/* xmpp__run for text, taking two-byte UTF-8 characters (U+0080-U+07FF, all of them
   allowed in XML) in its stride. */
static XMPP__HOT size_t xmpp__run_text(unsigned char *d, const unsigned char *p, size_t n)
{
    size_t k = 0;
#if XMPP__SSE2   /* 16 bytes a round while none is below 0x20 or >= 0x80, '<', '&' or ']' */
    const __m128i below = _mm_set1_epi8(0x20), lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&');
    const __m128i rsb = _mm_set1_epi8(']');
    while (n - k >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        __m128i f = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, below), _mm_cmpeq_epi8(v, lt)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, rsb)));
        unsigned m = (unsigned)_mm_movemask_epi8(f), c;
        _mm_storeu_si128((__m128i *)(void *)(d + k), v);   /* n - k >= 16: the room is there */
        if (!m) { k += 16; continue; }
        k += (size_t)__builtin_ctz(m);
        c = p[k];
        if (xmpp__cc[c] & XMPP__C_T) {   /* TAB or LF */
            k++;
        } else if (c - 0xC2u <= 0xDFu - 0xC2u && k + 1 < n && (p[k + 1] & 0xC0) == 0x80) {
            d[k] = (unsigned char)c;
            d[k + 1] = p[k + 1];
            k += 2;
        } else {
            return k;
        }
    }
#endif
    while (k < n) {
        unsigned c = p[k];
        if (xmpp__cc[c] & XMPP__C_T) {
            d[k++] = (unsigned char)c;
        } else if (c - 0xC2u <= 0xDFu - 0xC2u && k + 1 < n && (p[k + 1] & 0xC0) == 0x80) {
            d[k] = (unsigned char)c;
            d[k + 1] = p[k + 1];
            k += 2;
        } else {
            break;
        }
    }
    return k;
}
#endif

/* xmpp__run for attribute values in blocks while none of their bytes can be special: a
   byte below '(' (controls, white space, quotes, '&' and a few harmless ones), a '<' or
   a byte >= 0x80. A hit may be a false alarm, never a miss. Worth a call for long values
   only: XMPP IDs, JIDs and namespace URIs are 15-50 bytes. With SSE2 (every x86-64) the
   blocks are 16 bytes and a false alarm (a space, say) is taken and the blocks go on;
   elsewhere they are 8, with bit tricks on a 64-bit word, and the byte loop takes over at
   the first hit. */
#define XMPP__ONES 0x0101010101010101u
/* The first flagged byte of a word so tested, on little-endian machines. Exact: a false
   alarm (a borrow) only lands above a true one. Elsewhere the byte loop finds it. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define XMPP__FIRST(m) ((size_t)__builtin_ctzll(m) >> 3)
#endif
#define XMPP__BELOW(v, b) (((v) - XMPP__ONES * (b)) & ~(v))
static XMPP__COLD size_t xmpp__run_value(unsigned char *d, const unsigned char *p, size_t n)
{
    size_t k = 0;
#if XMPP__SSE2
    const __m128i below = _mm_set1_epi8(0x28), lt = _mm_set1_epi8('<');
    while (n - k >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(v, below), _mm_cmpeq_epi8(v, lt)));
        _mm_storeu_si128((__m128i *)(void *)(d + k), v);   /* n - k >= 16: the room is there */
        if (!m) { k += 16; continue; }
        k += (size_t)__builtin_ctz(m);
        if (!(xmpp__cc[p[k]] & XMPP__C_A)) return k;   /* the quote, or one for the states */
        k++;   /* a false alarm: a space or another plain byte below '(' */
    }
#else
    for (; n - k >= 8; k += 8) {
        uint64_t v, m;
        XMPP_MEMCPY(&v, p + k, 8);
        m = (XMPP__BELOW(v, 0x28) | XMPP__BELOW(v ^ XMPP__ONES * '<', 1) | v) & XMPP__ONES * 0x80;
#ifdef XMPP__FIRST
        XMPP_MEMCPY(d + k, &v, 8);   /* n - k >= 8: the room is there */
        if (m) { k += XMPP__FIRST(m); break; }
#else
        if (m) break;
        XMPP_MEMCPY(d + k, &v, 8);
#endif
    }
#endif
    return k + xmpp__run(d + k, p + k, n - k, XMPP__C_A);
}

/* A whole UTF-8 character at p (n bytes there): its length if it is complete, valid and
   an XML character, else 0 and the byte-wise path (xmpp__utf8) decides. */
static XMPP__HOT size_t xmpp__utf8_whole(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0xC2 || c > 0xF4 || n < 2 || (p[1] & 0xC0) != 0x80) return 0;
    if (c < 0xE0) return 2;
    if (n < 3 || (p[2] & 0xC0) != 0x80) return 0;
    if (c < 0xF0) {
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) ||
            (c == 0xEF && p[1] == 0xBF && p[2] >= 0xBE))
            return 0;
        return 3;
    }
    if (n < 4 || (p[3] & 0xC0) != 0x80 || (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
        return 0;
    return 4;
}

/* Length of the UTF-8 sequence a lead byte starts, for room checks (1 for ASCII or a
   continuation byte; an invalid lead is caught by xmpp__utf8). */
static size_t xmpp__seqlen(unsigned c) { return c < 0xE0 ? (c < 0xC0 ? 1 : 2) : c < 0xF0 ? 3 : 4; }

/* Bytes of code point c in UTF-8. */
static size_t xmpp__utf8_len(uint32_t c) { return c < 0x80 ? 1u : c < 0x800 ? 2u : c < 0x10000 ? 3u : 4u; }

/* Append code point c as UTF-8 at *d (room for 4 bytes checked by the caller). */
static unsigned char *xmpp__put_utf8(unsigned char *d, uint32_t c)
{
    if (c < 0x80) { *d++ = (unsigned char)c; }
    else if (c < 0x800) { *d++ = (unsigned char)(0xC0 | c >> 6); *d++ = (unsigned char)(0x80 | (c & 0x3F)); }
    else if (c < 0x10000) {
        *d++ = (unsigned char)(0xE0 | c >> 12);
        *d++ = (unsigned char)(0x80 | (c >> 6 & 0x3F));
        *d++ = (unsigned char)(0x80 | (c & 0x3F));
    } else {
        *d++ = (unsigned char)(0xF0 | c >> 18);
        *d++ = (unsigned char)(0x80 | (c >> 12 & 0x3F));
        *d++ = (unsigned char)(0x80 | (c >> 6 & 0x3F));
        *d++ = (unsigned char)(0x80 | (c & 0x3F));
    }
    return d;
}

XMPPDEF size_t xmpp_xml_buffer_size(const xmpp_xml_limits *lim)
{
    xmpp_xml_limits l;
    uint64_t depth, attrs, token, n;
    if (lim) l = *lim; else XMPP_MEMSET(&l, 0, sizeof l);
    depth = l.max_depth ? l.max_depth : XMPP_XML_DEFAULT_DEPTH;
    attrs = l.max_attrs ? l.max_attrs : XMPP_XML_DEFAULT_ATTRS;
    token = l.max_token ? l.max_token : XMPP_XML_DEFAULT_TOKEN;
    if (depth > 65535 || attrs > 65535 || token < 16 || token > 65535) return 0;
    n = XMPP__XML_BUF_SUM(uint64_t, depth, attrs, token);   /* < 2^48: a 32-bit size_t cannot wrap it */
    return n > (size_t)-1 ? 0 : (size_t)n;
}

XMPPDEF xmpp_err xmpp_xml_init(xmpp_xml *x, void *buf, size_t size, const xmpp_xml_limits *limits)
{
    uintptr_t a = (uintptr_t)buf, b = a + size;
    XMPP_MEMSET(x, 0, sizeof *x);
    if (limits) x->lim = *limits;
    if (!x->lim.max_depth) x->lim.max_depth = XMPP_XML_DEFAULT_DEPTH;
    if (!x->lim.max_attrs) x->lim.max_attrs = XMPP_XML_DEFAULT_ATTRS;
    if (!x->lim.max_name) x->lim.max_name = XMPP_XML_DEFAULT_NAME;
    if (!x->lim.max_token) x->lim.max_token = XMPP_XML_DEFAULT_TOKEN;
    if (!x->lim.max_stanza) x->lim.max_stanza = XMPP_XML_DEFAULT_STANZA;
    x->err.code = XMPP_ERR_INVALID;
    x->err.message = "invalid limits or buffer";
    if (!buf || x->lim.max_token < 16 || x->lim.max_token > 65535 || x->lim.max_depth > 65535 ||
        x->lim.max_attrs > 65535)
        return XMPP_ERR_INVALID;
    a = (a + XMPP__ALIGN - 1) / XMPP__ALIGN * XMPP__ALIGN;
    if (b < a || (b - a) / sizeof(xmpp_xml_attr) <= x->lim.max_attrs) return XMPP_ERR_INVALID;
    b -= x->lim.max_attrs * sizeof(xmpp_xml_attr);
    b = b / XMPP__ALIGN * XMPP__ALIGN;
    if (b < a + 64) return XMPP_ERR_INVALID;
    x->buf = (unsigned char *)a;
    x->end = (unsigned char *)b;
    x->attrs = (xmpp_xml_attr *)b;
    xmpp_xml_reset(x);
    return XMPP_OK;
}

XMPPDEF void xmpp_xml_reset(xmpp_xml *x)
{
    if (!x->buf) return;   /* init failed: stays failed */
    x->top = x->mark = x->name = x->buf;
    x->frame = NULL;
    x->base = x->tok_off = 0;
    x->stanza_end = (uint64_t)-1;
    x->err.code = XMPP_OK;
    x->err.message = NULL;
    x->err.offset = 0;
    x->ns = xmpp__str("", 0);
    x->cp = x->depth = 0;
    x->nattrs = x->ndigits = 0;
    x->state = XMPP__S_BOM;
    x->ret = x->pending = x->release = 0;
    x->need = x->quote = x->brackets = x->flags = x->fast = x->decls = 0;
}

XMPPDEF const xmpp_errinfo *xmpp_xml_error(const xmpp_xml *x) { return &x->err; }

/* The URI bound to a prefix: first the records in [b, e) (the start tag being closed),
   then the open elements from the innermost out. Returns 1 and *uri if bound. */
static int xmpp__lookup(const xmpp_xml *x, xmpp_str pfx, const unsigned char *b,
                        const unsigned char *e, xmpp_str *uri)
{
    const xmpp__frame *f = (const xmpp__frame *)x->frame;
    if (xmpp__eq(pfx, "xml", 3)) { *uri = xmpp__str(xmpp__ns_xml, sizeof xmpp__ns_xml - 1); return 1; }
    for (;;) {
        while (b < e) {
            size_t pl = xmpp__get16(b), ul = xmpp__get16(b + 2);
            if (pl == pfx.n && XMPP_MEMCMP(b + 4, pfx.p, pl) == 0) {
                *uri = xmpp__str(b + 4 + pl, ul);
                return 1;
            }
            b += 4 + pl + ul;
        }
        if (!f) break;
        b = XMPP__QNAME(f) + f->qlen;
        e = b + f->blen;
        f = f->prev;
    }
    *uri = xmpp__str("", 0);
    return 0;
}

/* A start tag is done (x->ns set): its element is open, with its binding records in
   [x->top, rec). OPEN or START is pending. */
static void xmpp__opened(xmpp_xml *x, unsigned char *rec)
{
    x->name = x->top;   /* the binding records, kept by xmpp__release() */
    x->top = rec;
    x->frame = x->mark;
    x->depth++;
    x->pending = x->depth == 1 ? XMPP_XML_OPEN : XMPP_XML_START;
}

/* A start tag's '>' (or "/>"): turn xmlns attributes into binding records, resolve the
   element and attribute names, check uniqueness, hand out OPEN or START. */
static XMPP__COLD const unsigned char *xmpp__start_tag(xmpp_xml *x, const unsigned char *p)
{
    xmpp__frame *f = (xmpp__frame *)x->mark;
    unsigned char *rec = x->top, *q = XMPP__QNAME(f);
    xmpp_xml_attr *a = x->attrs;
    size_t i, j, n = x->nattrs, kept = 0;
    int own = 0;   /* the tag declares the default namespace, uri */
    xmpp_str uri;

    /* XML 1.0 §3.1: attribute names are unique as written (declarations included). */
    for (i = 1; i < n; i++)
        for (j = 0; j < i; j++)
            if (xmpp__eq(a[i].local, a[j].local.p, a[j].local.n) &&
                xmpp__eq(a[i].prefix, a[j].prefix.p, a[j].prefix.n))
                return xmpp__fail(x, p, XMPP__E_DUP_ATTR);

    /* Namespaces in XML 1.0 §3: xmlns and xmlns:p declare; they are not attributes. */
    for (i = 0; i < n && (x->decls & XMPP__D_NS); i++) {
        int dflt = a[i].prefix.n == 0 && xmpp__eq(a[i].local, "xmlns", 5);
        if (!dflt && !xmpp__eq(a[i].prefix, "xmlns", 5)) continue;
        if (!dflt) {
            int isxml = xmpp__eq(a[i].local, "xml", 3);
            if (xmpp__eq(a[i].local, "xmlns", 5))
                return xmpp__fail(x, p, XMPP__E_NS_XMLNS_DECL);
            if (isxml != xmpp__eq(a[i].value, xmpp__ns_xml, sizeof xmpp__ns_xml - 1))
                return xmpp__fail(x, p, XMPP__E_NS_XML);
            if (a[i].value.n == 0)
                return xmpp__fail(x, p, XMPP__E_NS_UNDECLARE);
        } else if (xmpp__eq(a[i].value, xmpp__ns_xml, sizeof xmpp__ns_xml - 1)) {
            return xmpp__fail(x, p, XMPP__E_NS_XML_DEFAULT);
        }
        if (xmpp__eq(a[i].value, xmpp__ns_xmlns, sizeof xmpp__ns_xmlns - 1))
            return xmpp__fail(x, p, XMPP__E_NS_XMLNS_URI);
        {
            size_t pl = dflt ? 0 : a[i].local.n, ul = a[i].value.n;
            if ((size_t)(x->end - rec) < 4 + pl + ul)
                return xmpp__fail(x, p, XMPP__E_FULL_NS);
            xmpp__put16(rec, pl);
            xmpp__put16(rec + 2, ul);
            XMPP_MEMCPY(rec + 4, a[i].local.p, pl);
            XMPP_MEMCPY(rec + 4 + pl, a[i].value.p, ul);
            if (XMPP_FAST && dflt) { uri = xmpp__str(rec + 4, ul); own = 1; }
            rec += 4 + pl + ul;
        }
    }

    /* The element's own name. With XMPP_FAST, two shortcuts past the lookup for an
       unprefixed name: the default namespace declared in this tag; or, when nothing is
       declared here and the parent has no prefix either, the parent's namespace (which is
       the default namespace in scope). */
    if (f->plen == 5 && XMPP_MEMCMP(q, "xmlns", 5) == 0)
        return xmpp__fail(x, p, XMPP__E_NS_XMLNS_ELEM);
    if (!XMPP_FAST || f->plen || !own) {
        if (XMPP_FAST && !f->plen && !(x->decls & XMPP__D_NS) && f->prev && !f->prev->plen)
            uri = f->prev->ns;
        else if (!xmpp__lookup(x, xmpp__str(q, f->plen), x->top, rec, &uri) && f->plen)
            return xmpp__fail(x, p, XMPP__E_NS_ELEM_PREFIX);
    }
    x->ns = uri;

    /* Attributes: resolve prefixes (unprefixed ones have no namespace), drop the
       declarations, then reject two prefixes bound to one namespace with one local name
       (Namespaces in XML 1.0 §6.3). */
    for (i = x->decls ? 0 : n, kept = i; i < n; i++) {   /* none of either: nothing to do */
        xmpp_xml_attr *t = &a[i];
        if (t->prefix.n == 0 ? xmpp__eq(t->local, "xmlns", 5) : xmpp__eq(t->prefix, "xmlns", 5))
            continue;
        if (t->prefix.n) {
            if (!xmpp__lookup(x, t->prefix, x->top, rec, &t->ns))
                return xmpp__fail(x, p, XMPP__E_NS_ATTR_PREFIX);
            for (j = 0; j < kept; j++)
                if (a[j].prefix.n && xmpp__eq(t->local, a[j].local.p, a[j].local.n) &&
                    xmpp__eq(t->ns, a[j].ns.p, a[j].ns.n))
                    return xmpp__fail(x, p, XMPP__E_DUP_EXPANDED);
        }
        if (kept != i) a[kept] = *t;   /* close the gap a declaration left */
        kept++;
    }
    x->nattrs = (uint16_t)kept;
    xmpp__opened(x, rec);
    return p;
}

/* A start tag's '>' with XMPP_FAST: most children have no attributes and no prefix
   (<body>), under a parent with no prefix. Their namespace is the parent's, and there is
   nothing else to do; every other tag goes on to xmpp__start_tag. Hot, but out of line
   (XMPP__COLD) on purpose: that way the common case does not pay for the registers
   xmpp__start_tag saves on entry. */
static XMPP__COLD const unsigned char *xmpp__start_child(xmpp_xml *x, const unsigned char *p)
{
    const xmpp__frame *f = (const xmpp__frame *)x->mark;
    if (x->nattrs || f->plen || !f->prev || f->prev->plen) return xmpp__start_tag(x, p);
    x->ns = f->prev->ns;
    xmpp__opened(x, x->top);
    return p;
}

/* Text starts at x->mark; it is split before a character that starts at or past x->cap,
   so that a character (4 bytes at most) always fits below x->mark + max_token. Set where
   a text token or a CDATA section starts (markup sets its own cap). */
static void xmpp__text_cap(xmpp_xml *x)
{
    size_t room = (size_t)(x->end - x->mark);
    if (room > x->lim.max_token) room = x->lim.max_token;
    x->cap = x->mark + (room >= 4 ? room - 3 : 0);
}

/* The token handed out last is done with: see IMPLEMENTATION NOTES. */
static XMPP__HOT void xmpp__release(xmpp_xml *x)
{
    xmpp__frame *f = (xmpp__frame *)x->frame;
    switch (x->release) {
    case XMPP_XML_OPEN:
    case XMPP_XML_START:
        f->ns = x->ns;
        if (x->flags & XMPP__F_EMPTY) {   /* its END comes next and drops it all: keep all */
            x->flags &= (uint8_t)~XMPP__F_EMPTY;
            x->pending = x->depth == 1 ? XMPP_XML_CLOSE : XMPP_XML_END;
        } else {   /* keep the name and the binding records [name, top), drop the attributes */
            unsigned char *q = XMPP__QNAME(f) + f->qlen;
            uintptr_t ns = (uintptr_t)x->ns.p, from = (uintptr_t)x->name;
            f->blen = (uint32_t)(x->top - x->name);
            if (f->blen) XMPP_MEMMOVE(q, x->name, f->blen);
            if (ns >= from && ns <= (uintptr_t)x->top)   /* declared here: moved with the records */
                f->ns.p = (const char *)q + (ns - from);
            x->top = q + f->blen;
        }
        break;
    case XMPP_XML_END:
    case XMPP_XML_CLOSE:
        x->top = (unsigned char *)f;
        x->frame = f->prev;
        if (--x->depth <= 1) x->stanza_end = (uint64_t)-1;   /* the stanza is complete */
        break;
    default:   /* DECL, TEXT: drop the token's bytes */
        x->top = x->mark;
        break;
    }
    x->mark = x->top;
    x->release = 0;
}

/* Append a decoded character reference or predefined entity, then go back to the text
   or attribute value it was in. */
static int xmpp__put_ref(xmpp_xml *x, unsigned char **d, uint32_t c)
{
    if (x->ret == XMPP__S_VALUE && (size_t)(x->cap - *d) < xmpp__utf8_len(c))
        return 0;
    *d = xmpp__put_utf8(*d, c);
    x->state = x->ret;
    return 1;
}

/* Decl pseudo-attribute i is name (XML 1.0 §2.8). */
static int xmpp__decl_is(const xmpp_xml *x, size_t i, const char *name, size_t n)
{
    return i < x->nattrs && x->attrs[i].prefix.n == 0 && xmpp__eq(x->attrs[i].local, name, n);
}

/* The XML declaration's "?>": version, then encoding and standalone, in that order. */
static XMPP__COLD const unsigned char *xmpp__decl_end(xmpp_xml *x, const unsigned char *p)
{
    size_t i = 0, k;
    xmpp_str v;
    if (!xmpp__decl_is(x, 0, "version", 7))
        return xmpp__fail(x, p, XMPP__E_DECL_VERSION);
    v = x->attrs[i++].value;
    for (k = 2; k < v.n && v.p[k] >= '0' && v.p[k] <= '9'; k++) {}
    if (v.n < 3 || v.p[0] != '1' || v.p[1] != '.' || k != v.n)
        return xmpp__fail(x, p, XMPP__E_DECL_VERSION_1X);
    if (xmpp__decl_is(x, i, "encoding", 8)) {
        v = x->attrs[i++].value;
        /* RFC 6120 §11.6: UTF-8 only */
        if (v.n != 5 || (v.p[0] | 0x20) != 'u' || (v.p[1] | 0x20) != 't' ||
            (v.p[2] | 0x20) != 'f' || v.p[3] != '-' || v.p[4] != '8')
            return xmpp__fail(x, p, XMPP__E_ENCODING);
    }
    if (xmpp__decl_is(x, i, "standalone", 10)) {
        v = x->attrs[i++].value;
        if (!xmpp__eq(v, "yes", 3) && !xmpp__eq(v, "no", 2))
            return xmpp__fail(x, p, XMPP__E_DECL_STANDALONE);
    }
    if (i != x->nattrs)
        return xmpp__fail(x, p, XMPP__E_DECL_PSEUDO);
    x->flags &= (uint8_t)~XMPP__F_DECL;
    x->pending = XMPP_XML_DECL;
    x->state = XMPP__S_PROLOG;
    return p;
}

/* XML 1.0 §2.2 Char, for character references. */
static int xmpp__is_char(uint32_t c)
{
    return c == 9 || c == 10 || c == 13 || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

#if XMPP_FAST
/* The reference at p ('&' there, n bytes there) that xmpp__ref_whole (below) takes: its
   character, and *len its length (0: none). */
static XMPP__HOT uint32_t xmpp__ref_char(const unsigned char *p, size_t n, size_t *len)
{
    size_t k, first;
    uint32_t v = 0;
    *len = 0;
    if (n > 12) n = 12;
    if (n < 4) return 0;
    if (p[1] != '#') {
        if ((p[1] == 'l' || p[1] == 'g') && p[2] == 't' && p[3] == ';') {
            *len = 4;
            return p[1] == 'l' ? '<' : '>';
        }
        if (n >= 5 && p[1] == 'a' && p[2] == 'm' && p[3] == 'p' && p[4] == ';') { *len = 5; return '&'; }
        if (n < 6 || p[5] != ';') return 0;
        if (p[1] == 'q' && p[2] == 'u' && p[3] == 'o' && p[4] == 't') { *len = 6; return '"'; }
        if (p[1] == 'a' && p[2] == 'p' && p[3] == 'o' && p[4] == 's') { *len = 6; return '\''; }
        return 0;
    }
    if (p[2] == 'x') {
        for (k = first = 3; k < n && k < first + 6; k++) {
            unsigned c = p[k], h = (c | 0x20) - 'a';   /* wraps around below 'a' */
            if (c - '0' <= 9) v = v * 16 + c - '0';
            else if (h < 6) v = v * 16 + h + 10;
            else break;
        }
    } else {
        for (k = first = 2; k < n && k < first + 7 && (unsigned)p[k] - '0' <= 9; k++) v = v * 10 + (p[k] - '0');
    }
    if (k == first || k == n || p[k] != ';' || v > 0x10FFFF || !xmpp__is_char(v)) return 0;
    *len = k + 1;
    return v;
}

/* A whole reference at p ('&' there, the chunk ending at e): one of the five predefined
   entities, or a character reference of at most 6 hex or 7 decimal digits to an XML
   character. Writes the character at *dp in UTF-8 if it ends at cap or below, and
   returns the reference's length; else 0, for anything else, a reference not all in the
   chunk or no room: the states decide then, byte by byte. */
static XMPP__HOT size_t xmpp__ref_whole(const unsigned char *p, const unsigned char *e, unsigned char **dp,
                                        const unsigned char *cap)
{
    size_t k;
    uint32_t c = xmpp__ref_char(p, (size_t)(e - p), &k);
    if (!k || (size_t)(cap - *dp) < xmpp__utf8_len(c)) return 0;
    *dp = xmpp__put_utf8(*dp, c);
    return k;
}

#ifndef XMPP__TAG_FAST_MIN   /* bytes left in the chunk for a try (test_xml sets it low) */
#define XMPP__TAG_FAST_MIN 16
#endif

#if XMPP__SSE2
/* xmpp__run for names (XMPP__C_N), 16 bytes a round with SSE2. */
static XMPP__HOT size_t xmpp__run_name(unsigned char *d, const unsigned char *p, size_t n)
{
    size_t k = 0;
    const __m128i a = _mm_set1_epi8('a' - 1), z = _mm_set1_epi8('z' + 1), lower = _mm_set1_epi8(0x20);
    const __m128i d0 = _mm_set1_epi8('0' - 1), d9 = _mm_set1_epi8('9' + 1);
    const __m128i dash = _mm_set1_epi8('-' - 1), dot = _mm_set1_epi8('.' + 1), under = _mm_set1_epi8('_');
    while (n - k >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k)), l = _mm_or_si128(v, lower), ok;
        unsigned m;
        ok = _mm_and_si128(_mm_cmpgt_epi8(l, a), _mm_cmplt_epi8(l, z));   /* letters */
        ok = _mm_or_si128(ok, _mm_and_si128(_mm_cmpgt_epi8(v, d0), _mm_cmplt_epi8(v, d9)));
        ok = _mm_or_si128(ok, _mm_and_si128(_mm_cmpgt_epi8(v, dash), _mm_cmplt_epi8(v, dot)));
        ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, under));
        _mm_storeu_si128((__m128i *)(void *)(d + k), v);   /* n - k >= 16: the room is there */
        m = (unsigned)_mm_movemask_epi8(ok) ^ 0xFFFFu;
        if (m) return k + (size_t)__builtin_ctz(m);
        k += 16;
    }
    return k + xmpp__run(d + k, p + k, n - k, XMPP__C_N);
}
#else
#define xmpp__run_name(d, p, n) xmpp__run(d, p, n, XMPP__C_N)
#endif

/* A plain ASCII name at p (a NameStartChar, NameChars, at most one ':' followed by a
   NameStartChar), copied to d; n bytes may be read and written. Returns its length and
   *colon = prefix length + 1 (0 without a prefix), or 0 if the name is not plain or does
   not end within the n bytes: the scanner decides then. */
static XMPP__HOT size_t xmpp__name_fast(unsigned char *d, const unsigned char *p, size_t n, size_t *colon)
{
    size_t k;
    *colon = 0;
    if (!n || !(xmpp__cc[*p] & XMPP__C_NS)) return 0;
    k = xmpp__run_name(d, p, n);
    if (k + 1 < n && p[k] == ':' && (xmpp__cc[p[k + 1]] & XMPP__C_NS)) {
        d[k] = ':';
        *colon = ++k;
        k += xmpp__run_name(d + k, p + k, n - k);
    }
    return k < n && p[k] != ':' && p[k] < 0x80 ? k : 0;
}

/* A start tag read in one go (*pp just past its '<', the frame set up) while it is
   plain: ASCII names, name="value" with no white space around the '=', values without
   '<', CR, control characters or references other than whole xmpp__ref_whole ones. Reads
   it exactly as the scanner would. If all of it is in [*pp, e), leaves *pp at its '>' and
   *dp past its data, and returns 1. Otherwise returns 0, with *pp and *dp unchanged if
   the element's name is not whole and plain (the scanner reads the tag from its start),
   or else moved to the last point where the scanner can take over: after the name, a
   value or white space, or inside a value that the chunk cuts. The tag so far is then as
   the scanner would have left it there (x->state, x->nattrs, x->decls); only an
   attribute that is not plain, or whose name the chunk cuts, is read twice. Bytes above
   *dp and attribute views above x->nattrs may be left changed: the scanner sets them
   again before it uses them. The frame's qlen and plen are written as soon as the name
   is known to be whole and plain; written last, they cost 0.6 instructions per byte
   more. */
static int xmpp__tag_fast(xmpp_xml *x, const unsigned char **pp, const unsigned char *e, unsigned char **dp)
{
    const unsigned char *p = *pp, *ap;
    unsigned char *d = *dp, *cap = x->cap, *v, *ad;
    size_t n, k, colon, nattrs = 0;
    unsigned c, quote, empty = 0, decls = 0, state = XMPP__S_AFTERVAL;
    xmpp__frame *f = (xmpp__frame *)x->mark;
    xmpp_xml_attr *a;
#define XMPP__NAME_ROOM(n) do { n = (size_t)(e - p); \
        if (n > (size_t)(cap - d)) n = (size_t)(cap - d); \
        if (n > x->lim.max_name) n = x->lim.max_name; } while (0)
    XMPP__NAME_ROOM(n);
    if (!(k = xmpp__name_fast(d, p, n, &colon))) return 0;
    f->qlen = (uint16_t)k;
    f->plen = (uint16_t)(colon ? colon - 1 : 0);
    p += k;
    d += k;
    for (;;) {   /* here p < e, and [ap, ad) in state is where the scanner can take over */
        ap = p;
        ad = d;
        c = *p;
        if (xmpp__cc[c] & XMPP__C_S) {
            do {
                if (++p == e) { state = XMPP__S_TAG; goto cut; }
            } while (xmpp__cc[*p] & XMPP__C_S);
            c = *p;
        } else if (c != '>' && c != '/') {
            goto partial;
        }
        if (c == '>') break;
        if (c == '/') {
            if (p + 1 == e || p[1] != '>') goto partial;
            empty = 1;
            p++;
            break;
        }
        if (nattrs >= x->lim.max_attrs) goto partial;
        XMPP__NAME_ROOM(n);
        if (!(k = xmpp__name_fast(d, p, n, &colon)) || (size_t)(e - p) - k < 2 || p[k] != '=' ||
            (p[k + 1] != '"' && p[k + 1] != '\''))
            goto partial;
        a = &x->attrs[nattrs];
        a->ns = xmpp__str("", 0);
        a->prefix = xmpp__str(d, colon ? colon - 1 : 0);
        a->local = xmpp__str(d + colon, k - colon);
        if (colon)   /* xmlns:p or p:name */
            decls |= colon == 6 && XMPP_MEMCMP(d, "xmlns", 5) == 0 ? XMPP__D_NS : XMPP__D_PREFIX;
        else if (k == 5)   /* maybe xmlns */
            decls |= XMPP__D_NS;
        quote = p[k + 1];
        p += k + 2;
        d += k;
        v = d;
        for (;;) {   /* runs of plain ASCII, whole UTF-8 characters, the other quote */
            n = (size_t)(e - p);
            if (n > (size_t)(cap - d)) n = (size_t)(cap - d);
            k = n >= 16 ? xmpp__run_value(d, p, n) : xmpp__run(d, p, n, XMPP__C_A);
            d += k;
            p += k;
            if (p == e) {   /* the value goes on in the next chunk */
                x->quote = (uint8_t)quote;
                x->name = v;
                state = XMPP__S_VALUE;
                goto cut;
            }
            if (d == cap) goto partial;
            c = *p;
            if (c == quote) break;
            if (c == '"' || c == '\'') {
                *d++ = (unsigned char)c;
                p++;
                continue;
            }
            if (c == '&') {
                if (!(k = xmpp__ref_whole(p, e, &d, cap))) goto partial;
                p += k;
                continue;
            }
            if (c < 0x80 || !(k = xmpp__utf8_whole(p, (size_t)(e - p))) || (size_t)(cap - d) < k)
                goto partial;
            while (k--) *d++ = *p++;
        }
        a->value = xmpp__str(v, (size_t)(d - v));
        nattrs++;
        if (++p == e) goto cut;
    }
#undef XMPP__NAME_ROOM
    x->nattrs = (uint16_t)nattrs;
    x->decls = (uint8_t)decls;
    x->flags &= (uint8_t)~XMPP__F_START;
    if (empty) x->flags |= XMPP__F_EMPTY;
    *dp = d;
    *pp = p;
    return 1;
cut:   /* the chunk ends here: the scanner goes on from here */
    ap = p;
    ad = d;
partial:
    x->nattrs = (uint16_t)nattrs;
    x->decls = (uint8_t)decls;
    x->flags &= (uint8_t)~XMPP__F_START;
    x->state = (uint8_t)state;
    *dp = ad;
    *pp = ap;
    return 0;
}
#endif

/* The scanner: consume bytes from [p, e) until a token is pending, an error occurs, or
   the bytes run out. */
static const unsigned char *xmpp__scan(xmpp_xml *x, const unsigned char *p, const unsigned char *e)
{
    unsigned char *d = x->top, *ncap;
    unsigned c;
    size_t n, k;
    int r;
    unsigned fail;
#define XMPP__FAIL(id) do { fail = XMPP__E_##id; goto failed; } while (0)
    /* RFC 6120 §4.9.3.22: bytes that are not UTF-8 are unsupported-encoding */
#define XMPP__UTF8(r) do { if ((r = xmpp__utf8(x, c)) < 0) { \
        fail = r == -1 ? XMPP__E_UTF8 : XMPP__E_NONCHAR; goto failed; } } while (0)

    if (x->flags & XMPP__F_CR) {   /* XML 1.0 §2.11: CR LF is one line end */
        x->flags &= (uint8_t)~XMPP__F_CR;
        if (*p == '\n' && ++p == e) return p;
    }
    while (p < e) {
        c = *p;
        if (!XMPP_FAST && x->need) goto utf8;   /* a character's next byte (room checked at its lead) */
        switch (x->state) {

        /* ---- the prolog: BOM, XML declaration, white space, the stream header's '<' */
        case XMPP__S_BOM:
            if (c == 0xEF) { x->state = XMPP__S_BOM2; p++; break; }
            x->state = XMPP__S_PROLOG;
            break;
        case XMPP__S_BOM2:
        case XMPP__S_BOM3:
            if (c != (x->state == XMPP__S_BOM2 ? 0xBBu : 0xBFu)) XMPP__FAIL(BOM);
            x->state = x->state == XMPP__S_BOM2 ? XMPP__S_BOM3 : XMPP__S_PROLOG;
            p++;
            break;
        case XMPP__S_PROLOG:
        case XMPP__S_EPILOG:
            if (xmpp__cc[c] & XMPP__C_S) { p++; x->flags |= XMPP__F_STARTED; break; }
            if (c >= 0x80 && (c < 0xC2 || c > 0xF4)) XMPP__FAIL(UTF8);   /* e.g. a UTF-16 BOM */
            if (!c && x->state == XMPP__S_PROLOG && xmpp__off(x, p) < 2) XMPP__FAIL(UTF16);
            if (c != '<') XMPP__FAIL(EPILOG_TEXT);
            /* after the root: a comment or PI is restricted-xml, an element not-well-formed */
            if (x->state == XMPP__S_EPILOG) x->flags |= XMPP__F_AFTER;
            x->tok_off = xmpp__off(x, p);
            x->state = XMPP__S_LT;
            p++;
            break;

        /* ---- after '<': which markup? */
        case XMPP__S_LT:
        lt:
            if (c == '/') {
                if (!x->depth) XMPP__FAIL(END_UNOPENED);
                x->state = XMPP__S_ETAG;
                x->cp = 0;
                if (++p == e || !XMPP_FAST) break;
                c = *p;
                goto etag;
            }
            if (c == '?') {
                /* the XML declaration comes first or not at all (XML 1.0 §2.8) */
                if (x->depth || (x->flags & XMPP__F_STARTED))
                    XMPP__FAIL(PI);
                x->state = XMPP__S_PI;
                x->cp = 0;
                p++;
                break;
            }
            x->flags |= XMPP__F_STARTED;
            if (c == '!') { x->state = XMPP__S_BANG; p++; break; }
            if (!c && !x->depth && x->tok_off == 0) XMPP__FAIL(UTF16);   /* "<" 00 */
            if (x->flags & XMPP__F_AFTER) XMPP__FAIL(EPILOG_MARKUP);
            if (x->depth >= x->lim.max_depth) XMPP__FAIL(MAX_DEPTH);
            if (x->depth == 1) {   /* a stanza starts: its bytes are counted from its '<' */
                x->stanza_end = x->tok_off + x->lim.max_stanza;
            }
            {   /* a start tag: a new frame, the name right after it */
                xmpp__frame *f;
                d = x->buf + ((size_t)(d - x->buf) + XMPP__ALIGN - 1) / XMPP__ALIGN * XMPP__ALIGN;
                if ((size_t)(x->end - d) < sizeof(xmpp__frame) + 8)
                    XMPP__FAIL(FULL);
                f = (xmpp__frame *)d;
                f->prev = (xmpp__frame *)x->frame;
                f->qlen = f->plen = 0;
                f->blen = 0;
                x->mark = d;
                d = x->name = XMPP__QNAME(f);
                x->cap = (size_t)(x->end - d) > x->lim.max_token ? d + x->lim.max_token : x->end;
                x->nattrs = 0;
                x->ndigits = 0;
                x->decls = 0;
                x->flags |= XMPP__F_START;
                x->state = XMPP__S_NAME;
            }
#if XMPP_FAST
            /* the usual plain start tag: in one go, as far as this chunk goes (not tried
               on its last bytes, where the name is likely cut and read twice) */
            if (e - p >= XMPP__TAG_FAST_MIN && xmpp__tag_fast(x, &p, e, &d)) goto start_tag_end;
#endif
            break;
        case XMPP__S_PI:   /* "<?" at the stream's start: "<?xml" S */
            if (x->cp < 3) {
                if (c != (unsigned char)"xml"[x->cp]) XMPP__FAIL(PI);
                x->cp++;
                p++;
                break;
            }
            if (!(xmpp__cc[c] & XMPP__C_S)) XMPP__FAIL(PI);
            x->flags |= XMPP__F_DECL | XMPP__F_STARTED;
            x->mark = x->name = d = x->buf;
            x->cap = (size_t)(x->end - d) > x->lim.max_token ? d + x->lim.max_token : x->end;
            x->nattrs = 0;
            x->state = XMPP__S_TAG;
            p++;
            break;
        case XMPP__S_BANG:
            if (c == '-') XMPP__FAIL(COMMENT);
            if (c == 'D') XMPP__FAIL(DOCTYPE);
            if (c != '[' || !x->depth) XMPP__FAIL(BANG);
            x->state = XMPP__S_CDSTART;
            x->cp = 0;
            p++;
            break;
        case XMPP__S_CDSTART:
            if (c != (unsigned char)"CDATA["[x->cp]) XMPP__FAIL(CDATA_OPEN);
            p++;
            if (++x->cp == 6) {
                x->state = XMPP__S_CDATA;
                x->brackets = 0;
                x->mark = d;
                xmpp__text_cap(x);
                x->tok_off = xmpp__off(x, p);
            }
            break;

        /* ---- names: element and attribute names (QName, Namespaces in XML 1.0 §4) */
        case XMPP__S_NAME:
        case XMPP__S_ANAME:
        name:
            ncap = (size_t)(x->cap - x->name) > x->lim.max_name ? x->name + x->lim.max_name : x->cap;
            if (x->need || c >= 0x80) {
                if (!x->need) {
                    if ((size_t)(ncap - d) < xmpp__seqlen(c))
                        XMPP__FAIL(MAX_NAME);
                    x->flags = (uint8_t)((x->flags & ~XMPP__F_LEADSTART) | ((x->flags & XMPP__F_START) << 1));
                    x->flags &= (uint8_t)~XMPP__F_START;
                }
                if (!XMPP_FAST) goto utf8;
                XMPP__UTF8(r);
                if (r && !xmpp__name_cp(x->cp, x->flags & XMPP__F_LEADSTART)) XMPP__FAIL(NAME_CHAR);
                *d++ = (unsigned char)c;
                p++;
                break;
            }
            if (x->flags & XMPP__F_START) {
                if (!(xmpp__cc[c] & XMPP__C_NS)) XMPP__FAIL(NAME_START);
                x->flags &= (uint8_t)~XMPP__F_START;
            }
            n = (size_t)(e - p);
            if (n > (size_t)(ncap - d)) n = (size_t)(ncap - d);
            k = xmpp__run(d, p, n, XMPP__C_N);
            d += k;
            p += k;
            if (p == e) break;
            c = *p;
            if (xmpp__cc[c] & XMPP__C_N) XMPP__FAIL(MAX_NAME);
            if (c == ':') {
                if (x->ndigits) XMPP__FAIL(COLONS);
                if (d == ncap) XMPP__FAIL(MAX_NAME);
                x->ndigits = (uint16_t)(d - x->name + 1);
                *d++ = ':';
                x->flags |= XMPP__F_START;
                p++;
                break;
            }
            if (c >= 0x80) break;
            /* the name is complete; c is handled by the next state */
            if (x->state == XMPP__S_NAME) {
                xmpp__frame *f = (xmpp__frame *)x->mark;
                f->qlen = (uint16_t)(d - x->name);
                f->plen = (uint16_t)(x->ndigits ? x->ndigits - 1 : 0);
                x->state = XMPP__S_AFTERVAL;
                if (XMPP_FAST) goto after_value;
            } else {
                xmpp_xml_attr *a = &x->attrs[x->nattrs];
                size_t cl = x->ndigits;
                n = (size_t)(d - x->name);
                a->ns = xmpp__str("", 0);
                a->prefix = xmpp__str(x->name, cl ? cl - 1 : 0);
                a->local = xmpp__str(x->name + cl, n - cl);
                if (cl || n == 5) x->decls = XMPP__D_NS | XMPP__D_PREFIX;   /* maybe xmlns, xmlns:p or p:name */
                x->state = XMPP__S_EQ;
                /* the usual name="value": straight on to the value */
                if (XMPP_FAST && c == '=' && p + 1 < e && (p[1] == '"' || p[1] == '\'')) {
                    x->quote = p[1];
                    x->name = d;
                    x->state = XMPP__S_VALUE;
                    p += 2;
                    goto value;
                }
            }
            break;

        /* ---- inside a start tag (and the XML declaration) */
        case XMPP__S_AFTERVAL:   /* white space must separate attributes */
        case XMPP__S_TAG:
        after_value:   /* straight on from a value or an element name: white space, '>', "/>" */
            if (xmpp__cc[c] & XMPP__C_S) {
                x->state = XMPP__S_TAG;
                if (++p == e || !XMPP_FAST) break;
                c = *p;
                if (xmpp__cc[c] & XMPP__C_S) break;
            }
            if (x->flags & XMPP__F_DECL) {
                if (c == '?') { x->state = XMPP__S_QMARK; p++; break; }
                if (c == '>' || c == '/') XMPP__FAIL(DECL_CLOSE);
            }
            if (c == '/') {
                x->state = XMPP__S_SLASH;
                if (++p == e || !XMPP_FAST) break;
                c = *p;
                goto slash;
            }
            if (c == '>') goto start_tag_end;
            if (x->state == XMPP__S_AFTERVAL) XMPP__FAIL(ATTR_SPACE);
            if (x->nattrs >= x->lim.max_attrs) XMPP__FAIL(MAX_ATTRS);
            x->name = d;
            x->ndigits = 0;
            x->flags |= XMPP__F_START;
            x->state = XMPP__S_ANAME;
            goto name;
        case XMPP__S_EQ:
            if (xmpp__cc[c] & XMPP__C_S) { p++; break; }
            if (c != '=') XMPP__FAIL(EQ);
            x->state = XMPP__S_QUOTE;
            p++;
            break;
        case XMPP__S_QUOTE:
            if (xmpp__cc[c] & XMPP__C_S) { p++; break; }
            if (c != '"' && c != '\'') XMPP__FAIL(UNQUOTED);
            x->quote = (uint8_t)c;
            x->name = d;
            x->state = XMPP__S_VALUE;
            p++;
            break;
        case XMPP__S_VALUE:
            if (x->need) {
                XMPP__UTF8(r);
                *d++ = (unsigned char)c;   /* room checked at the lead byte */
                p++;
                break;
            }
        value:
            n = (size_t)(e - p);
            for (;;) {   /* runs of plain ASCII and whole UTF-8 characters */
                if (n > (size_t)(x->cap - d)) n = (size_t)(x->cap - d);
                k = XMPP_FAST && n >= 16 ? xmpp__run_value(d, p, n) : xmpp__run(d, p, n, XMPP__C_A);
                d += k;
                p += k;
                n = (size_t)(e - p);
                if (!XMPP_FAST || !n || *p < 0x80 || !(k = xmpp__utf8_whole(p, n)) || (size_t)(x->cap - d) < k) break;
                n -= k;
                while (k--) *d++ = *p++;
            }
            if (p == e) break;
            c = *p;
            if (c == x->quote) {
                x->attrs[x->nattrs++].value = xmpp__str(x->name, (size_t)(d - x->name));
                x->state = XMPP__S_AFTERVAL;
                if (++p == e || !XMPP_FAST) break;
                c = *p;
                goto after_value;
            }
            if ((size_t)(x->cap - d) < (c < 0x80 ? 1 : xmpp__seqlen(c)))
                XMPP__FAIL(MAX_TOKEN);
            if (c == '<') XMPP__FAIL(LT_IN_VALUE);
            if (c == '&') {
                if (x->flags & XMPP__F_DECL) XMPP__FAIL(DECL_REF);
#if XMPP_FAST
                if ((k = xmpp__ref_whole(p, e, &d, x->cap)) != 0) { p += k; goto value; }
#endif
                x->ret = XMPP__S_VALUE;
                x->state = XMPP__S_REF;
                p++;
                break;
            }
            if (c >= 0x80) goto utf8;
            if (c == '"' || c == '\'') {
                *d++ = (unsigned char)c;
            } else if (xmpp__cc[c] & XMPP__C_S) {   /* XML 1.0 §3.3.3: TAB LF CR -> SP */
                if (c == '\r') { c = ' '; goto line_end; }
                *d++ = ' ';
            } else {
                XMPP__FAIL(CTRL_VALUE);
            }
            p++;
            break;
        case XMPP__S_SLASH:
        slash:
            if (c != '>') XMPP__FAIL(SLASH);
            x->flags |= XMPP__F_EMPTY;
            goto start_tag_end;
        case XMPP__S_QMARK:
            if (c != '>') XMPP__FAIL(QMARK);
            x->top = d;
            p = xmpp__decl_end(x, p);
            return x->err.code ? p : p + 1;
        start_tag_end:
            x->top = d;
            p = XMPP_FAST ? xmpp__start_child(x, p) : xmpp__start_tag(x, p);
            if (x->err.code) return p;
            x->state = (x->depth == 1 && (x->flags & XMPP__F_EMPTY)) ? XMPP__S_EPILOG : XMPP__S_TEXT;
            x->mark = x->top;
            return p + 1;

        /* ---- end tags: compared byte by byte with the open element's name */
        case XMPP__S_ETAG:
        etag: {
            const xmpp__frame *f = (const xmpp__frame *)x->frame;
            const unsigned char *q = XMPP__QNAME(f) + x->cp;
            n = (size_t)(e - p);
            k = f->qlen - x->cp;
            if (n > k) n = k;
            k = 0;
#if XMPP_FAST && defined(XMPP__FIRST)
            /* the usual short name: eight bytes in one compare (of n, little-endian) */
            if (n && (size_t)(e - p) >= 8 && (size_t)(x->end - q) >= 8) {
                uint64_t a, b;
                XMPP_MEMCPY(&a, p, 8);
                XMPP_MEMCPY(&b, q, 8);
                a ^= b;
                if (n < 8) a <<= 8 * (8 - n);
                if (!a) k = n < 8 ? n : 8;
            }
#endif
            for (; k < n && p[k] == q[k]; k++) {}
            p += k;
            x->cp += (uint32_t)k;
            if (p == e) break;
            c = *p;
            if (x->cp == f->qlen) {
                if (xmpp__cc[c] & XMPP__C_S) { x->state = XMPP__S_ETAGWS; p++; break; }
                if (c == '>') goto end_tag_end;
            }
            XMPP__FAIL(END_MISMATCH);
        }
        case XMPP__S_ETAGWS:
            if (xmpp__cc[c] & XMPP__C_S) { p++; break; }
            if (c != '>') XMPP__FAIL(END_GT);
        end_tag_end:
            x->top = d;
            x->pending = x->depth == 1 ? XMPP_XML_CLOSE : XMPP_XML_END;
            x->state = x->depth == 1 ? XMPP__S_EPILOG : XMPP__S_TEXT;
            return p + 1;

        /* ---- character data */
        case XMPP__S_TEXT: {
            n = (size_t)(e - p);
            if (x->need) {
                XMPP__UTF8(r);
                *d++ = (unsigned char)c;   /* room checked at the lead byte */
                p++;
                break;
            }
            if (d == x->mark) {   /* a token starts: text, or markup with no text before it */
                x->tok_off = xmpp__off(x, p);
#if XMPP_FAST   /* the room test of xmpp__text_cap: the buffer is not full */
                if (c == '<' && (size_t)(x->end - d) >= 4) {
                    x->brackets = 0;
                    x->state = XMPP__S_LT;
                    if (++p == e) break;
                    c = *p;
                    goto lt;
                }
#endif
                xmpp__text_cap(x);
            }
            /* a new character starts: split the text if it might not fit (before looking
               at the character, as when a chunk ends there: see below the loop) */
            if (d >= x->cap) {
                if (d != x->mark) { x->top = d; x->pending = XMPP_XML_TEXT; return p; }
                XMPP__FAIL(FULL);
            }
            if (c == '>' && x->brackets >= 2) XMPP__FAIL(CDEND_IN_TEXT);
            {   /* runs of plain ASCII and whole UTF-8 characters */
                const unsigned char *p0 = p;
                for (;;) {   /* a character may start below x->cap, and end past it */
                    if (d >= x->cap) break;
                    if (n > (size_t)(x->cap - d)) n = (size_t)(x->cap - d);
#if XMPP_FAST
                    k = xmpp__run_text(d, p, n);
#else
                    k = xmpp__run(d, p, n, XMPP__C_T);
#endif
                    d += k;
                    p += k;
                    n = (size_t)(e - p);
                    if (!XMPP_FAST || !n || *p < 0x80 || d >= x->cap || !(k = xmpp__utf8_whole(p, n))) break;
                    if (n >= 4) {   /* below x->cap, 4 bytes always fit */
                        XMPP_MEMCPY(d, p, 4);
                        d += k;
                        p += k;
                        n -= k;
                    } else {
                        n -= k;
                        while (k--) *d++ = *p++;
                    }
                }
                if (p != p0) {
                    x->brackets = 0;
                    if (XMPP_FAST && p < e && *p == '<') {   /* the text ends here */
                        x->top = d;
                        x->pending = XMPP_XML_TEXT;
                        return p;
                    }
                    break;
                }
            }
            if (c == '<') {
                x->brackets = 0;   /* "]]" then markup then '>' is no "]]>" */
                if (d != x->mark) { x->top = d; x->pending = XMPP_XML_TEXT; return p; }
                x->state = XMPP__S_LT;
                if (++p == e || !XMPP_FAST) break;
                c = *p;
                goto lt;
            }
            if (c == '&') {
#if XMPP_FAST   /* d < x->cap <= x->end - 3: any character fits (text may end past x->cap) */
                if ((k = xmpp__ref_whole(p, e, &d, x->end)) != 0) {
                    x->brackets = 0;
                    p += k;
                    break;
                }
#endif
                x->ret = XMPP__S_TEXT;
                x->state = XMPP__S_REF;
            } else if (c == ']') {
                if (x->brackets < 2) x->brackets++;   /* saturate: 256 of them wrap a byte */
                *d++ = ']';
            } else if (c == '\r') {
                x->brackets = 0;
                c = '\n';
                goto line_end;
            } else if (c >= 0x80) {
                x->brackets = 0;
                goto utf8;
            } else {
                XMPP__FAIL(CTRL_TEXT);
            }
            if (c != ']') x->brackets = 0;
            p++;
            break;
        }
        case XMPP__S_CDATA: {
            if (x->need) {
                XMPP__UTF8(r);
                *d++ = (unsigned char)c;
                p++;
                break;
            }
            /* up to two ']' wait (they may start "]]>"); each counts as a character due.
               The split comes before the character is looked at, as when a chunk ends
               here (see below the loop). */
            if (d + x->brackets >= x->cap && d != x->mark) { x->top = d; x->pending = XMPP_XML_TEXT; return p; }
            if (c == '>' && x->brackets == 2) {   /* "]]>" ends the section */
                x->brackets = 0;
                x->state = XMPP__S_TEXT;
                p++;
                if (d == x->mark) break;   /* an empty section: no token */
                x->top = d;
                x->pending = XMPP_XML_TEXT;
                return p;
            }
            if (d + x->brackets >= x->cap) XMPP__FAIL(FULL);
            if (d == x->mark) x->tok_off = xmpp__off(x, p) - x->brackets;
            if (c == ']') {
                if (x->brackets < 2) x->brackets++;
                else *d++ = ']';
                p++;
                break;
            }
            for (; x->brackets; x->brackets--) *d++ = ']';
            if (c >= 0x80) goto utf8;
            if (c == '\r') {
                c = '\n';
                goto line_end;
            }
            if ((xmpp__cc[c] & XMPP__C_T) || c == '<' || c == '&') {
                *d++ = (unsigned char)c;
            } else {
                XMPP__FAIL(CTRL_CDATA);
            }
            p++;
            break;
        }

        /* ---- references: &lt; &gt; &amp; &apos; &quot; &#N; &#xH; */
        case XMPP__S_REF:
            if (c >= 0x80 || c == ':') XMPP__FAIL(ENTITY);
            if (c != '#' && !(xmpp__cc[c] & XMPP__C_NS)) XMPP__FAIL(AMP);
            x->cp = c == '#' ? 0 : c;
            x->ndigits = c == '#' ? 0 : 1;
            x->state = c == '#' ? XMPP__S_CREF : XMPP__S_ENTNAME;
            p++;
            break;
        case XMPP__S_ENTNAME:
            p++;
            if (c == ';') {
                uint32_t v = x->cp;
                c = v == 0x6C74 ? '<' : v == 0x6774 ? '>' : v == 0x616D70 ? '&' :
                    v == 0x61706F73 ? '\'' : v == 0x71756F74 ? '"' : 0;
                if (!c) { p--; XMPP__FAIL(ENTITY); }
                if (!xmpp__put_ref(x, &d, c)) XMPP__FAIL(MAX_TOKEN);
                break;
            }
            if (c >= 0x80 || c == ':' || ((xmpp__cc[c] & XMPP__C_N) && x->ndigits == 4)) {
                p--;
                XMPP__FAIL(ENTITY);
            }
            if (!(xmpp__cc[c] & XMPP__C_N)) { p--; XMPP__FAIL(REF_SEMI); }
            x->cp = x->cp << 8 | c;
            x->ndigits++;
            break;
        case XMPP__S_CREF:
            if (c == 'x') { x->state = XMPP__S_CHEX; p++; break; }
            x->state = XMPP__S_CDEC;
            break;
        case XMPP__S_CDEC:
        case XMPP__S_CHEX: {
            unsigned v = c - '0';
            if (x->state == XMPP__S_CHEX) {
                unsigned h = (c | 0x20) - 'a';   /* wraps around below 'a' */
                if (v > 9) v = h < 6 ? h + 10 : 99;
            } else if (v > 9) {
                v = 99;
            }
            if (c == ';' && x->ndigits) {
                if (!xmpp__is_char(x->cp)) XMPP__FAIL(CREF_CHAR);
                if (!xmpp__put_ref(x, &d, x->cp)) XMPP__FAIL(MAX_TOKEN);
                p++;
                break;
            }
            if (v > 15) XMPP__FAIL(CREF);
            x->cp = x->cp * (x->state == XMPP__S_CHEX ? 16u : 10u) + v;
            if (x->cp > 0x10FFFF) XMPP__FAIL(CREF_RANGE);
            x->ndigits = 1;
            p++;
            break;
        }

        /* ---- a byte of a multi-byte character: the lead byte in a value, text or CDATA,
           its room checked there, and its other bytes through the state's x->need branch.
           Without XMPP_FAST, every byte after the lead comes here from the test before
           the switch, and so does a name's lead byte (its room checked in the name's
           state). */
        utf8:
            XMPP__UTF8(r);
            if (!XMPP_FAST && r && (x->state == XMPP__S_NAME || x->state == XMPP__S_ANAME) &&
                !xmpp__name_cp(x->cp, x->flags & XMPP__F_LEADSTART))
                XMPP__FAIL(NAME_CHAR);
            *d++ = (unsigned char)c;
            p++;
            break;

        /* ---- a CR in text or CDATA (c is LF) or in a value (c is a space): CR LF is one
           line end, so an LF right after it is skipped (XML 1.0 §2.11); by the next scan
           when text that this fills is handed out first, before the LF is looked at (as
           when the chunk ends after the CR) */
        line_end:
            *d++ = (unsigned char)c;
            if (p + 1 == e || (d >= x->cap && x->state != XMPP__S_VALUE)) x->flags |= XMPP__F_CR;
            else if (p[1] == '\n') p++;
            p++;
            break;
        default:
            XMPP__FAIL(STATE);
        }
    }
    x->top = d;
    /* Text that the next character would split off (see the states) is complete with its
       last byte: handed out now, not when the next byte comes (no hold-back). Otherwise
       prepare feed()'s shortcut for the next byte: in the middle of a name, an attribute
       value or text (not its last byte before the split), a plain byte is just copied
       (see xmpp_xml_feed). */
    if (!x->need) {
        int plain = XMPP_FAST && !(x->flags & (XMPP__F_CR | XMPP__F_START | XMPP__F_DECL));
        if (x->state == XMPP__S_TEXT && d != x->mark) {
            if (d >= x->cap) {
                x->pending = XMPP_XML_TEXT;
            } else if (plain && !x->brackets) {
                x->fast = XMPP__C_T;
                x->fast_cap = x->cap - 1;
            }
        } else if (x->state == XMPP__S_CDATA) {
            if (d != x->mark && d + x->brackets >= x->cap) x->pending = XMPP_XML_TEXT;
        } else if (plain && x->state == XMPP__S_VALUE) {
            x->fast = XMPP__C_A;
            x->fast_cap = x->cap;
        } else if (plain && (x->state == XMPP__S_NAME || x->state == XMPP__S_ANAME)) {
            x->fast = XMPP__C_N;
            x->fast_cap = (size_t)(x->cap - x->name) > x->lim.max_name ? x->name + x->lim.max_name : x->cap;
        }
    }
    return p;
failed:
    x->top = d;
    return xmpp__fail(x, p, fail);
#undef XMPP__FAIL
#undef XMPP__UTF8
}

static XMPP__COLD xmpp_err xmpp__feed(xmpp_xml *x, const unsigned char *p, size_t len, size_t *used)
{
    const unsigned char *e = p + len;
    x->fast = 0;
    *used = 0;
    /* A token to release and an error never go together: an error is found by a scan,
       which comes after the release, and no token is handed out once there is one. */
    if (x->release) xmpp__release(x);
    if (x->err.code | x->pending) return x->err.code;
    x->chunk = p;
    if (p < e) p = xmpp__scan(x, p, e);   /* returns with a token, an error or p == e */
    *used = (size_t)(p - x->chunk);
    x->base += *used;
    if (x->base > x->stanza_end) {
        uint64_t limit = x->stanza_end;   /* first byte too many */
        if (!x->err.code || x->err.offset >= limit) {
            x->pending = 0;
            x->fast = 0;
            x->err.code = XMPP_ERR_POLICY_VIOLATION;
            x->err.message = xmpp__nth(xmpp__fail_msg, XMPP__E_MAX_STANZA);
            x->err.offset = limit;
            if (x->base - limit <= *used) {   /* count only the bytes before the error */
                *used -= (size_t)(x->base - limit);
                x->base = limit;
            }
        }
    }
    return x->err.code;
}

XMPPDEF xmpp_err xmpp_xml_feed(xmpp_xml *x, const void *data, size_t len, size_t *used)
{
    const unsigned char *p = (const unsigned char *)data;
    /* The shortcut for byte-at-a-time feeding (a UART, a test harness): a plain byte in
       the middle of a name, value or text, with room left, is copied here and nothing
       else changes. x->fast is set only by the scanner, only when no token is pending. */
    if (XMPP_FAST && len == 1 && (xmpp__cc[*p] & x->fast) && x->top < x->fast_cap && x->base < x->stanza_end) {
        *x->top++ = *p;
        x->base++;
        *used = 1;
        return XMPP_OK;
    }
    return xmpp__feed(x, p, len, used);
}

/* Hand out the pending token. A leaf, kept out of line: the release next() may need first
   stays out of its way. */
static XMPP__COLD xmpp_err xmpp__give(xmpp_xml *x, xmpp_xml_token *t)
{
    const xmpp__frame *f = (const xmpp__frame *)x->frame;
    t->kind = (xmpp_xml_kind)x->pending;
    t->depth = x->depth;
    t->offset = x->tok_off;
    t->attrs = x->attrs;
    t->nattrs = 0;
    if (x->pending == XMPP_XML_TEXT || x->pending == XMPP_XML_DECL) {
        t->ns = t->local = t->prefix = xmpp__str("", 0);
        if (x->pending == XMPP_XML_TEXT) t->text = xmpp__str(x->mark, (size_t)(x->top - x->mark));
        else { t->text = xmpp__str("", 0); t->nattrs = x->nattrs; }
    } else {   /* OPEN, START, END, CLOSE: the element's name */
        const unsigned char *q = XMPP__QNAME(f);
        size_t pl = f->plen, skip = pl ? pl + 1 : 0;
        t->prefix = xmpp__str(q, pl);
        t->local = xmpp__str(q + skip, f->qlen - skip);
        t->text = xmpp__str("", 0);
        if (x->pending == XMPP_XML_OPEN || x->pending == XMPP_XML_START) {
            t->ns = x->ns;
            t->nattrs = x->nattrs;
        } else {
            t->ns = f->ns;
        }
    }
    x->release = x->pending;
    x->pending = 0;
    return XMPP_OK;
}

/* The END of an empty element: release its START first. */
static XMPP__COLD xmpp_err xmpp__next_end(xmpp_xml *x, xmpp_xml_token *t)
{
    if (x->release) xmpp__release(x);
    if (!x->pending) return x->err.code ? x->err.code : XMPP_AGAIN;
    return xmpp__give(x, t);
}

XMPPDEF xmpp_err xmpp_xml_next(xmpp_xml *x, xmpp_xml_token *t)
{
    /* The last token is released by the next call that needs its room: feed, or next
       when an empty element's END follows its START. A token feed left pending has
       nothing to release before it: feed did. */
    if (x->pending && !x->release) return xmpp__give(x, t);
    if (!(x->flags & XMPP__F_EMPTY)) return x->err.code ? x->err.code : XMPP_AGAIN;
    return xmpp__next_end(x, t);
}

/* ---- the canonical token format (see >>xml API) */

typedef struct { char *p; size_t size, n; } xmpp__out;

static void xmpp__emit(xmpp__out *o, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++, o->n++)
        if (o->n + 1 < o->size) o->p[o->n] = s[i];
}

static void xmpp__emit_quoted(xmpp__out *o, xmpp_str s)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    xmpp__emit(o, "\"", 1);
    for (i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        char esc[4] = { '\\', 0, 0, 0 };
        size_t n = 2;
        if (c == '\\' || c == '"') esc[1] = (char)c;
        else if (c == '\n') esc[1] = 'n';
        else if (c == '\r') esc[1] = 'r';
        else if (c == '\t') esc[1] = 't';
        else if (c < 0x20 || c == 0x7F) { esc[1] = 'x'; esc[2] = hex[c >> 4]; esc[3] = hex[c & 15]; n = 4; }
        else { xmpp__emit(o, s.p + i, 1); continue; }
        xmpp__emit(o, esc, n);
    }
    xmpp__emit(o, "\"", 1);
}

static int xmpp__strcmp(xmpp_str a, xmpp_str b)
{
    int r = XMPP_MEMCMP(a.p, b.p, a.n < b.n ? a.n : b.n);
    return r ? r : (a.n > b.n) - (a.n < b.n);
}

static int xmpp__attr_cmp(const xmpp_xml_attr *a, const xmpp_xml_attr *b)
{
    int r = xmpp__strcmp(a->ns, b->ns);
    return r ? r : xmpp__strcmp(a->local, b->local);
}

XMPPDEF void xmpp_xml_token_format(const xmpp_xml_token *t, char *out, size_t size, size_t *need)
{
    static const char kinds[] = "none\0decl\0open\0start\0end\0text\0close";   /* see xmpp__nth */
    xmpp__out o;
    const xmpp_xml_attr *last = NULL;
    size_t i, k;
    char num[12];
    o.p = out;
    o.size = size;
    o.n = 0;
    {
        const char *kn = xmpp__nth(kinds, (unsigned)t->kind <= 6 ? (unsigned)t->kind : 0);
        size_t kl = 0;
        while (kn[kl]) kl++;
        xmpp__emit(&o, kn, kl);
    }
    if (t->kind != XMPP_XML_DECL) {
        uint32_t v = t->depth;
        i = sizeof num;
        do { num[--i] = (char)('0' + v % 10); v /= 10; } while (v);
        xmpp__emit(&o, " ", 1);
        xmpp__emit(&o, num + i, sizeof num - i);
    }
    if (t->kind == XMPP_XML_TEXT) {
        xmpp__emit(&o, " ", 1);
        xmpp__emit_quoted(&o, t->text);
    } else if (t->kind != XMPP_XML_DECL) {
        xmpp__emit(&o, " ", 1);
        if (t->prefix.n) { xmpp__emit(&o, t->prefix.p, t->prefix.n); xmpp__emit(&o, ":", 1); }
        xmpp__emit(&o, t->local.p, t->local.n);
        xmpp__emit(&o, " {", 2);
        xmpp__emit(&o, t->ns.p, t->ns.n);
        xmpp__emit(&o, "}", 1);
        xmpp__emit(&o, t->local.p, t->local.n);
    }
    /* attributes: in document order for decl, else sorted (selection, no scratch) */
    for (k = 0; k < t->nattrs; k++) {
        const xmpp_xml_attr *a = &t->attrs[k];
        if (t->kind != XMPP_XML_DECL) {
            a = NULL;
            for (i = 0; i < t->nattrs; i++) {
                const xmpp_xml_attr *c = &t->attrs[i];
                if (last && xmpp__attr_cmp(c, last) <= 0) continue;
                if (!a || xmpp__attr_cmp(c, a) < 0) a = c;
            }
            if (!a) break;
            last = a;
        }
        xmpp__emit(&o, " ", 1);
        if (a->ns.n) { xmpp__emit(&o, "{", 1); xmpp__emit(&o, a->ns.p, a->ns.n); xmpp__emit(&o, "}", 1); }
        xmpp__emit(&o, a->local.p, a->local.n);
        xmpp__emit(&o, "=", 1);
        xmpp__emit_quoted(&o, a->value);
    }
    if (size) out[o.n < size ? o.n : size - 1] = 0;
    if (need) *need = o.n;
}

/* ======================================================================== >>stanza
   IMPLEMENTATION NOTES

   The arena holds records packed byte by byte, numbers little-endian (no alignment, so
   the same bytes on every CPU). Links are distances in bytes: forward from a node to its
   next sibling and to its first child (they are always written later), backward from a
   node to its namespace (always written earlier). 0 means none.

       element  [next:4][child:4][ns:4][nattrs:2][namelen:2][name]  then nattrs of
       attr     [namelen|0x8000 if ns:2][valuelen:2]([ns:4])[name][value]   (names of
                1..32767 bytes) or [0:2][valuelen:2][namelen:2][ns:4][name][value]
       text     [next:4][0x80000000|len:4][text]
       ns       [previous ns record:4][len:2][URI]       (one per URI per stanza)

   While an element is open its next field holds its parent (offset + 1): at its END it
   becomes 0, and the next sibling's START overwrites it. Consecutive TEXT tokens (long
   text, CDATA sections) extend the text node they follow. */

#define XMPP__TEXT_BIT 0x80000000u
#define XMPP__ATTR_NS  0x8000u
/* An attribute name of n bytes takes the short record (4 bytes, 8 if namespaced), other
   lengths (0, or 32768 and up: never with the default limits) the 10-byte one. */
#define XMPP__ATTR_SHORT(n) ((size_t)(n) - 1 < XMPP__ATTR_NS - 1)
enum { XMPP__ST_IDLE, XMPP__ST_COLLECT, XMPP__ST_DONE, XMPP__ST_SKIP };

static uint32_t xmpp__get32(const unsigned char *p)
{
    return (uint32_t)xmpp__get16(p) | (uint32_t)xmpp__get16(p + 2) << 16;
}

static void xmpp__put32(unsigned char *p, size_t v)
{
    xmpp__put16(p, v & 0xFFFF);
    xmpp__put16(p + 2, v >> 16 & 0xFFFF);
}

XMPPDEF size_t xmpp_tree_arena_size(const xmpp_xml_limits *lim)
{
    /* Per wire byte at most: "<a/>x" (5 bytes) becomes a 17-byte element and a 9-byte
       text node. Namespaces in scope from outside the stanza (the stream header's):
       their URIs fit one start tag, plus a 6-byte record header each. */
    uint32_t stanza = lim && lim->max_stanza ? lim->max_stanza : XMPP_XML_DEFAULT_STANZA;
    uint32_t token = lim && lim->max_token ? lim->max_token : XMPP_XML_DEFAULT_TOKEN;
    uint32_t attrs = lim && lim->max_attrs ? lim->max_attrs : XMPP_XML_DEFAULT_ATTRS;
    uint32_t extra = 26 + token + 6 * (attrs & 0xFFFF);   /* token, attrs <= 65535 */
    if (token > 0xFFFF || attrs > 0xFFFF || stanza / 5 > (0x7FFFFFFFu - extra) / 26) return 0;
    return (size_t)(stanza / 5 * 26 + extra);   /* arenas are below 2 GiB */
}

XMPPDEF void xmpp_tree_init(xmpp_tree *s, void *arena, size_t size)
{
    XMPP_MEMSET(s, 0, sizeof *s);
    s->arena = (unsigned char *)arena;
    s->size = size > 0x7FFFFFFF ? 0x7FFFFFFF : size;   /* distances are 31 bits */
}

XMPPDEF void xmpp_tree_reset(xmpp_tree *s)
{
    s->state = XMPP__ST_IDLE;
    s->root = s->cur = s->prev = s->ns = 0;
    s->top = 0;
    s->depth = 0;
    s->nns = 0;
    s->seen = NULL;
}

/* Well-known namespaces take no arena bytes: a namespace distance of 1..5 names one of
   these (a real record is at least 7 bytes back). */
#define XMPP__WK1 "jabber:client"
#define XMPP__WK2 "http://www.w3.org/XML/1998/namespace"
#define XMPP__WK3 "http://etherx.jabber.org/streams"
#define XMPP__WK4 "jabber:server"
#define XMPP__WK5 "urn:ietf:params:xml:ns:xmpp-stanzas"
/* the text in one array, the pointers into it: no literal in a shared section (see xmpp__nth) */
static const char xmpp__wk_text[] = "\0" XMPP__WK1 "\0" XMPP__WK2 "\0" XMPP__WK3 "\0" XMPP__WK4 "\0" XMPP__WK5;
static const char *const xmpp__wk_ns[] = {
    xmpp__wk_text, xmpp__wk_text + 1, xmpp__wk_text + 1 + sizeof XMPP__WK1,
    xmpp__wk_text + 1 + sizeof XMPP__WK1 + sizeof XMPP__WK2,
    xmpp__wk_text + 1 + sizeof XMPP__WK1 + sizeof XMPP__WK2 + sizeof XMPP__WK3,
    xmpp__wk_text + 1 + sizeof XMPP__WK1 + sizeof XMPP__WK2 + sizeof XMPP__WK3 + sizeof XMPP__WK4
};
/* Which one a URI of a given length can be: the lengths differ but those of jabber:client
   and jabber:server, which differ in their 8th byte (xmpp__intern). */
static const unsigned char xmpp__wk_by_len[37] = { [13] = 1, [32] = 3, [35] = 5, [36] = 2 };
#define XMPP__WK_COUNT 5
#define XMPP__WK_REF(k) ((size_t)-2 - (k))   /* xmpp__intern's result for one of them */

typedef char xmpp__tree_ns_max_fits[XMPP_TREE_NS_MAX >= 1 && XMPP_TREE_NS_MAX <= 255 ? 1 : -1];   /* nns is 8 bits */

#if XMPP_FAST
/* n bytes at a and b the same? In line, 8 bytes at a time (the last word overlapping). */
static XMPP__HOT int xmpp__same(const unsigned char *a, const char *b, size_t n)
{
    uint64_t u, v;
    size_t i;
    if (n < 8) {   /* no well-known URI is this short; for safety only */
        for (i = 0; i < n; i++)
            if (a[i] != (unsigned char)b[i]) return 0;
        return 1;
    }
    for (i = 0; i + 8 < n; i += 8) {
        XMPP_MEMCPY(&u, a + i, 8);
        XMPP_MEMCPY(&v, b + i, 8);
        if (u != v) return 0;
    }
    XMPP_MEMCPY(&u, a + n - 8, 8);
    XMPP_MEMCPY(&v, b + n - 8, 8);
    return u == v;
}
#else
#define xmpp__same(a, b, n) (XMPP_MEMCMP(a, b, n) == 0)
#endif

/* xmpp__intern (below) for a URI that is not well-known: a record of this stanza's, or a
   new one; (size_t)-1 if it does not fit or the stanza has XMPP_TREE_NS_MAX of them
   already: the search walks them all, and without a bound a hostile stanza of one
   namespace per element (<a xmlns='1'/><a xmlns='2'/>...) would cost time quadratic in
   its size. */
static size_t xmpp__intern_record(xmpp_tree *s, xmpp_str uri)
{
    size_t r = s->ns;
    if (s->cur) {   /* most elements share their parent's namespace */
        const unsigned char *e = s->arena + s->cur - 1;
        uint32_t d = xmpp__get32(e + 8);
        if (d > XMPP__WK_COUNT) {
            const unsigned char *q = e - d;
            if (xmpp__get16(q + 4) == uri.n && XMPP_MEMCMP(q + 6, uri.p, uri.n) == 0)
                return (size_t)(q - s->arena) + 1;
        }
    }
    while (r) {
        const unsigned char *q = s->arena + r - 1;
        uint32_t d = xmpp__get32(q);
        if (xmpp__get16(q + 4) == uri.n && XMPP_MEMCMP(q + 6, uri.p, uri.n) == 0) return r;
        r = d ? r - d : 0;
    }
    if (uri.n > 0xFFFF || s->size - s->top < 6 + uri.n || s->nns >= XMPP_TREE_NS_MAX) return (size_t)-1;
    s->nns++;
    r = s->top + 1;
    xmpp__put32(s->arena + s->top, s->ns ? r - s->ns : 0);
    xmpp__put16(s->arena + s->top + 4, uri.n);
    XMPP_MEMCPY(s->arena + s->top + 6, uri.p, uri.n);
    s->top += 6 + uri.n;
    s->ns = r;
    return r;
}

/* Which well-known namespace uri is: 1..XMPP__WK_COUNT, or 0 for none. */
static XMPP__INLINE size_t xmpp__wk(xmpp_str uri)
{
    size_t k = uri.n < sizeof xmpp__wk_by_len ? xmpp__wk_by_len[uri.n] : 0;
    if (k == 1 && uri.p[7] != xmpp__wk_ns[1][7]) k = 4;   /* not jabber:client: maybe jabber:server */
    return k && xmpp__same((const unsigned char *)uri.p, xmpp__wk_ns[k], uri.n) ? k : 0;
}

/* xmpp__intern (below) past its quick answers: a record (remembered if inherited). */
static size_t xmpp__intern_new(xmpp_tree *s, xmpp_str uri, int inherited)
{
    size_t r = xmpp__intern_record(s, uri);
    if (inherited && r != (size_t)-1 && s->depth <= 0xFFFF) {   /* r: below 2^31, n: 2^16 */
        s->seen = uri.p;
        s->seen_n = (uint16_t)uri.n;
        s->seen_ref = (uint32_t)r;
        s->seen_depth = (uint16_t)s->depth;   /* this element's parent */
    }
    return r;
}

/* The namespace of uri as a reference: 0 for none, XMPP__WK_REF(k) for a well-known
   one, else the offset + 1 of its record, an existing one of this stanza or a new one;
   (size_t)-1 as xmpp__intern_record says. self is the element's name as the tokenizer gave it. A namespace inherited from an
   ancestor (declared on an open element: its URI sits in that element's frame in the
   tokenizer's buffer, below self, and stays there until the element closes, so at least
   until the parent of this one does) is remembered by where it sits: the same view again
   is the same declaration, found without comparing its bytes. A long URI on an element
   with thousands of children (<e xmlns='...3,900 bytes...'><a/><a/>...) would otherwise
   cost each child a comparison of the whole URI. A namespace declared on this element
   sits above self, in bytes that move when the token is released: never remembered.
   Runs for every element: inlined with XMPP_FAST. */
static XMPP__HOT size_t xmpp__intern(xmpp_tree *s, xmpp_str uri, const char *self)
{
    int inherited = (uintptr_t)uri.p < (uintptr_t)self;
    size_t k;
    if (!uri.n) return 0;
    if (inherited && uri.p == s->seen && uri.n == s->seen_n) return s->seen_ref;
    if ((k = xmpp__wk(uri)) != 0) return XMPP__WK_REF(k);
    return xmpp__intern_new(s, uri, inherited);
}

/* The distance to store in the record at (offset + 1) for namespace reference ref. */
static size_t xmpp__ns_dist(size_t ref, size_t at)
{
    if (ref >= XMPP__WK_REF(XMPP__WK_COUNT)) return (size_t)-2 - ref;   /* 1..5 */
    return ref ? at - ref : 0;
}

/* Link the node just written at offset at (offset + 1) under the open element. */
static XMPP__HOT void xmpp__link(xmpp_tree *s, size_t at)
{
    if (s->prev) xmpp__put32(s->arena + s->prev - 1, at - s->prev);
    else if (s->cur) xmpp__put32(s->arena + s->cur - 1 + 4, at - s->cur);
    else s->root = at;
}

/* The stanza does not fit: skip to its end. opened: the element whose START did not fit
   counts as open. */
static xmpp_err xmpp__skip(xmpp_tree *s, uint32_t opened)
{
    s->depth += opened;
    s->state = XMPP__ST_SKIP;
    s->root = 0;
    return XMPP_AGAIN;
}

#if XMPP_FAST
/* memcpy for the short strings of a stanza (names, values, text): up to 32 bytes in line,
   by overlapping words (the call alone would cost more). */
static XMPP__HOT void xmpp__copy(unsigned char *d, const unsigned char *p, size_t n)
{
    if (n <= 32) {
        uint64_t a, b;
        if (n >= 8) {
            if (n > 16) {
                XMPP_MEMCPY(&a, p + 8, 8);
                XMPP_MEMCPY(&b, p + n - 16, 8);
                XMPP_MEMCPY(d + 8, &a, 8);
                XMPP_MEMCPY(d + n - 16, &b, 8);
            }
            XMPP_MEMCPY(&a, p, 8);
            XMPP_MEMCPY(&b, p + n - 8, 8);
            XMPP_MEMCPY(d, &a, 8);
            XMPP_MEMCPY(d + n - 8, &b, 8);
        } else if (n >= 4) {
            uint32_t u, v;
            XMPP_MEMCPY(&u, p, 4);
            XMPP_MEMCPY(&v, p + n - 4, 4);
            XMPP_MEMCPY(d, &u, 4);
            XMPP_MEMCPY(d + n - 4, &v, 4);
        } else {
            while (n--) *d++ = *p++;
        }
        return;
    }
    XMPP_MEMCPY(d, p, n);
}
#else
#define xmpp__copy(d, p, n) XMPP_MEMCPY(d, p, n)
#endif

static XMPP__COLD xmpp_err xmpp__collect_start_long(xmpp_tree *s, const xmpp_xml_token *t);

/* A START into the arena. longs: attribute names may need the long record (a constant
   in each caller: xmpp__collect_start, and xmpp__collect_start_long, which it calls when
   one does, so that its own loops never test for them). */
static XMPP__HOT xmpp_err xmpp__collect_el(xmpp_tree *s, const xmpp_xml_token *t, int longs)
{
    size_t i, need, at, ns;
    unsigned char *p;
    if ((ns = xmpp__intern(s, t->ns, t->local.p)) == (size_t)-1) return xmpp__skip(s, 1);
    if (t->nattrs > 0xFFFF || t->local.n > 0xFFFF) return xmpp__skip(s, 1);   /* no tokenizer makes these */
    need = 16 + t->local.n;
    for (i = 0; i < t->nattrs; i++) {
        const xmpp_xml_attr *a = &t->attrs[i];
        if (!XMPP__ATTR_SHORT(a->local.n) || a->value.n > 0xFFFF) {
            if (a->local.n > 0xFFFF || a->value.n > 0xFFFF) return xmpp__skip(s, 1);
            if (!longs) return xmpp__collect_start_long(s, t);
            need += a->ns.n ? 2u : 6u;   /* the long record */
        }
        need += (a->ns.n ? 8u : 4u) + a->local.n + a->value.n;   /* < 2^17 per attribute */
        if (need > s->size) return xmpp__skip(s, 1);   /* and no overflow on 32 bits */
        if (a->ns.n && xmpp__intern(s, a->ns, t->local.p) == (size_t)-1) return xmpp__skip(s, 1);
    }
    if (t->local.n >= 0x10000 || s->size - s->top < need) return xmpp__skip(s, 1);
    at = s->top + 1;
    p = s->arena + s->top;
    xmpp__put32(p, s->cur);                      /* the parent, while open */
    xmpp__put32(p + 4, 0);
    xmpp__put32(p + 8, xmpp__ns_dist(ns, at));
    xmpp__put16(p + 12, t->nattrs);
    xmpp__put16(p + 14, t->local.n);
    xmpp__copy(p + 16, (const unsigned char *)t->local.p, t->local.n);
    p += 16 + t->local.n;
    for (i = 0; i < t->nattrs; i++) {
        const xmpp_xml_attr *a = &t->attrs[i];
        size_t here = (size_t)(p - s->arena) + 1;
        int lg = longs && !XMPP__ATTR_SHORT(a->local.n);
        xmpp__put16(p, lg ? 0 : a->local.n | (a->ns.n ? XMPP__ATTR_NS : 0));
        xmpp__put16(p + 2, a->value.n);
        p += 4;
        if (lg) {
            xmpp__put16(p, a->local.n);
            p += 2;
        }
        if (lg || a->ns.n) {   /* interned above: found again without growing */
            xmpp__put32(p, a->ns.n ? xmpp__ns_dist(xmpp__intern(s, a->ns, t->local.p), here) : 0);
            p += 4;
        }
        if (a->local.n && a->local.p + a->local.n == a->value.p) {   /* side by side, as the tokenizer keeps them */
            xmpp__copy(p, (const unsigned char *)a->local.p, a->local.n + a->value.n);
        } else {   /* (a hand-made token's empty name or value may be {NULL, 0}) */
            if (a->local.n) XMPP_MEMCPY(p, a->local.p, a->local.n);
            if (a->value.n) XMPP_MEMCPY(p + a->local.n, a->value.p, a->value.n);
        }
        p += a->local.n + a->value.n;
    }
    s->top += need;
    xmpp__link(s, at);
    s->cur = at;
    s->prev = 0;
    s->depth++;
    return XMPP_AGAIN;
}

/* These stay out of line: xmpp_tree_push itself, and the END it handles, then need no
   saved registers. */
static XMPP__COLD xmpp_err xmpp__collect_start(xmpp_tree *s, const xmpp_xml_token *t)
{
    return xmpp__collect_el(s, t, 0);
}

static XMPP__COLD xmpp_err xmpp__collect_start_long(xmpp_tree *s, const xmpp_xml_token *t)
{
    return xmpp__collect_el(s, t, 1);
}

static XMPP__COLD xmpp_err xmpp__collect_text(xmpp_tree *s, xmpp_str text)
{
    unsigned char *p;
    if (s->prev) {   /* extend the text node just before, if it is the last record */
        p = s->arena + s->prev - 1;
        if (xmpp__get32(p + 4) & XMPP__TEXT_BIT) {
            size_t len = xmpp__get32(p + 4) & ~XMPP__TEXT_BIT;
            if (s->prev - 1 + 8 + len == s->top) {
                if (s->size - s->top < text.n) return xmpp__skip(s, 0);
                xmpp__copy(s->arena + s->top, (const unsigned char *)text.p, text.n);
                s->top += text.n;
                xmpp__put32(p + 4, (len + text.n) | XMPP__TEXT_BIT);
                return XMPP_AGAIN;
            }
        }
    }
    if (s->size - s->top < 8 + text.n) return xmpp__skip(s, 0);
    p = s->arena + s->top;
    xmpp__put32(p, 0);
    xmpp__put32(p + 4, text.n | XMPP__TEXT_BIT);
    xmpp__copy(p + 8, (const unsigned char *)text.p, text.n);
    xmpp__link(s, s->top + 1);
    s->prev = s->top + 1;
    s->top += 8 + text.n;
    return XMPP_AGAIN;
}

XMPPDEF xmpp_err xmpp_tree_push(xmpp_tree *s, const xmpp_xml_token *t)
{
    if (t->kind == XMPP_XML_START) {
        if (s->state == XMPP__ST_IDLE || s->state == XMPP__ST_DONE) {
            if (t->depth != 2) return XMPP_ERR_INVALID;
            xmpp_tree_reset(s);
            s->state = XMPP__ST_COLLECT;
            s->offset = t->offset;
        }
        if (s->state == XMPP__ST_SKIP) { s->depth++; return XMPP_AGAIN; }
        return xmpp__collect_start(s, t);
    }
    if (t->kind == XMPP_XML_END) {
        if (s->state == XMPP__ST_SKIP) {
            if (--s->depth) return XMPP_AGAIN;
            s->state = XMPP__ST_IDLE;
            return XMPP_ERR_NOSPACE;
        }
        if (s->state != XMPP__ST_COLLECT || !s->depth) return XMPP_ERR_INVALID;
        if (s->depth <= s->seen_depth) s->seen = NULL;   /* its declaration may close now */
        {
            unsigned char *e = s->arena + s->cur - 1;
            s->prev = s->cur;
            s->cur = xmpp__get32(e);
            xmpp__put32(e, 0);
        }
        if (--s->depth) return XMPP_AGAIN;
        s->state = XMPP__ST_DONE;
        return XMPP_OK;
    }
    if (t->kind == XMPP_XML_TEXT) {
        if (s->state != XMPP__ST_COLLECT) return XMPP_AGAIN;   /* between stanzas, skipped */
        return xmpp__collect_text(s, t->text);
    }
    if (t->kind == XMPP_XML_OPEN || t->kind == XMPP_XML_CLOSE) xmpp_tree_reset(s);
    return XMPP_AGAIN;
}

XMPPDEF const xmpp_node *xmpp_tree_root(const xmpp_tree *s)
{
    return s->state == XMPP__ST_DONE && s->root ? (const xmpp_node *)(s->arena + s->root - 1) : NULL;
}

XMPPDEF size_t xmpp_tree_used(const xmpp_tree *s) { return s->top; }
XMPPDEF uint64_t xmpp_tree_offset(const xmpp_tree *s) { return s->offset; }

/* ---- navigation */

#define XMPP__N(n) ((const unsigned char *)(n))

XMPPDEF xmpp_str xmpp_str_z(const char *z)
{
    xmpp_str s;
    s.p = z;
    s.n = z ? XMPP_STRLEN(z) : 0;
    return s;
}

XMPPDEF int xmpp_str_eq(xmpp_str s, const char *z)
{
    size_t i;   /* one pass, no strlen(): most calls compare short names that differ early */
    if (!z) return s.n == 0;
    for (i = 0; i < s.n; i++)
        if (!z[i] || s.p[i] != z[i]) return 0;
    return z[i] == '\0';
}

XMPPDEF size_t xmpp_str_copy(xmpp_str s, char *out, size_t size)
{
    if (s.n < size) {
        if (s.n) XMPP_MEMCPY(out, s.p, s.n);
        out[s.n] = '\0';
    }
    return s.n;
}

XMPPDEF int xmpp_node_is_text(const xmpp_node *n)
{
    return n && (xmpp__get32(XMPP__N(n) + 4) & XMPP__TEXT_BIT) != 0;
}

XMPPDEF xmpp_str xmpp_node_name(const xmpp_node *n)
{
    if (!n || xmpp_node_is_text(n)) return xmpp__str("", 0);
    return xmpp__str(XMPP__N(n) + 16, xmpp__get16(XMPP__N(n) + 14));
}

/* The namespace record d bytes before p (0: none). */
static xmpp_str xmpp__ns_at(const unsigned char *p, uint32_t d)
{
    if (d <= XMPP__WK_COUNT) return xmpp_str_z(xmpp__wk_ns[d]);
    p -= d;
    return xmpp__str(p + 6, xmpp__get16(p + 4));
}

XMPPDEF xmpp_str xmpp_node_ns(const xmpp_node *n)
{
    if (!n || xmpp_node_is_text(n)) return xmpp__str("", 0);
    return xmpp__ns_at(XMPP__N(n), xmpp__get32(XMPP__N(n) + 8));
}

XMPPDEF int xmpp_node_is(const xmpp_node *n, const char *ns, const char *name)
{
    return n && !xmpp_node_is_text(n) && (!name || xmpp_str_eq(xmpp_node_name(n), name)) &&
           (!ns || xmpp_str_eq(xmpp_node_ns(n), ns));
}

XMPPDEF size_t xmpp_node_attr_count(const xmpp_node *n)
{
    return n && !xmpp_node_is_text(n) ? xmpp__get16(XMPP__N(n) + 12) : 0;
}

/* The attribute record at p: its parts into *ns (if ns), *name and *value; returns the
   next record. */
static const unsigned char *xmpp__attr_rec(const unsigned char *p, xmpp_str *ns, xmpp_str *name, xmpp_str *value)
{
    unsigned h = xmpp__get16(p), vl = xmpp__get16(p + 2), nl = h & ~XMPP__ATTR_NS;
    const unsigned char *q = p + 4;
    uint32_t d = 0;
    if (!h) {   /* the long record */
        nl = xmpp__get16(q);
        q += 2;
    }
    if (!h || (h & XMPP__ATTR_NS)) {
        d = xmpp__get32(q);
        q += 4;
    }
    if (ns) *ns = xmpp__ns_at(p, d);
    *name = xmpp__str(q, nl);
    *value = xmpp__str(q + nl, vl);
    return q + nl + vl;
}

XMPPDEF int xmpp_node_attr_at(const xmpp_node *n, size_t i, xmpp_str *ns, xmpp_str *name,
                              xmpp_str *value)
{
    const unsigned char *p;
    size_t k;
    xmpp_str an, av;
    if (i >= xmpp_node_attr_count(n)) return 0;
    p = XMPP__N(n) + 16 + xmpp__get16(XMPP__N(n) + 14);
    for (k = 0; k < i; k++) p = xmpp__attr_rec(p, NULL, &an, &av);
    xmpp__attr_rec(p, ns, name ? name : &an, value ? value : &av);
    return 1;
}

XMPPDEF xmpp_str xmpp_node_attr(const xmpp_node *n, const char *ns, const char *name)
{
    size_t i, count = xmpp_node_attr_count(n);
    const unsigned char *p = count ? XMPP__N(n) + 16 + xmpp__get16(XMPP__N(n) + 14) : NULL;
    for (i = 0; i < count; i++) {   /* one walk over the records; the namespace only on a match */
        xmpp_str aname, v, an;
        const unsigned char *rec = p;
        p = xmpp__attr_rec(p, NULL, &aname, &v);
        if (!xmpp_str_eq(aname, name)) continue;
        xmpp__attr_rec(rec, &an, &aname, &v);
        if (xmpp_str_eq(an, ns)) return v;
    }
    return xmpp__str(NULL, 0);
}

XMPPDEF const xmpp_node *xmpp_node_first(const xmpp_node *n)
{
    uint32_t d;
    if (!n) return NULL;
    d = xmpp__get32(XMPP__N(n) + 4);
    return d && !(d & XMPP__TEXT_BIT) ? (const xmpp_node *)(XMPP__N(n) + d) : NULL;
}

XMPPDEF const xmpp_node *xmpp_node_next(const xmpp_node *n)
{
    uint32_t d;
    if (!n) return NULL;
    d = xmpp__get32(XMPP__N(n));
    return d ? (const xmpp_node *)(XMPP__N(n) + d) : NULL;
}

XMPPDEF const xmpp_node *xmpp_node_next_sibling(const xmpp_node *n, const char *ns, const char *name)
{
    for (n = xmpp_node_next(n); n; n = xmpp_node_next(n))
        if (!xmpp_node_is_text(n) && xmpp_node_is(n, ns, name)) return n;
    return NULL;
}

XMPPDEF const xmpp_node *xmpp_node_child(const xmpp_node *n, const char *ns, const char *name)
{
    const xmpp_node *c = xmpp_node_first(n);
    if (!c || (!xmpp_node_is_text(c) && xmpp_node_is(c, ns, name))) return c;
    return xmpp_node_next_sibling(c, ns, name);
}

XMPPDEF xmpp_str xmpp_node_text(const xmpp_node *n)
{
    const xmpp_node *c, *found = NULL;
    if (!n) return xmpp__str("", 0);
    if (xmpp_node_is_text(n))
        return xmpp__str(XMPP__N(n) + 8, xmpp__get32(XMPP__N(n) + 4) & ~XMPP__TEXT_BIT);
    for (c = xmpp_node_first(n); c; c = xmpp_node_next(c)) {
        if (!xmpp_node_is_text(c)) continue;
        if (found) return xmpp__str(NULL, 0);   /* mixed content: xmpp_node_text_copy() */
        found = c;
    }
    return found ? xmpp_node_text(found) : xmpp__str("", 0);
}

XMPPDEF size_t xmpp_node_text_copy(const xmpp_node *n, char *out, size_t size)
{
    const xmpp_node *c;
    size_t len = 0;
    if (n && !xmpp_node_is_text(n)) {
        for (c = xmpp_node_first(n); c; c = xmpp_node_next(c)) {
            xmpp_str t;
            if (!xmpp_node_is_text(c)) continue;
            t = xmpp_node_text(c);
            if (len + t.n < size) XMPP_MEMCPY(out + len, t.p, t.n);
            len += t.n;
        }
        if (len < size) out[len] = '\0';
        return len;
    }
    return xmpp_str_copy(xmpp_node_text(n), out, size);
}

/* ---- the builder */

static const char xmpp__hex[] = "0123456789ABCDEF";

/* The first error sticks, except that a misuse found while only counting (after
   XMPP_ERR_NOSPACE) replaces it: a retry with a bigger buffer would fail on it anyway.
   Either error undoes the current call's bytes: the buffer keeps whole calls. */
static void xmpp__bfail(xmpp_builder *b, xmpp_err code, const char *why)
{
    if (b->err && !(b->err == XMPP_ERR_NOSPACE && code == XMPP_ERR_INVALID)) return;
    b->err = code;
    b->why = why;
    if (b->size) {   /* the call that failed is undone: out keeps whole calls only */
        b->len = b->mark;
        b->out[b->len] = '\0';
    }
}

/* A public call begins: nothing to do after an error but counting; remember where it
   started (xmpp__bfail undoes the call back to there). Every public call runs this
   before it can fail. Returns 0 if the builder has failed for good. */
static int xmpp__bcall(xmpp_builder *b)
{
    if (b->err && b->err != XMPP_ERR_NOSPACE) return 0;
    if (!b->whole) b->mark = b->len;
    return 1;
}

/* The calls made of several (the common stanzas, xmpp_build_node) run between these two:
   the mark stays where the outermost began, so that running out of room undoes all of
   it, not only the part that ran out. */
static void xmpp__bwhole(xmpp_builder *b)
{
    if (!b->whole++) b->mark = b->len;
}

static xmpp_err xmpp__bwhole_end(xmpp_builder *b)
{
    b->whole--;
    return b->err;
}

/* Append n bytes: whole or not at all (then only counted). */
static void xmpp__bput(xmpp_builder *b, const char *s, size_t n)
{
    if (n && !b->err && b->size - b->len > n) {   /* the common case: room, no error */
        XMPP_MEMCPY(b->out + b->len, s, n);
        b->len += n;
        b->need += n;
        b->out[b->len] = '\0';
        return;
    }
    if (!n || (b->err && b->err != XMPP_ERR_NOSPACE)) return;
    b->need += n;
    if (b->err) return;
    if (b->size - b->len <= n) {   /* keep a byte for the NUL */
        xmpp__bfail(b, XMPP_ERR_NOSPACE, "output buffer too small");
        return;
    }
    XMPP_MEMCPY(b->out + b->len, s, n);
    b->len += n;
    b->out[b->len] = '\0';
}

#define XMPP__BPUT(b, lit) xmpp__bput(b, lit, sizeof lit - 1)

/* An XML name as the tokenizer would accept it (no ':': names are written unprefixed). */
static int xmpp__name_ok(xmpp_str s)
{
    size_t i = 0;
    if (!s.n || ((unsigned char)s.p[0] < 0x80 && !(xmpp__cc[(unsigned char)s.p[0]] & XMPP__C_NS))) return 0;
    while (i < s.n) {   /* ASCII NameStartChars are NameChars too: one test per ASCII byte */
        unsigned c = (unsigned char)s.p[i];
        size_t k, j;
        uint32_t cp;
        if (xmpp__cc[c] & XMPP__C_N) { i++; continue; }
        if (c < 0x80) return 0;
        k = xmpp__utf8_whole((const unsigned char *)s.p + i, s.n - i);
        if (!k) return 0;
        cp = c & (k == 2 ? 0x1F : k == 3 ? 0x0F : 0x07);
        for (j = 1; j < k; j++) cp = cp << 6 | ((unsigned char)s.p[i + j] & 0x3F);
        if (!xmpp__name_cp(cp, i == 0)) return 0;
        i += k;
    }
    return 1;
}

/* Escaped text (attr: an attribute value) checked as UTF-8 XML characters. Each run of
   plain bytes goes out in one piece. */
static void xmpp__bescape(xmpp_builder *b, xmpp_str s, int attr)
{
    const unsigned char *p = (const unsigned char *)s.p, *e = p + s.n, *run = p;
    if (b->err && b->err != XMPP_ERR_NOSPACE) return;
    for (;;) {
        unsigned c;
        const char *rep;
        size_t rn;
        char ref[6];
        while (p < e && (xmpp__cc[*p] & XMPP__C_W)) p++;
        if (p == e) break;
        c = *p;
        if (c >= 0x80) {
            size_t k = xmpp__utf8_whole(p, (size_t)(e - p));
            if (!k) {
                xmpp__bfail(b, XMPP_ERR_INVALID, attr ? "attribute value or namespace is not UTF-8 or not XML characters"
                                                      : "text is not UTF-8 or not XML characters");
                return;
            }
            p += k;
            continue;
        }
        switch (c) {
        case '<': rep = "&lt;"; rn = 4; break;
        case '>': rep = "&gt;"; rn = 4; break;
        case '&': rep = "&amp;"; rn = 5; break;
        case '\'': rep = "&apos;"; rn = 6; break;
        case '"': rep = "&quot;"; rn = 6; break;
        case '\n':
        case '\t':
            if (!attr) { p++; continue; }
            /* fall through */
        case '\r':
            ref[0] = '&'; ref[1] = '#'; ref[2] = 'x'; ref[3] = xmpp__hex[c]; ref[4] = ';';
            rep = ref; rn = 5;
            break;
        default:
            xmpp__bfail(b, XMPP_ERR_INVALID, attr ? "control character in an attribute value or namespace (not allowed in XML)"
                                                  : "control character in text (not allowed in XML)");
            return;
        }
        xmpp__bput(b, (const char *)run, (size_t)(p - run));
        xmpp__bput(b, rep, rn);
        run = ++p;
    }
    xmpp__bput(b, (const char *)run, (size_t)(p - run));
}

/* Close an open start tag: '>' */
static void xmpp__bclose_tag(xmpp_builder *b)
{
    if (!b->open) return;
    b->open = 0;
    XMPP__BPUT(b, ">");
}

XMPPDEF void xmpp_build_init_depth(xmpp_builder *b, char *out, size_t size, const char *default_ns,
                                   unsigned depth)
{
    /* only the fields before el[] when the caller's builder may be smaller than ours */
    XMPP_MEMSET(b, 0, depth == XMPP_BUILD_DEPTH ? sizeof *b : offsetof(xmpp_builder, el));
    b->out = out;
    b->size = size;
    b->dflt = xmpp_str_z(default_ns ? default_ns : "");
    if (depth != XMPP_BUILD_DEPTH)
        xmpp__bfail(b, XMPP_ERR_INVALID, "XMPP_BUILD_DEPTH differs from the implementation's");
    else if (!size) xmpp__bfail(b, XMPP_ERR_NOSPACE, "output buffer too small");
    else out[0] = '\0';
}

static xmpp_err xmpp__bstart(xmpp_builder *b, xmpp_str u, xmpp_str n)
{
    xmpp_str in;
    if (!xmpp__bcall(b)) return b->err;
    if (!xmpp__name_ok(n)) { xmpp__bfail(b, XMPP_ERR_INVALID, "invalid element name"); return b->err; }
    if (xmpp_str_eq(u, XMPP_XMLNS_XML) || xmpp_str_eq(u, "http://www.w3.org/2000/xmlns/")) {
        xmpp__bfail(b, XMPP_ERR_INVALID, "an element cannot be in the xml or xmlns namespace");
        return b->err;
    }
    if (b->depth == XMPP_BUILD_DEPTH) {
        xmpp__bfail(b, XMPP_ERR_INVALID, "elements nested deeper than XMPP_BUILD_DEPTH");
        return b->err;
    }
    in = b->depth ? b->el[b->depth - 1].ns : b->dflt;
    xmpp__bclose_tag(b);
    XMPP__BPUT(b, "<");
    xmpp__bput(b, n.p, n.n);
    if (in.n != u.n || (u.n && XMPP_MEMCMP(in.p, u.p, u.n) != 0)) {
        XMPP__BPUT(b, " xmlns=\"");
        xmpp__bescape(b, u, 1);
        XMPP__BPUT(b, "\"");
    }
    b->el[b->depth].ns = u;
    b->el[b->depth].name = n;
    b->depth++;
    b->open = 1;
    b->prefixes = 0;
    return b->err;
}

XMPPDEF xmpp_err xmpp_build_start(xmpp_builder *b, const char *ns, const char *name)
{
    return xmpp__bstart(b, xmpp_str_z(ns ? ns : ""), xmpp_str_z(name));
}

static xmpp_err xmpp__battr(xmpp_builder *b, xmpp_str ns, xmpp_str n, xmpp_str value)
{
    if (!xmpp__bcall(b)) return b->err;
    if (!b->open) { xmpp__bfail(b, XMPP_ERR_INVALID, "attribute outside a start tag"); return b->err; }
    if (!xmpp__name_ok(n) || (!ns.n && xmpp_str_eq(n, "xmlns"))) {   /* xmlns= declares */
        xmpp__bfail(b, XMPP_ERR_INVALID, "invalid attribute name");
        return b->err;
    }
    if (!value.p && value.n) { xmpp__bfail(b, XMPP_ERR_INVALID, "NULL attribute value"); return b->err; }
    if (xmpp_str_eq(ns, "http://www.w3.org/2000/xmlns/")) {
        xmpp__bfail(b, XMPP_ERR_INVALID, "an attribute cannot be in the xmlns namespace");
        return b->err;
    }
    XMPP__BPUT(b, " ");
    if (ns.n) {
        if (xmpp_str_eq(ns, XMPP_XMLNS_XML)) {
            XMPP__BPUT(b, "xml:");
        } else {
            char pfx[5];   /* ns0 .. ns254, written from the end */
            size_t pn = sizeof pfx;
            unsigned v = b->prefixes;
            if (v == 255) {
                xmpp__bfail(b, XMPP_ERR_INVALID, "more than 255 namespaced attributes on one element");
                return b->err;
            }
            b->prefixes++;
            do pfx[--pn] = (char)('0' + v % 10); while (v /= 10);
            pfx[--pn] = 's';
            pfx[--pn] = 'n';
            XMPP__BPUT(b, "xmlns:");
            xmpp__bput(b, pfx + pn, sizeof pfx - pn);
            XMPP__BPUT(b, "=\"");
            xmpp__bescape(b, ns, 1);
            XMPP__BPUT(b, "\" ");
            xmpp__bput(b, pfx + pn, sizeof pfx - pn);
            XMPP__BPUT(b, ":");
        }
    }
    xmpp__bput(b, n.p, n.n);
    XMPP__BPUT(b, "=\"");
    xmpp__bescape(b, value, 1);
    XMPP__BPUT(b, "\"");
    return b->err;
}

XMPPDEF xmpp_err xmpp_build_attr_str(xmpp_builder *b, const char *ns, const char *name, xmpp_str value)
{
    return xmpp__battr(b, xmpp_str_z(ns ? ns : ""), xmpp_str_z(name), value);
}

XMPPDEF xmpp_err xmpp_build_attr(xmpp_builder *b, const char *ns, const char *name, const char *value)
{
    if (!xmpp__bcall(b)) return b->err;
    if (!value) {
        xmpp__bfail(b, XMPP_ERR_INVALID, "NULL attribute value");
        return b->err;
    }
    return xmpp_build_attr_str(b, ns, name, xmpp_str_z(value));
}

XMPPDEF xmpp_err xmpp_build_text(xmpp_builder *b, xmpp_str text)
{
    if (!xmpp__bcall(b)) return b->err;
    if (!b->depth) { xmpp__bfail(b, XMPP_ERR_INVALID, "text outside an element"); return b->err; }
    if (!text.p && text.n) { xmpp__bfail(b, XMPP_ERR_INVALID, "NULL text"); return b->err; }
    xmpp__bclose_tag(b);
    xmpp__bescape(b, text, 0);
    return b->err;
}

XMPPDEF xmpp_err xmpp_build_raw(xmpp_builder *b, xmpp_str xml)
{
    if (!xmpp__bcall(b)) return b->err;
    if (!xml.p && xml.n) { xmpp__bfail(b, XMPP_ERR_INVALID, "NULL fragment"); return b->err; }
    xmpp__bclose_tag(b);
    xmpp__bput(b, xml.p, xml.n);
    return b->err;
}

XMPPDEF xmpp_err xmpp_build_end(xmpp_builder *b)
{
    if (!xmpp__bcall(b)) return b->err;
    if (!b->depth) { xmpp__bfail(b, XMPP_ERR_INVALID, "end without a start"); return b->err; }
    b->depth--;
    if (b->open) {
        b->open = 0;
        XMPP__BPUT(b, "/>");
    } else {
        XMPP__BPUT(b, "</");
        xmpp__bput(b, b->el[b->depth].name.p, b->el[b->depth].name.n);
        XMPP__BPUT(b, ">");
    }
    return b->err;
}

XMPPDEF xmpp_err xmpp_build_node(xmpp_builder *b, const xmpp_node *n)
{
    /* recursion depth is bounded by XMPP_BUILD_DEPTH: xmpp__bstart refuses deeper */
    const xmpp_node *c;
    size_t i, count = xmpp_node_attr_count(n);
    if (!xmpp__bcall(b)) return b->err;
    if (!n) { xmpp__bfail(b, XMPP_ERR_INVALID, "no node"); return b->err; }
    if (xmpp_node_is_text(n)) return xmpp_build_text(b, xmpp_node_text(n));
    xmpp__bwhole(b);
    {
        uint32_t depth = b->depth;
        xmpp__bstart(b, xmpp_node_ns(n), xmpp_node_name(n));
        if (b->depth == depth) return xmpp__bwhole_end(b);   /* refused (so recursion stops at XMPP_BUILD_DEPTH) */
    }
    for (i = 0; i < count; i++) {
        xmpp_str an, aname, v;
        xmpp_node_attr_at(n, i, &an, &aname, &v);
        xmpp__battr(b, an, aname, v);
    }
    for (c = xmpp_node_first(n); c; c = xmpp_node_next(c))
        if (xmpp_build_node(b, c) && b->err != XMPP_ERR_NOSPACE) return xmpp__bwhole_end(b);
    xmpp_build_end(b);
    return xmpp__bwhole_end(b);
}

XMPPDEF xmpp_err xmpp_build_finish(const xmpp_builder *b, size_t *len)
{
    *len = b->err == XMPP_ERR_NOSPACE ? b->need + 1 : b->len;
    if (b->err) return b->err;
    if (b->depth) { *len = b->len; return XMPP_ERR_INVALID; }
    return XMPP_OK;
}

XMPPDEF const char *xmpp_build_errmsg(const xmpp_builder *b)
{
    if (b->err) return b->why;
    if (b->depth) return "element left open";
    return NULL;
}

/* ---- common stanzas */

/* Stanzas go in the builder's default namespace (the stream's: jabber:client,
   jabber:server, ...), or jabber:client when it has none; inside another element too (a
   forwarded message, XEP-0297). */
static xmpp_str xmpp__stanza_ns(const xmpp_builder *b)
{
    return b->dflt.n ? b->dflt : xmpp_str_z(XMPP_XMLNS_CLIENT);
}

/* A stanza's children (body, error, ...) go in its namespace: the one in scope. */
static xmpp_str xmpp__child_ns(const xmpp_builder *b)
{
    return b->depth ? b->el[b->depth - 1].ns : xmpp__stanza_ns(b);
}

static void xmpp__battr_opt(xmpp_builder *b, const char *name, const char *value)
{
    if (value) xmpp_build_attr(b, NULL, name, value);
}

static void xmpp__bchild_text(xmpp_builder *b, const char *name, const char *text)
{
    if (!text) return;
    xmpp__bstart(b, xmpp__child_ns(b), xmpp_str_z(name));
    xmpp_build_text(b, xmpp_str_z(text));
    xmpp_build_end(b);
}

XMPPDEF xmpp_err xmpp_build_message(xmpp_builder *b, const char *to, const char *type,
                                    const char *id, const char *body)
{
    return xmpp_build_message_str(b, xmpp_str_z(to), type, id, xmpp_str_z(body));
}

/* s is one of the words of the list, which ends with an empty one (see xmpp__nth) */
static int xmpp__one_of(xmpp_str s, const char *words)
{
    for (; *words; words += XMPP_STRLEN(words) + 1)
        if (xmpp_str_eq(s, words)) return 1;
    return 0;
}

XMPPDEF xmpp_err xmpp_build_message_str(xmpp_builder *b, xmpp_str to, const char *type,
                                        const char *id, xmpp_str body)
{
    static const char types[] = "chat\0error\0groupchat\0headline\0normal\0";
    if (!xmpp__bcall(b)) return b->err;
    if (type && !xmpp__one_of(xmpp_str_z(type), types)) {   /* RFC 6121 §5.2.2 */
        xmpp__bfail(b, XMPP_ERR_INVALID, "message type must be chat, error, groupchat, headline or normal");
        return b->err;
    }
    xmpp__bwhole(b);
    xmpp__bstart(b, xmpp__stanza_ns(b), xmpp_str_z("message"));
    if (to.p) xmpp_build_attr_str(b, NULL, "to", to);
    xmpp__battr_opt(b, "type", type);
    xmpp__battr_opt(b, "id", id);
    if (body.p) {
        xmpp__bstart(b, xmpp__child_ns(b), xmpp_str_z("body"));
        xmpp_build_text(b, body);
        xmpp_build_end(b);
    }
    xmpp_build_end(b);
    return xmpp__bwhole_end(b);
}

XMPPDEF xmpp_err xmpp_build_presence(xmpp_builder *b, const char *to, const char *type,
                                     const char *show, const char *status, int priority)
{
    static const char types[] = "error\0probe\0subscribe\0subscribed\0unavailable\0unsubscribe\0unsubscribed\0";
    static const char shows[] = "away\0chat\0dnd\0xa\0";
    if (!xmpp__bcall(b)) return b->err;
    if (priority < -128 || priority > 127) {   /* RFC 6121 §4.7.2.3 */
        xmpp__bfail(b, XMPP_ERR_INVALID, "presence priority outside -128..127");
        return b->err;
    }
    if (type && !xmpp__one_of(xmpp_str_z(type), types)) {   /* §4.7.1 */
        xmpp__bfail(b, XMPP_ERR_INVALID, "presence type must be error, probe, subscribe, subscribed, "
                                         "unavailable, unsubscribe or unsubscribed");
        return b->err;
    }
    if (show && !xmpp__one_of(xmpp_str_z(show), shows)) {   /* §4.7.2.1 */
        xmpp__bfail(b, XMPP_ERR_INVALID, "presence show must be away, chat, dnd or xa");
        return b->err;
    }
    xmpp__bwhole(b);
    xmpp__bstart(b, xmpp__stanza_ns(b), xmpp_str_z("presence"));
    xmpp__battr_opt(b, "to", to);
    xmpp__battr_opt(b, "type", type);
    xmpp__bchild_text(b, "show", show);
    xmpp__bchild_text(b, "status", status);
    if (priority) {
        char num[8], *d = num + sizeof num;
        unsigned v = (unsigned)(priority < 0 ? -priority : priority);
        *--d = '\0';
        do { *--d = (char)('0' + v % 10); v /= 10; } while (v);
        if (priority < 0) *--d = '-';
        xmpp__bchild_text(b, "priority", d);
    }
    xmpp_build_end(b);
    return xmpp__bwhole_end(b);
}

XMPPDEF xmpp_err xmpp_build_iq(xmpp_builder *b, const char *type, const char *id, const char *to)
{
    static const char types[] = "get\0set\0result\0error\0";
    if (!xmpp__bcall(b)) return b->err;
    if (!xmpp__one_of(xmpp_str_z(type), types)) {
        xmpp__bfail(b, XMPP_ERR_INVALID, "iq type must be get, set, result or error");
        return b->err;
    }
    if (!id || !*id) {
        xmpp__bfail(b, XMPP_ERR_INVALID, "an iq needs an id");
        return b->err;
    }
    xmpp__bwhole(b);
    xmpp__bstart(b, xmpp__stanza_ns(b), xmpp_str_z("iq"));
    xmpp_build_attr(b, NULL, "type", type);
    xmpp_build_attr(b, NULL, "id", id);
    xmpp__battr_opt(b, "to", to);
    return xmpp__bwhole_end(b);
}

static const char xmpp__se_name[] =   /* see xmpp__nth */
#define XMPP__SERR_NAME(id, cond, type) cond "\0"
    XMPP__STANZA_ERRORS(XMPP__SERR_NAME);
#undef XMPP__SERR_NAME
static const char xmpp__se_type[] =
#define XMPP__SERR_TYPE(id, cond, type) type "\0"
    XMPP__STANZA_ERRORS(XMPP__SERR_TYPE);
#undef XMPP__SERR_TYPE

XMPPDEF const char *xmpp_serr_name(xmpp_serr cond)
{
    return (unsigned)cond < XMPP__SERR_COUNT ? xmpp__nth(xmpp__se_name, (unsigned)cond) : NULL;
}

XMPPDEF const char *xmpp_serr_type(xmpp_serr cond)
{
    return (unsigned)cond < XMPP__SERR_COUNT ? xmpp__nth(xmpp__se_type, (unsigned)cond) : NULL;
}

XMPPDEF int xmpp_serr_find(xmpp_str name)
{
    unsigned i = xmpp__find(xmpp__se_name, XMPP__SERR_COUNT, name);
    return i < XMPP__SERR_COUNT ? (int)i : -1;
}

XMPPDEF xmpp_err xmpp_build_error_element(xmpp_builder *b, xmpp_serr cond,
                                          const char *type, const char *detail, const char *text)
{
    static const char types[] = "auth\0cancel\0continue\0modify\0wait\0";
    const char *name = xmpp_serr_name(cond);
    if (!xmpp__bcall(b)) return b->err;
    if (!name) {
        xmpp__bfail(b, XMPP_ERR_INVALID, "unknown stanza error condition");
        return b->err;
    }
    if (type && !xmpp__one_of(xmpp_str_z(type), types)) {   /* RFC 6120 §8.3.2 */
        xmpp__bfail(b, XMPP_ERR_INVALID, "stanza error type must be auth, cancel, continue, modify or wait");
        return b->err;
    }
    xmpp__bwhole(b);
    xmpp__bstart(b, xmpp__child_ns(b), xmpp_str_z("error"));
    xmpp_build_attr(b, NULL, "type", type ? type : xmpp_serr_type(cond));
    xmpp_build_start(b, XMPP_XMLNS_STANZAS, name);
    if (detail && (cond == XMPP_SERR_GONE || cond == XMPP_SERR_REDIRECT))
        xmpp_build_text(b, xmpp_str_z(detail));
    xmpp_build_end(b);
    if (text) {   /* §8.3.2: <text/> SHOULD have xml:lang */
        xmpp_build_start(b, XMPP_XMLNS_STANZAS, "text");
        xmpp_build_attr(b, XMPP_XMLNS_XML, "lang", "en");
        xmpp_build_text(b, xmpp_str_z(text));
        xmpp_build_end(b);
    }
    xmpp_build_end(b);
    return xmpp__bwhole_end(b);
}

XMPPDEF xmpp_err xmpp_build_error_reply(xmpp_builder *b, const xmpp_node *request,
                                        xmpp_serr cond, const char *text)
{
    xmpp_str from = xmpp_node_attr(request, NULL, "from"), id = xmpp_node_attr(request, NULL, "id");
    xmpp_str type = xmpp_node_attr(request, NULL, "type"), to = xmpp_node_attr(request, NULL, "to");
    if (!xmpp__bcall(b)) return b->err;
    if (!request || xmpp_node_is_text(request)) {
        xmpp__bfail(b, XMPP_ERR_INVALID, "no request to reply to");
        return b->err;
    }
    /* RFC 6120 §8.3.1: never answer an error with an error (loops), nor an iq result */
    if (xmpp_str_eq(type, "error") || (xmpp_str_eq(xmpp_node_name(request), "iq") && xmpp_str_eq(type, "result"))) {
        xmpp__bfail(b, XMPP_ERR_INVALID, "no error reply to an error or to an iq result (RFC 6120 §8.3.1)");
        return b->err;
    }
    xmpp__bwhole(b);
    xmpp__bstart(b, xmpp_node_ns(request), xmpp_node_name(request));
    if (from.p) xmpp_build_attr_str(b, NULL, "to", from);
    /* RFC 6120 §8.1.2: a client's server stamps its from (one that does not match the
       client's own JID is a stream error); on other streams the sender writes it */
    if (to.p && !xmpp_str_eq(xmpp_node_ns(request), XMPP_XMLNS_CLIENT)) xmpp_build_attr_str(b, NULL, "from", to);
    if (id.p) xmpp_build_attr_str(b, NULL, "id", id);
    xmpp_build_attr(b, NULL, "type", "error");
    xmpp_build_error_element(b, cond, NULL, NULL, text);
    xmpp_build_end(b);
    return xmpp__bwhole_end(b);
}

XMPPDEF char *xmpp_make_id(char *out, size_t size, xmpp_rng_fn rng, void *ctx)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char r[12];
    size_t i;
    if (size < 17 || !rng) return NULL;
    rng(ctx, r, sizeof r);
    for (i = 0; i < 4; i++) {   /* 3 bytes -> 4 characters */
        uint32_t v = (uint32_t)r[3 * i] << 16 | (uint32_t)r[3 * i + 1] << 8 | r[3 * i + 2];
        out[4 * i] = b64[v >> 18];
        out[4 * i + 1] = b64[v >> 12 & 63];
        out[4 * i + 2] = b64[v >> 6 & 63];
        out[4 * i + 3] = b64[v & 63];
    }
    out[16] = '\0';
    return out;
}

/* ======================================================================== >>jid
   IMPLEMENTATION NOTES

   Parsing never copies: it finds the separators (the first '/', then the first '@'
   before it; both are ASCII, so a byte search is safe in UTF-8), and then one checker,
   shared with xmpp_jid_make, validates the three parts in text order, so the error
   reported is in the first part that has one (within a part, its length is checked
   first, and a domain label's length at the label's end). Each check walks its part
   once, decoding
   UTF-8 as it goes (xmpp__jid_utf8: shortest form only, no surrogates, nothing past
   U+10FFFF).

   The domainpart's trailing dot (RFC 7622 §3.2: stripped before comparing, routing or
   writing a URI) is dropped from the view at parse time, so compare, bare and format
   never see it. Domain forms, tried in this order:
       "[" ... "]"              IPv6address of RFC 3986 §3.2.2 (8 groups, or fewer with
                                one "::"; an IPv4 dotted quad may stand for the last two)
       last label all digits    IPv4address of RFC 3986 (4 dec-octets, no leading zeros);
                                RFC 3696 §2: a top-level label is never all-numeric
       otherwise                labels: [A-Za-z0-9-] or non-ASCII UTF-8, no '-' first or
                                last, ASCII labels at most 63 bytes
   Comparison folds ASCII letters only, so lengths never change and equal views compare
   byte by byte after the fold; no libc function is called (no memcmp on NULL views). */

enum { XMPP__JID_LOCAL, XMPP__JID_DOMAIN, XMPP__JID_RESOURCE };

/* The length (1-4) of the UTF-8 sequence at p (n > 0 bytes available) and its code point
   in *cp, or 0 if it is not a valid, shortest-form sequence. */
static size_t xmpp__jid_utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
    static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    uint32_t c = p[0];
    size_t len, i;
    if (c < 0x80) { *cp = c; return 1; }
    if (c < 0xC2) return 0;                  /* continuation byte, or overlong C0/C1 */
    len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (!len || len > n) return 0;
    c &= 0x3Fu >> (len - 1);
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        c = c << 6 | (p[i] & 0x3Fu);
    }
    if (c < min[len] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) return 0;
    *cp = c;
    return len;
}

/* A localpart or resourcepart (1-1023 bytes already checked): NULL if valid, else the
   message, with the offending byte's index in *at. */
static const char *xmpp__jid_text(const unsigned char *p, size_t n, int part, size_t *at)
{
    size_t i, k;
    uint32_t c;
    for (i = 0; i < n; i += k) {
        *at = i;
        if (!(k = xmpp__jid_utf8(p + i, n - i, &c)))
            return part == XMPP__JID_LOCAL ? "localpart is not valid UTF-8" : "resourcepart is not valid UTF-8";
        if (c < 0x20 || (c >= 0x7F && c < 0xA0))
            return part == XMPP__JID_LOCAL ? "control character in localpart" : "control character in resourcepart";
        if (part != XMPP__JID_LOCAL) continue;
        if (c == ' ') return "space in localpart (PRECIS IdentifierClass)";
        if (c == '"' || c == '&' || c == '\'' || c == '/' || c == ':' || c == '<' || c == '>' || c == '@')
            return "character not allowed in localpart: \" & ' / : < > @ (RFC 7622 §3.3.1)";
    }
    return NULL;
}

/* RFC 3986 IPv4address: 1 if the m bytes at s are four dec-octets 0-255 with no leading
   zeros, separated by dots. */
static int xmpp__jid_ipv4(const unsigned char *s, size_t m)
{
    size_t i = 0, parts = 0;
    while (parts < 4) {
        unsigned v = 0, digits = 0;
        for (; i < m && s[i] >= '0' && s[i] <= '9' && digits < 4; i++, digits++)
            v = v * 10 + (unsigned)(s[i] - '0');
        if (!digits || digits > 3 || v > 255 || (digits > 1 && s[i - digits] == '0')) return 0;
        if (++parts < 4) { if (i >= m || s[i] != '.') return 0; i++; }
    }
    return i == m;
}

static int xmpp__jid_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* RFC 3986 IPv6address (the text between the brackets): 1 if valid. */
static int xmpp__jid_ipv6(const unsigned char *s, size_t m)
{
    size_t i = 0, j, groups = 0;
    int gap = 0;                                   /* "::" seen */
    if (m >= 2 && s[0] == ':' && s[1] == ':') { gap = 1; i = 2; }
    while (i < m) {
        for (j = i; j < m && xmpp__jid_hex(s[j]); j++) {}
        if (j < m && s[j] == '.') {                /* the last 32 bits as a dotted quad */
            if (!xmpp__jid_ipv4(s + i, m - i)) return 0;
            groups += 2;
            break;
        }
        if (j == i || j - i > 4) return 0;
        groups++;
        if ((i = j) == m) break;
        if (s[i++] != ':' || i == m) return 0;     /* a group ends at ':', not at the end */
        if (s[i] == ':') {
            if (gap) return 0;
            gap = 1;
            i++;
        }
    }
    return gap ? groups <= 7 : groups == 8;
}

/* A domainpart without its trailing dot: NULL if valid, else the message, with the
   offending byte's index in *at. */
static const char *xmpp__jid_domain(const unsigned char *p, size_t n, size_t *at)
{
    size_t i, k, label = 0;                        /* label: index where it starts */
    int ascii = 1, digits = 1;                     /* the current label is all ASCII, all digits */
    uint32_t c;
    *at = 0;
    if (!n) return "empty domainpart";
    if (n > XMPP_JID_MAX_PART) { *at = XMPP_JID_MAX_PART; return "domainpart longer than 1023 bytes"; }
    if (p[0] == '[') {
        if (p[n - 1] != ']') return "'[' without a closing ']' at the end of the domainpart";
        return n > 2 && xmpp__jid_ipv6(p + 1, n - 2) ? NULL : "invalid IPv6 address in [ ]";
    }
    for (i = 0; i <= n; i += k) {
        k = 1;
        *at = i;
        if (i == n || p[i] == '.') {               /* end of a label */
            if (i == label) { *at = i < n ? i : i - 1; return "empty label in domainpart (leading '.' or \"..\")"; }
            if (p[i - 1] == '-') { *at = i - 1; return "domain label ends with '-'"; }
            if (ascii && i - label > 63) { *at = label + 63; return "domain label longer than 63 bytes"; }
            if (i == n) break;
            label = i + 1;
            ascii = digits = 1;
        } else if (p[i] == '-') {
            if (i == label) return "domain label starts with '-'";
            digits = 0;
        } else if (p[i] >= '0' && p[i] <= '9') {
        } else if (((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')) {
            digits = 0;
        } else if (p[i] >= 0x80) {
            if (!(k = xmpp__jid_utf8(p + i, n - i, &c))) return "domainpart is not valid UTF-8";
            if (c < 0xA0) return "control character in domainpart";
            ascii = digits = 0;
        } else if (p[i] == '@') {
            return "'@' in domainpart (only the first '@' ends the localpart)";
        } else {
            return "character not allowed in domainpart (letters, digits, '-', '.', non-ASCII)";
        }
    }
    *at = 0;
    if (digits && !xmpp__jid_ipv4(p, n)) return "invalid IPv4 address (the last label is all digits)";
    return NULL;
}

/* Validate the parts and fill *jid; has_local/has_res: an '@'/'/' was written. Offsets
   in the errinfo are in the text local "@" domain "/" resource. */
static xmpp_err xmpp__jid_set(xmpp_jid *jid, xmpp_str l, int has_local, xmpp_str d, xmpp_str r,
                              int has_res, xmpp_errinfo *err)
{
    const char *why = NULL;
    size_t at = 0, dbase = has_local ? l.n + 1 : 0, rbase = dbase + d.n + 1;
    static const xmpp_str none = { NULL, 0 };
    if (has_local) {
        if (!l.n) why = "empty localpart before '@'";
        else if (l.n > XMPP_JID_MAX_PART) { at = XMPP_JID_MAX_PART; why = "localpart longer than 1023 bytes"; }
        else why = xmpp__jid_text((const unsigned char *)l.p, l.n, XMPP__JID_LOCAL, &at);
    }
    if (!why) {
        if (d.n && d.p[d.n - 1] == '.') d.n--;   /* RFC 7622 §3.2 */
        why = xmpp__jid_domain((const unsigned char *)d.p, d.n, &at);
        at += dbase;
    }
    if (!why && has_res) {
        if (!r.n) { at = rbase - 1; why = "empty resourcepart after '/'"; }
        else if (r.n > XMPP_JID_MAX_PART) { at = rbase + XMPP_JID_MAX_PART; why = "resourcepart longer than 1023 bytes"; }
        else if ((why = xmpp__jid_text((const unsigned char *)r.p, r.n, XMPP__JID_RESOURCE, &at)) != NULL) at += rbase;
    }
    if (why) {
        jid->local = jid->domain = jid->resource = none;
        if (err) { err->code = XMPP_ERR_JID_MALFORMED; err->message = why; err->offset = at; }
        return XMPP_ERR_JID_MALFORMED;
    }
    jid->local = has_local ? l : none;
    jid->domain = d;
    jid->resource = has_res ? r : none;
    if (err) { err->code = XMPP_OK; err->message = "no error"; err->offset = 0; }
    return XMPP_OK;
}

XMPPDEF xmpp_err xmpp_jid_parse(xmpp_jid *jid, const char *s, size_t n, xmpp_errinfo *err)
{
    size_t slash, at;
    xmpp_str l, d, r;
    for (slash = 0; slash < n && s[slash] != '/'; slash++) {}   /* RFC 7622 §3.1 */
    for (at = 0; at < slash && s[at] != '@'; at++) {}
    l.p = s;
    l.n = at < slash ? at : 0;
    d.p = at < slash ? s + at + 1 : s;
    d.n = slash - (at < slash ? at + 1 : 0);
    r.p = slash < n ? s + slash + 1 : NULL;
    r.n = slash < n ? n - slash - 1 : 0;
    return xmpp__jid_set(jid, l, at < slash, d, r, slash < n, err);
}

XMPPDEF xmpp_err xmpp_jid_make(xmpp_jid *jid, xmpp_str local, xmpp_str domain, xmpp_str resource,
                               xmpp_errinfo *err)
{
    return xmpp__jid_set(jid, local, local.n != 0, domain, resource, resource.n != 0, err);
}

/* a == b, ASCII letters folded if fold */
static int xmpp__jid_same(xmpp_str a, xmpp_str b, int fold)
{
    size_t i;
    if (a.n != b.n) return 0;
    for (i = 0; i < a.n; i++) {
        unsigned char x = (unsigned char)a.p[i], y = (unsigned char)b.p[i];
        if (fold) {
            if (x >= 'A' && x <= 'Z') x |= 0x20;
            if (y >= 'A' && y <= 'Z') y |= 0x20;
        }
        if (x != y) return 0;
    }
    return 1;
}

XMPPDEF int xmpp_jid_bare_equal(const xmpp_jid *a, const xmpp_jid *b)
{
    return xmpp__jid_same(a->local, b->local, 1) && xmpp__jid_same(a->domain, b->domain, 1);
}

XMPPDEF int xmpp_jid_equal(const xmpp_jid *a, const xmpp_jid *b)
{
    return xmpp_jid_bare_equal(a, b) && xmpp__jid_same(a->resource, b->resource, 0);
}

XMPPDEF int xmpp_jid_is_bare(const xmpp_jid *jid)
{
    return jid->resource.n == 0;
}

XMPPDEF xmpp_jid xmpp_jid_to_bare(const xmpp_jid *jid)
{
    xmpp_jid b = *jid;
    b.resource.p = NULL;
    b.resource.n = 0;
    return b;
}

XMPPDEF xmpp_err xmpp_jid_format(const xmpp_jid *jid, char *out, size_t size, size_t *need)
{
    const xmpp_str *part[3];
    size_t len, i, o = 0;
    int k;
    part[0] = &jid->local;
    part[1] = &jid->domain;
    part[2] = &jid->resource;
    /* a JID not made by parse or make: no domain, or parts no valid JID has */
    if (!jid->domain.n || jid->domain.n > XMPP_JID_MAX_PART || jid->local.n > XMPP_JID_MAX_PART
        || jid->resource.n > XMPP_JID_MAX_PART) {
        if (need) *need = 0;
        if (size) out[0] = 0;
        return XMPP_ERR_INVALID;
    }
    len = (jid->local.n ? jid->local.n + 1 : 0) + jid->domain.n + (jid->resource.n ? jid->resource.n + 1 : 0);
    if (need) *need = len;
    if (len >= size) {
        if (size) out[0] = 0;
        return XMPP_ERR_NOSPACE;
    }
    for (k = 0; k < 3; k++) {
        const xmpp_str *s = part[k];
        if (!s->n) continue;
        if (k == 1 && jid->local.n) out[o++] = '@';
        if (k == 2) out[o++] = '/';
        for (i = 0; i < s->n; i++) {
            char c = s->p[i];
            out[o++] = k < 2 && c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
        }
    }
    out[o] = 0;
    return XMPP_OK;
}

/* ======================================================================== >>sasl
   IMPLEMENTATION NOTES

   Hashes: one struct for SHA-1 and SHA-256 (FIPS 180-4), which share the Merkle-Damgard
   padding; alg (20 or 32, the digest size) picks the compression function. The rounds
   are plain loops; XMPP_FAST only changes where the message schedule lives (all of it,
   or a ring of 16 words: see the functions). XMPP_NO_SHA1 drops SHA-1 and the
   SCRAM-SHA-1 mechanisms.

   HMAC keeps the two hash states after the padded key blocks (K ^ ipad, K ^ opad), so
   PBKDF2 starts each iteration from their chaining values; its inner loop hashes one
   digest-sized message per HMAC half, always one block with fixed padding, so the block
   is laid out once and only the digest part is rewritten: two compressions per
   iteration, nothing else.

   SASL client (xmpp_sasl), one exchange:
       NONE --start--> FIRST --step(server-first)--> FINAL --success(v=)--> DONE
                                                      `--step(v=)--> VERIFIED --success()--> DONE
       any error --> FAILED (sticky, secrets wiped)
   PLAIN, EXTERNAL, ANONYMOUS go FIRST --success()--> DONE.
   The client keeps no copy of its messages: the AuthMessage (RFC 5802 §3)
       client-first-message-bare "," server-first-message "," client-final-message-without-proof
   is regenerated from the config strings and the challenge and fed straight into the
   two HMACs (ClientSignature under StoredKey, ServerSignature under ServerKey) as the
   response is written. Between step and success the client holds only the expected
   ServerSignature. Output goes through a small writer (xmpp__w) that counts, writes,
   base64-encodes on the fly, feeds HMACs or compares; each response is first measured
   (nothing written) so that XMPP_ERR_NOSPACE can leave the state untouched.

   SCRAM server (xmpp_sasl_server): its buffer keeps the GS2 header, then
       client-first-message-bare "," server-first-message ","
   which is the AuthMessage up to the client's final message. */

/* the salt length is kept in a byte, the server's offsets in 16 bits */
typedef char xmpp__salt_max_fits[XMPP_SASL_SALT_MAX >= 1 && XMPP_SASL_SALT_MAX <= 255 ? 1 : -1];
typedef char xmpp__server_buf_fits[XMPP_SASL_SERVER_BUF >= 64 && XMPP_SASL_SERVER_BUF <= 65535 ? 1 : -1];

#ifndef XMPP_BEARSSL
#define XMPP__ROL(x, n) ((x) << (n) | (x) >> (32 - (n)))
#define XMPP__ROR(x, n) ((x) >> (n) | (x) << (32 - (n)))

static uint32_t xmpp__be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void xmpp__put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

#ifndef XMPP_NO_SHA1
/* FIPS 180-4 §6.1.2: four loops of 20 rounds, one per round function. The working
   variables move down by one each round (registers: the moves cost next to nothing).
   XMPP_FAST keeps the whole schedule w[0..79], computed as the rounds go (at fixed
   offsets: measured 1.3x BearSSL's unrolled code in a third of the size, x86-64 -O2);
   otherwise it is a ring of 16 words (256 bytes less stack). */
#if XMPP_FAST
#define XMPP__SHA1_N 80
#define XMPP__SHA1_W(i) ((i) < 16 ? w[i] : (x = w[(i) - 3] ^ w[(i) - 8] ^ w[(i) - 14] ^ w[(i) - 16], \
    w[i] = XMPP__ROL(x, 1)))
#else
#define XMPP__SHA1_N 16
#define XMPP__SHA1_W(i) ((i) < 16 ? w[i] : (x = w[((i) + 13) & 15] ^ w[((i) + 8) & 15] ^ \
    w[((i) + 2) & 15] ^ w[(i) & 15], w[(i) & 15] = XMPP__ROL(x, 1)))
#endif
#define XMPP__SHA1_ROUNDS(end, f, k) \
    for (; i < (end); i++) { \
        t = XMPP__ROL(a, 5) + (f) + (k) + e + XMPP__SHA1_W(i); \
        e = d; d = c; c = XMPP__ROL(b, 30); b = a; a = t; \
    }
static void xmpp__sha1_block(uint32_t *st, const unsigned char *p)
{
    uint32_t w[XMPP__SHA1_N], a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], t, x;
    unsigned i;
    for (i = 0; i < 16; i++) w[i] = xmpp__be32(p + 4 * i);
    i = 0;
    XMPP__SHA1_ROUNDS(20, ((c ^ d) & b) ^ d, 0x5A827999u)
    XMPP__SHA1_ROUNDS(40, b ^ c ^ d, 0x6ED9EBA1u)
    XMPP__SHA1_ROUNDS(60, (b & c) | (d & (b | c)), 0x8F1BBCDCu)
    XMPP__SHA1_ROUNDS(80, b ^ c ^ d, 0xCA62C1D6u)
    st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e;
}
#endif

/* FIPS 180-4 §4.2.2 and §5.3.3 */
static const uint32_t xmpp__sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};
static const uint32_t xmpp__hash_iv[13] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
    0x5be0cd19,                                                     /* SHA-256 */
    0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0      /* SHA-1 */
};

/* FIPS 180-4 §6.2.2, the same way: XMPP_FAST keeps w[0..63] (1.3x BearSSL's speed in
   about half its code, x86-64 -O2), else a ring of 16 words. */
#define XMPP__S256_ROUND(wi) \
    t = h + (XMPP__ROR(e, 6) ^ XMPP__ROR(e, 11) ^ XMPP__ROR(e, 25)) + (((f ^ g) & e) ^ g) + \
        xmpp__sha256_k[i] + (wi); \
    h = g; g = f; f = e; e = d + t; d = c; c = b; b = a; \
    a = t + (XMPP__ROR(b, 2) ^ XMPP__ROR(b, 13) ^ XMPP__ROR(b, 22)) + ((b & c) | (d & (b | c)));
#define XMPP__S256_S0(x) (XMPP__ROR(x, 7) ^ XMPP__ROR(x, 18) ^ ((x) >> 3))
#define XMPP__S256_S1(x) (XMPP__ROR(x, 17) ^ XMPP__ROR(x, 19) ^ ((x) >> 10))
static void xmpp__sha256_block(uint32_t *st, const unsigned char *p)
{
#if XMPP_FAST
    uint32_t w[64];
#else
    uint32_t w[16];
#endif
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7], t;
    unsigned i;
    for (i = 0; i < 16; i++) {
        w[i] = xmpp__be32(p + 4 * i);
        XMPP__S256_ROUND(w[i])
    }
    for (; i < 64; i++) {
#if XMPP_FAST
        w[i] = XMPP__S256_S1(w[i - 2]) + w[i - 7] + XMPP__S256_S0(w[i - 15]) + w[i - 16];
        XMPP__S256_ROUND(w[i])
#else
        w[i & 15] += XMPP__S256_S1(w[(i + 14) & 15]) + w[(i + 9) & 15] + XMPP__S256_S0(w[(i + 1) & 15]);
        XMPP__S256_ROUND(w[i & 15])
#endif
    }
    st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

static void xmpp__compress(unsigned alg, uint32_t *st, const unsigned char *p)
{
#ifndef XMPP_NO_SHA1
    if (alg == XMPP_SHA1) { xmpp__sha1_block(st, p); return; }
#endif
    (void)alg;
    xmpp__sha256_block(st, p);
}

XMPPDEF void xmpp_hash_init(xmpp_hash *h, xmpp_hash_alg alg)
{
#ifndef XMPP_NO_SHA1
    if (alg == XMPP_SHA1) { h->alg = XMPP_SHA1; XMPP_MEMCPY(h->h, xmpp__hash_iv + 8, 20); }
    else
#endif
    { h->alg = XMPP_SHA256; XMPP_MEMCPY(h->h, xmpp__hash_iv, 32); }
    (void)alg;
    h->n = 0;
}

XMPPDEF void xmpp_hash_update(xmpp_hash *h, const void *data, size_t n)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t have = (size_t)(h->n & 63);
    if (!n) return;
    h->n += n;
    if (have) {
        size_t k = 64 - have < n ? 64 - have : n;
        XMPP_MEMCPY(h->buf + have, p, k);
        p += k;
        n -= k;
        if (have + k < 64) return;
        xmpp__compress(h->alg, h->h, h->buf);
    }
    for (; n >= 64; n -= 64, p += 64) xmpp__compress(h->alg, h->h, p);
    if (n) XMPP_MEMCPY(h->buf, p, n);
}

/* The digest, without wiping h (PBKDF2 wipes once at the end). */
static void xmpp__hash_out(xmpp_hash *h, unsigned char *out)
{
    size_t have = (size_t)(h->n & 63), i;
    uint64_t bits = h->n << 3;
    h->buf[have++] = 0x80;
    if (have > 56) {
        XMPP_MEMSET(h->buf + have, 0, 64 - have);
        xmpp__compress(h->alg, h->h, h->buf);
        have = 0;
    }
    XMPP_MEMSET(h->buf + have, 0, 56 - have);
    for (i = 0; i < 8; i++) h->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    xmpp__compress(h->alg, h->h, h->buf);
    for (i = 0; i < h->alg / 4; i++) xmpp__put_be32(out + 4 * i, h->h[i]);
}

XMPPDEF void xmpp_hash_final(xmpp_hash *h, unsigned char *out)
{
    xmpp__hash_out(h, out);
    xmpp_wipe(h, sizeof *h);
}

static void xmpp__hmac_key(xmpp_hmac *m, xmpp_hash_alg alg, const void *key, size_t klen)
{
    unsigned char k[64];
    size_t i;
    XMPP_MEMSET(k, 0, sizeof k);
    if (klen > 64) xmpp_hash_once(alg, key, klen, k);
    else if (klen) XMPP_MEMCPY(k, key, klen);
    for (i = 0; i < 64; i++) k[i] ^= 0x36;
    xmpp_hash_init(&m->in, alg);
    xmpp_hash_update(&m->in, k, 64);
    for (i = 0; i < 64; i++) k[i] ^= 0x36 ^ 0x5c;
    xmpp_hash_init(&m->out, alg);
    xmpp_hash_update(&m->out, k, 64);
    xmpp_wipe(k, sizeof k);
}

static void xmpp__hmac_out(xmpp_hmac *m, unsigned char *out)
{
    unsigned char d[XMPP_HASH_MAX];
    xmpp__hash_out(&m->in, d);
    xmpp_hash_update(&m->out, d, m->in.alg);
    xmpp__hash_out(&m->out, out);
}

XMPPDEF void xmpp_hmac_init(xmpp_hmac *m, xmpp_hash_alg alg, const void *key, size_t klen)
{
    xmpp__hmac_key(m, alg, key, klen);
}

XMPPDEF void xmpp_hmac_update(xmpp_hmac *m, const void *data, size_t n)
{
    xmpp_hash_update(&m->in, data, n);
}

XMPPDEF void xmpp_hmac_final(xmpp_hmac *m, unsigned char *out)
{
    xmpp__hmac_out(m, out);
    xmpp_wipe(m, sizeof *m);
}

XMPPDEF void xmpp_pbkdf2(xmpp_hash_alg alg, const void *pass, size_t plen, const void *salt,
                         size_t slen, uint32_t iterations, unsigned char *out, size_t dklen)
{
    xmpp_hmac m;
    unsigned char blk[64], t[XMPP_HASH_MAX], ctr[4];
    uint32_t ki[8], ko[8], st[8], i, block = 1;
    size_t k, hl;
    /* the keyed states: after one block each, so their chaining values are all there is */
    xmpp__hmac_key(&m, alg, pass, plen);
    hl = m.in.alg;
    XMPP_MEMCPY(ki, m.in.h, sizeof ki);
    XMPP_MEMCPY(ko, m.out.h, sizeof ko);
    /* the one-block message of every later iteration: U, 0x80, zeros, bit length 512 + 8 hl */
    XMPP_MEMSET(blk, 0, sizeof blk);
    blk[hl] = 0x80;
    blk[62] = (unsigned char)((512 + 8 * hl) >> 8);
    blk[63] = (unsigned char)(512 + 8 * hl);
    while (dklen) {
        xmpp__put_be32(ctr, block++);
        XMPP_MEMCPY(m.in.h, ki, sizeof ki);       /* U1 = PRF(P, S || INT(i)) */
        XMPP_MEMCPY(m.out.h, ko, sizeof ko);
        m.in.n = m.out.n = 64;
        xmpp_hash_update(&m.in, salt, slen);
        xmpp_hash_update(&m.in, ctr, 4);
        xmpp__hmac_out(&m, blk);
        XMPP_MEMCPY(t, blk, hl);
        for (i = 1; i < iterations; i++) {        /* Uj = PRF(P, Uj-1) */
            XMPP_MEMCPY(st, ki, sizeof st);
            xmpp__compress(m.in.alg, st, blk);
            for (k = 0; k < hl / 4; k++) xmpp__put_be32(blk + 4 * k, st[k]);
            XMPP_MEMCPY(st, ko, sizeof st);
            xmpp__compress(m.in.alg, st, blk);
            for (k = 0; k < hl / 4; k++) {
                xmpp__put_be32(blk + 4 * k, st[k]);
                t[4 * k] ^= blk[4 * k]; t[4 * k + 1] ^= blk[4 * k + 1];
                t[4 * k + 2] ^= blk[4 * k + 2]; t[4 * k + 3] ^= blk[4 * k + 3];
            }
        }
        k = dklen < hl ? dklen : hl;
        XMPP_MEMCPY(out, t, k);
        out += k;
        dklen -= k;
    }
    xmpp_wipe(&m, sizeof m);
    xmpp_wipe(blk, sizeof blk);
    xmpp_wipe(t, sizeof t);
    xmpp_wipe(ki, sizeof ki);
    xmpp_wipe(ko, sizeof ko);
    xmpp_wipe(st, sizeof st);
}

#else /* XMPP_BEARSSL: BearSSL's hashes and HMAC behind the same API */

static const br_hash_class *xmpp__br_class(unsigned alg)
{
#ifndef XMPP_NO_SHA1
    if (alg == XMPP_SHA1) return &br_sha1_vtable;
#endif
    (void)alg;
    return &br_sha256_vtable;
}

XMPPDEF void xmpp_hash_init(xmpp_hash *h, xmpp_hash_alg alg)
{
    h->alg = alg == 20 ? 20u : 32u;
    xmpp__br_class(h->alg)->init(&h->u.sha1.vtable);
}

XMPPDEF void xmpp_hash_update(xmpp_hash *h, const void *data, size_t n)
{
    if (n) h->u.sha1.vtable->update(&h->u.sha1.vtable, data, n);
}

static void xmpp__hash_out(xmpp_hash *h, unsigned char *out)
{
    h->u.sha1.vtable->out(&h->u.sha1.vtable, out);
}

XMPPDEF void xmpp_hash_final(xmpp_hash *h, unsigned char *out)
{
    xmpp__hash_out(h, out);
    xmpp_wipe(h, sizeof *h);
}

XMPPDEF void xmpp_hmac_init(xmpp_hmac *m, xmpp_hash_alg alg, const void *key, size_t klen)
{
    br_hmac_key_context kc;
    br_hmac_key_init(&kc, xmpp__br_class(alg), key, klen);
    br_hmac_init(&m->c, &kc, 0);
    xmpp_wipe(&kc, sizeof kc);
}

XMPPDEF void xmpp_hmac_update(xmpp_hmac *m, const void *data, size_t n)
{
    if (n) br_hmac_update(&m->c, data, n);
}

XMPPDEF void xmpp_hmac_final(xmpp_hmac *m, unsigned char *out)
{
    br_hmac_out(&m->c, out);
    xmpp_wipe(m, sizeof *m);
}

XMPPDEF void xmpp_pbkdf2(xmpp_hash_alg alg, const void *pass, size_t plen, const void *salt,
                         size_t slen, uint32_t iterations, unsigned char *out, size_t dklen)
{
    br_hmac_key_context kc;
    br_hmac_context c;
    unsigned char u[XMPP_HASH_MAX], t[XMPP_HASH_MAX], ctr[4];
    uint32_t i, block = 1;
    size_t k, hl = alg == 20 ? 20 : 32;
    br_hmac_key_init(&kc, xmpp__br_class(alg), pass, plen);
    while (dklen) {
        ctr[0] = (unsigned char)(block >> 24); ctr[1] = (unsigned char)(block >> 16);
        ctr[2] = (unsigned char)(block >> 8); ctr[3] = (unsigned char)block;
        block++;
        br_hmac_init(&c, &kc, 0);
        if (slen) br_hmac_update(&c, salt, slen);
        br_hmac_update(&c, ctr, 4);
        br_hmac_out(&c, u);
        XMPP_MEMCPY(t, u, hl);
        for (i = 1; i < iterations; i++) {
            br_hmac_init(&c, &kc, 0);
            br_hmac_update(&c, u, hl);
            br_hmac_out(&c, u);
            for (k = 0; k < hl; k++) t[k] ^= u[k];
        }
        k = dklen < hl ? dklen : hl;
        XMPP_MEMCPY(out, t, k);
        out += k;
        dklen -= k;
    }
    xmpp_wipe(&kc, sizeof kc);
    xmpp_wipe(&c, sizeof c);
    xmpp_wipe(u, sizeof u);
    xmpp_wipe(t, sizeof t);
}
#endif /* XMPP_BEARSSL */

XMPPDEF void xmpp_hash_once(xmpp_hash_alg alg, const void *data, size_t n, unsigned char *out)
{
    xmpp_hash h;
    xmpp_hash_init(&h, alg);
    xmpp_hash_update(&h, data, n);
    xmpp_hash_final(&h, out);
}

XMPPDEF void xmpp_hmac_once(xmpp_hash_alg alg, const void *key, size_t klen,
                            const void *data, size_t n, unsigned char *out)
{
    xmpp_hmac m;
    xmpp_hmac_init(&m, alg, key, klen);
    xmpp_hmac_update(&m, data, n);
    xmpp_hmac_final(&m, out);
}

XMPPDEF int xmpp_ct_equal(const void *a, const void *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    unsigned d = 0;
    while (n--) d |= (unsigned)(*x++ ^ *y++);
    return (int)(1 & ((d - 1) >> 8));
}

XMPPDEF void xmpp_wipe(void *p, size_t n)
{
    volatile unsigned char *v = (volatile unsigned char *)p;
    while (n--) *v++ = 0;
}

/* ---- base64 (see >>sasl API) */

static const char xmpp__b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int xmpp__b64_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

XMPPDEF xmpp_err xmpp_b64_encode(const void *in, size_t n, char *out, size_t size, size_t *len)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i, o = 0;
    *len = XMPP_B64_ENCODED_SIZE(n);
    if (size < *len) return XMPP_ERR_NOSPACE;
    for (i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        out[o++] = xmpp__b64_chars[v >> 18];
        out[o++] = xmpp__b64_chars[v >> 12 & 63];
        out[o++] = i + 1 < n ? xmpp__b64_chars[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? xmpp__b64_chars[v & 63] : '=';
    }
    return XMPP_OK;
}

XMPPDEF xmpp_err xmpp_b64_decode(const char *in, size_t n, void *out, size_t size, size_t *len)
{
    const unsigned char *s = (const unsigned char *)in;
    unsigned char *d = (unsigned char *)out;
    size_t i, pad = 0, o = 0;
    uint32_t v = 0;
    if (n % 4) { *len = n - n % 4; return XMPP_ERR_BASE64; }   /* the incomplete group */
    if (n && s[n - 1] == '=') pad = s[n - 2] == '=' ? 2 : 1;
    for (i = 0; i < n - pad; i++)
        if (xmpp__b64_val(s[i]) < 0) { *len = i; return XMPP_ERR_BASE64; }
    /* the bits the padding leaves over must be zero (RFC 4648 §3.5: canonical) */
    if ((pad == 2 && (xmpp__b64_val(s[n - 3]) & 15)) || (pad == 1 && (xmpp__b64_val(s[n - 2]) & 3))) {
        *len = n - pad - 1;
        return XMPP_ERR_BASE64;
    }
    *len = n / 4 * 3 - pad;
    if (size < *len) return XMPP_ERR_NOSPACE;
    for (i = 0; i < n - pad; i++) {
        v = v << 6 | (uint32_t)xmpp__b64_val(s[i]);
        if ((i & 3) == 3) {
            d[o++] = (unsigned char)(v >> 16);
            d[o++] = (unsigned char)(v >> 8);
            d[o++] = (unsigned char)v;
        }
    }
    if (pad == 2) d[o] = (unsigned char)(v >> 4);
    if (pad == 1) { d[o] = (unsigned char)(v >> 10); d[o + 1] = (unsigned char)(v >> 2); }
    return XMPP_OK;
}

/* ---- SASL mechanisms (see >>sasl API) */

static const char xmpp__mech_names[] =   /* by xmpp_sasl_mech, from NONE; see xmpp__nth */
    "\0ANONYMOUS\0EXTERNAL\0PLAIN\0SCRAM-SHA-1\0SCRAM-SHA-256\0SCRAM-SHA-1-PLUS\0SCRAM-SHA-256-PLUS";
#define XMPP__SCRAM(m) ((m) >= XMPP_SASL_SCRAM_SHA_1 && (m) <= XMPP_SASL_SCRAM_SHA_256_PLUS)
#define XMPP__PLUS(m) ((m) >= XMPP_SASL_SCRAM_SHA_1_PLUS)
#define XMPP__ALG(m) ((m) == XMPP_SASL_SCRAM_SHA_1 || (m) == XMPP_SASL_SCRAM_SHA_1_PLUS ? 20u : 32u)

/* a equals the NUL-terminated z */
static int xmpp__zeq(xmpp_str a, const char *z)
{
    size_t i;
    for (i = 0; i < a.n; i++) if (!z[i] || a.p[i] != z[i]) return 0;
    return !z[i];
}

XMPPDEF const char *xmpp_sasl_mech_name(xmpp_sasl_mech m)
{
    return (unsigned)m <= XMPP_SASL_SCRAM_SHA_256_PLUS ? xmpp__nth(xmpp__mech_names, (unsigned)m) : "";
}

XMPPDEF xmpp_sasl_mech xmpp_sasl_mech_from_name(xmpp_str name)
{
    unsigned m;
    for (m = XMPP_SASL_ANONYMOUS; m <= XMPP_SASL_SCRAM_SHA_256_PLUS; m++) {
#ifdef XMPP_NO_SHA1
        if (XMPP__SCRAM(m) && XMPP__ALG(m) == 20) continue;
#endif
        if (xmpp__zeq(name, xmpp__nth(xmpp__mech_names, m))) return (xmpp_sasl_mech)m;
    }
    return XMPP_SASL_NONE;
}

XMPPDEF xmpp_sasl_mech xmpp_sasl_select(const xmpp_str *offered, size_t n,
                                        const xmpp_sasl_policy *policy)
{
    xmpp_sasl_policy p;
    unsigned best = XMPP_SASL_NONE, rank = 0, m, r;
    size_t i;
    int ok;
    if (policy) p = *policy;
    else XMPP_MEMSET(&p, 0, sizeof p);
    for (i = 0; i < n; i++) {
        m = xmpp_sasl_mech_from_name(offered[i]);
        if (m == XMPP_SASL_ANONYMOUS) ok = p.anonymous;
        else if (p.anonymous) ok = 0;
        else if (m == XMPP_SASL_EXTERNAL) ok = p.client_cert;
        else if (m == XMPP_SASL_PLAIN) ok = p.tls || p.plain_clear;   /* RFC 6120 §6.4.1 */
        else if (XMPP__PLUS(m)) ok = p.cb && p.tls;
        else ok = m != XMPP_SASL_NONE;
        r = m == XMPP_SASL_EXTERNAL ? 100 : m;   /* a client certificate wins */
        if (ok && r > rank) { rank = r; best = m; }
    }
    return (xmpp_sasl_mech)best;
}

XMPPDEF int xmpp_sasl_plus_offered(const xmpp_str *offered, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (offered[i].n > 5 && XMPP_MEMCMP(offered[i].p + offered[i].n - 5, "-PLUS", 5) == 0) return 1;
    return 0;
}

/* The output writer: counts what would be produced; writes it to p if it fits, or
   compares it with cmp; feeds it to nmac HMACs; base64-encodes it on the way between
   xmpp__w_b64 and xmpp__w_b64_end. */
typedef struct xmpp__w {
    unsigned char *p;          /* write here, or NULL */
    size_t size, n;            /* bytes at p; bytes produced */
    const char *cmp;           /* compare with these cmp_n bytes, or NULL */
    size_t cmp_n;
    int diff;                  /* a compared byte differed */
    xmpp_hmac *mac;
    unsigned nmac;
    unsigned b64;              /* 0: raw; else 1 + bytes held in acc */
    uint32_t acc;
} xmpp__w;

static void xmpp__w_emit(xmpp__w *w, const void *d, size_t k)
{
    const unsigned char *s = (const unsigned char *)d;
    size_t j;
    unsigned i;
    if (!k) return;
    if (w->p && w->n <= w->size && k <= w->size - w->n) XMPP_MEMCPY(w->p + w->n, s, k);
    if (w->cmp)
        for (j = 0; j < k; j++) w->diff |= w->n + j >= w->cmp_n || (unsigned char)w->cmp[w->n + j] != s[j];
    w->n += k;
    for (i = 0; i < w->nmac; i++) xmpp_hmac_update(&w->mac[i], s, k);
}

static void xmpp__w_quad(xmpp__w *w, unsigned have)   /* have: 1..3 bytes in acc */
{
    char q[4];
    uint32_t v = w->acc << (8 * (3 - have));
    q[0] = xmpp__b64_chars[v >> 18 & 63];
    q[1] = xmpp__b64_chars[v >> 12 & 63];
    q[2] = have > 1 ? xmpp__b64_chars[v >> 6 & 63] : '=';
    q[3] = have > 2 ? xmpp__b64_chars[v & 63] : '=';
    xmpp__w_emit(w, q, 4);
    w->acc = 0;
    w->b64 = 1;
}

static void xmpp__w_put(xmpp__w *w, const void *d, size_t k)
{
    const unsigned char *s = (const unsigned char *)d;
    if (!w->b64) { xmpp__w_emit(w, d, k); return; }
    for (; k; k--) {
        w->acc = w->acc << 8 | *s++;
        if (++w->b64 == 4) xmpp__w_quad(w, 3);
    }
}

static void xmpp__w_b64(xmpp__w *w) { w->b64 = 1; w->acc = 0; }
static void xmpp__w_b64_end(xmpp__w *w)
{
    if (w->b64 > 1) xmpp__w_quad(w, w->b64 - 1);
    w->b64 = 0;
}

static void xmpp__w_str(xmpp__w *w, xmpp_str s) { if (s.n) xmpp__w_put(w, s.p, s.n); }

static void xmpp__w_u32(xmpp__w *w, uint32_t v)
{
    char d[10];
    size_t k = sizeof d;
    do d[--k] = (char)('0' + v % 10); while (v /= 10);
    xmpp__w_put(w, d + k, sizeof d - k);
}

/* RFC 5802 §5.1: in a saslname ',' is written =2C and '=' is written =3D */
static void xmpp__w_saslname(xmpp__w *w, xmpp_str s)
{
    size_t i;
    for (i = 0; i < s.n; i++) {
        if (s.p[i] == ',') xmpp__w_put(w, "=2C", 3);
        else if (s.p[i] == '=') xmpp__w_put(w, "=3D", 3);
        else xmpp__w_put(w, s.p + i, 1);
    }
}

/* Decode a saslname into out (if not NULL). Returns its length, or (size_t)-1 if an '='
   is not followed by 2C or 3D, or for a control character (SASLprep). *eq: it equals
   want. */
static size_t xmpp__saslname(xmpp_str in, char *out, xmpp_str want, int *eq)
{
    size_t i, k = 0;
    int same = 1;
    for (i = 0; i < in.n; i++, k++) {
        char ch = in.p[i];
        if (ch == '=') {
            if (i + 2 >= in.n) return (size_t)-1;
            if (in.p[i + 1] == '2' && in.p[i + 2] == 'C') ch = ',';
            else if (in.p[i + 1] == '3' && in.p[i + 2] == 'D') ch = '=';
            else return (size_t)-1;
            i += 2;
        } else if ((unsigned char)ch < 0x20 || ch == 0x7F) {
            return (size_t)-1;
        }
        if (out) out[k] = ch;
        if (k >= want.n || want.p[k] != ch) same = 0;
    }
    if (eq) *eq = same && k == want.n;
    return k;
}

/* SASLprep (RFC 4013) maps no ASCII character and normalisation (NFKC) leaves ASCII
   as it is; of ASCII it prohibits the control characters (C.2.1). Bytes >= 0x80 pass
   unchanged: not mapped, not normalised, not checked (README: SASLprep). */
static int xmpp__prep_ok(xmpp_str s)
{
    size_t i;
    for (i = 0; i < s.n; i++)
        if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7F) return 0;
    return 1;
}

/* RFC 5802 §7: printable = %x21-2B / %x2D-7E (no ','), at least one */
static int xmpp__printable(xmpp_str s)
{
    size_t i;
    for (i = 0; i < s.n; i++)
        if (s.p[i] < 0x21 || s.p[i] > 0x7E || s.p[i] == ',') return 0;
    return s.n > 0;
}

/* The nonce: given (checked), or 24 bytes from rng, base64 encoded. 0 if none. */
static uint8_t xmpp__nonce(char *out, xmpp_str given, xmpp_rng_fn rng, void *ctx)
{
    unsigned char r[24];
    size_t n;
    if (given.n) {
        if (given.n > XMPP_SASL_NONCE_MAX || !xmpp__printable(given)) return 0;
        XMPP_MEMCPY(out, given.p, given.n);
        return (uint8_t)given.n;
    }
    if (!rng) return 0;
    rng(ctx, r, sizeof r);
    xmpp_b64_encode(r, sizeof r, out, XMPP_SASL_NONCE_MAX, &n);
    xmpp_wipe(r, sizeof r);
    return (uint8_t)n;
}

/* RFC 5056 §7: cb-name = 1*(ALPHA / DIGIT / "." / "-") */
static int xmpp__cb_name_ok(xmpp_str s)
{
    size_t i;
    for (i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-')) return 0;
    }
    return s.n > 0;
}

/* The attribute at *pos in m[0, n) (RFC 5802 §7: a letter, '=', a value up to the next
   ',' or the end, without NUL). Returns the letter, with *val its value and *pos moved
   to the next attribute; -1 at the end of the message; 0 if malformed. */
static int xmpp__attr(const char *m, size_t n, size_t *pos, xmpp_str *val)
{
    size_t i = *pos, j;
    char c;
    if (i > n) return -1;
    if (i + 1 >= n || m[i + 1] != '=') return 0;
    c = m[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return 0;
    for (j = i + 2; j < n && m[j] != ','; j++)
        if (!m[j]) return 0;
    val->p = m + i + 2;
    val->n = j - i - 2;
    *pos = j + 1;   /* past the ',', or n + 1: the end */
    return c;
}

/* ---- SASL client (see >>sasl API) */

enum { XMPP__SASL_NONE, XMPP__SASL_FIRST, XMPP__SASL_FINAL, XMPP__SASL_VERIFIED,
       XMPP__SASL_DONE, XMPP__SASL_FAILED };

static xmpp_err xmpp__sasl_fail(xmpp_sasl *s, xmpp_err code, const char *msg, size_t off)
{
    s->err.code = code;
    s->err.message = msg;
    s->err.offset = off;
    s->state = XMPP__SASL_FAILED;
    s->password.p = NULL;
    s->password.n = 0;
    xmpp_wipe(s->sig, sizeof s->sig);
    return code;
}

/* RFC 5802 §7 server-error-value: the message says which */
static xmpp_err xmpp__sasl_server_error(xmpp_sasl *s, xmpp_str v, size_t off)
{
    static const char msgs[] =   /* see xmpp__nth */
        "server error e=invalid-encoding\0server error e=extensions-not-supported\0"
        "server error e=invalid-proof\0server error e=channel-bindings-dont-match\0"
        "server error e=server-does-support-channel-binding\0"
        "server error e=channel-binding-not-supported\0"
        "server error e=unsupported-channel-binding-type\0server error e=unknown-user\0"
        "server error e=invalid-username-encoding\0server error e=no-resources\0"
        "server error e=other-error\0";
    const char *m = msgs;
    for (; *m; m += XMPP_STRLEN(m) + 1)
        if (xmpp__zeq(v, m + 15)) return xmpp__sasl_fail(s, XMPP_ERR_AUTH, m, off);
    return xmpp__sasl_fail(s, XMPP_ERR_AUTH, "server error e= (a value RFC 5802 does not define)", off);
}

/* gs2-header = gs2-cbind-flag "," [ authzid ] "," */
static void xmpp__gs2(xmpp__w *w, const xmpp_sasl *s)
{
    char f = (char)s->gs2;
    xmpp__w_put(w, &f, 1);
    if (f == 'p') { xmpp__w_put(w, "=", 1); xmpp__w_str(w, s->cb_type); }
    xmpp__w_put(w, ",", 1);
    if (s->authzid.n) { xmpp__w_put(w, "a=", 2); xmpp__w_saslname(w, s->authzid); }
    xmpp__w_put(w, ",", 1);
}

/* client-first-message-bare = "n=" saslname ",r=" c-nonce */
static void xmpp__first_bare(xmpp__w *w, const xmpp_sasl *s)
{
    xmpp__w_put(w, "n=", 2);
    xmpp__w_saslname(w, s->authcid);
    xmpp__w_put(w, ",r=", 3);
    xmpp__w_put(w, s->nonce, s->nonce_len);
}

/* client-final-message-without-proof = "c=" base64(gs2-header [cb-data]) ",r=" nonce */
static void xmpp__final_wo_proof(xmpp__w *w, const xmpp_sasl *s, xmpp_str nonce)
{
    xmpp__w_put(w, "c=", 2);
    xmpp__w_b64(w);
    xmpp__gs2(w, s);
    if (s->gs2 == 'p') xmpp__w_put(w, s->cb, s->cb_len);
    xmpp__w_b64_end(w);
    xmpp__w_put(w, ",r=", 3);
    xmpp__w_str(w, nonce);
}

static void xmpp__initial(xmpp__w *w, const xmpp_sasl *s)
{
    if (XMPP__SCRAM(s->mech)) {
        xmpp__gs2(w, s);
        xmpp__first_bare(w, s);
    } else if (s->mech == XMPP_SASL_PLAIN) {   /* RFC 4616 §2 */
        xmpp__w_str(w, s->authzid);
        xmpp__w_put(w, "", 1);
        xmpp__w_str(w, s->authcid);
        xmpp__w_put(w, "", 1);
        xmpp__w_str(w, s->password);
    } else if (s->mech == XMPP_SASL_EXTERNAL) {
        xmpp__w_str(w, s->authzid);
    }
}

XMPPDEF xmpp_err xmpp_sasl_start(xmpp_sasl *s, const xmpp_sasl_config *cfg,
                                 unsigned char *out, size_t size, size_t *len)
{
    unsigned m = (unsigned)cfg->mech;
    xmpp__w w;
    XMPP_MEMSET(s, 0, sizeof *s);
    *len = 0;
    s->mech = (uint8_t)m;
    s->authcid = cfg->authcid;
    s->password = cfg->password;
    s->authzid = cfg->authzid;
    s->cb = cfg->cb_data;
    s->cb_len = cfg->cb_len;
    s->cb_type = cfg->cb_type;
    if (!s->cb_type.n) { s->cb_type.p = "tls-server-end-point"; s->cb_type.n = 20; }
    s->cache = cfg->cache;
    s->min_it = cfg->min_iterations ? cfg->min_iterations : XMPP_SASL_MIN_ITERATIONS;
    s->max_it = cfg->max_iterations ? cfg->max_iterations : XMPP_SASL_MAX_ITERATIONS;
    if (m == XMPP_SASL_NONE || m > XMPP_SASL_SCRAM_SHA_256_PLUS)
        return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "no SASL mechanism chosen, or an unknown one", 0);
#ifdef XMPP_NO_SHA1
    if (XMPP__SCRAM(m) && XMPP__ALG(m) == 20)
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MECHANISM, "SCRAM-SHA-1 is compiled out (XMPP_NO_SHA1)", 0);
#endif
    if (!xmpp__prep_ok(s->authcid))
        return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "the username has a control character (SASLprep, RFC 4013 §2.3)", 0);
    if (!xmpp__prep_ok(s->authzid))
        return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "the authzid has a control character (SASLprep, RFC 4013 §2.3)", 0);
    if (!xmpp__prep_ok(s->password))
        return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "the password has a control character (SASLprep, RFC 4013 §2.3)", 0);
    if ((m == XMPP_SASL_PLAIN || XMPP__SCRAM(m)) && !s->authcid.n)
        return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "no username (authcid)", 0);
    if (m == XMPP_SASL_PLAIN && !s->password.n)
        return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "PLAIN needs a password", 0);
    if (XMPP__SCRAM(m)) {
        if (!s->password.n && !(s->cache && s->cache->valid && s->cache->alg == XMPP__ALG(m)))
            return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "SCRAM needs a password, or a valid cache for this hash", 0);
        if (s->min_it > s->max_it)
            return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "min_iterations is above max_iterations", 0);
        if (XMPP__PLUS(m)) {
            if (!s->cb_len)
                return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "a -PLUS mechanism needs channel-binding data (cb_data)", 0);
            if (!xmpp__cb_name_ok(s->cb_type))
                return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "the channel-binding type is not a valid name (RFC 5056 §7)", 0);
            s->gs2 = 'p';
        } else {
            s->gs2 = s->cb_len && !cfg->plus_offered ? 'y' : 'n';   /* RFC 5802 §6 */
        }
        s->nonce_len = xmpp__nonce(s->nonce, cfg->nonce, cfg->rng, cfg->rng_ctx);
        if (!s->nonce_len)
            return xmpp__sasl_fail(s, XMPP_ERR_INVALID, cfg->nonce.n ?
                "the client nonce must be 1 to XMPP_SASL_NONCE_MAX printable ASCII characters, no ','" :
                "SCRAM needs a client nonce: give an rng (or the nonce)", 0);
    }
    XMPP_MEMSET(&w, 0, sizeof w);
    xmpp__initial(&w, s);
    *len = w.n;
    if (size < w.n) return XMPP_ERR_NOSPACE;
    w.p = out;
    w.size = size;
    w.n = 0;
    xmpp__initial(&w, s);
    s->state = XMPP__SASL_FIRST;
    return XMPP_OK;
}

/* The server-first-message in, the client-final-message out (RFC 5802 §3, §7):
       server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions] */
static xmpp_err xmpp__scram_first(xmpp_sasl *s, const char *c, size_t n,
                                  unsigned char *out, size_t size, size_t *len)
{
    unsigned hl = XMPP__ALG(s->mech), i;
    unsigned char salt[XMPP_SASL_SALT_MAX], salted[XMPP_HASH_MAX], ck[XMPP_HASH_MAX],
                  stored[XMPP_HASH_MAX], proof[XMPP_HASH_MAX];
    xmpp_str r, sv, iv, v;
    size_t pos = 0, at = 0, slen;
    uint32_t it = 0, dg;
    xmpp_hmac mac[2];
    xmpp_sasl_cache *cache = s->cache;
    xmpp__w w;
    xmpp_err e;
    int a;
    if (!n) return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, "empty server-first-message", 0);
    a = xmpp__attr(c, n, &pos, &r);
    if (a == 'e') return xmpp__sasl_server_error(s, r, 0);
    if (a == 'm')
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, "server-first-message: a mandatory extension (m=) we do not support", 0);
    if (a != 'r')
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, a ? "server-first-message: the nonce (r=) must come first" :
                               "server-first-message: malformed attribute (a letter, '=', a value)", 0);
    if (!xmpp__printable(r))
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, "server-first-message: the nonce (r=) is not printable ASCII", 2);
    if (r.n < s->nonce_len || XMPP_MEMCMP(r.p, s->nonce, s->nonce_len) != 0)
        return xmpp__sasl_fail(s, XMPP_ERR_AUTH, "the server's nonce (r=) does not start with our nonce", 2);
    if (r.n == s->nonce_len)
        return xmpp__sasl_fail(s, XMPP_ERR_AUTH, "the server's nonce (r=) adds nothing to ours", 2);
    at = pos;
    a = xmpp__attr(c, n, &pos, &sv);
    if (a != 's')
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, a < 0 ? "server-first-message: no salt (s=)" : a ?
                               "server-first-message: the salt (s=) must follow the nonce" :
                               "server-first-message: malformed attribute (a letter, '=', a value)", at);
    e = xmpp_b64_decode(sv.p, sv.n, salt, sizeof salt, &slen);
    if (e == XMPP_ERR_BASE64)
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, "server-first-message: the salt (s=) is not valid base64", at + 2 + slen);
    if (e == XMPP_ERR_NOSPACE)
        return xmpp__sasl_fail(s, XMPP_ERR_POLICY_VIOLATION, "server-first-message: the salt is longer than XMPP_SASL_SALT_MAX bytes", at + 2);
    if (!slen)
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, "server-first-message: the salt (s=) is empty", at + 2);
    at = pos;
    a = xmpp__attr(c, n, &pos, &iv);
    if (a != 'i')
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, a < 0 ? "server-first-message: no iteration count (i=)" : a ?
                               "server-first-message: the iteration count (i=) must follow the salt" :
                               "server-first-message: malformed attribute (a letter, '=', a value)", at);
    for (i = 0; i < iv.n; i++) {   /* posit-number = %x31-39 *DIGIT, at most 2^32 - 1 */
        if (iv.p[i] < '0' || iv.p[i] > '9' || (i == 0 && iv.p[i] == '0' && iv.n > 1))
            return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, "server-first-message: the iteration count (i=) is not a number", at + 2 + i);
        dg = (uint32_t)(iv.p[i] - '0');
        if (it > UINT32_MAX / 10 || (it == UINT32_MAX / 10 && dg > UINT32_MAX % 10))
            return xmpp__sasl_fail(s, XMPP_ERR_POLICY_VIOLATION, "server-first-message: the iteration count (i=) is above the maximum", at + 2);
        it = it * 10 + dg;
    }
    if (!iv.n)
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, "server-first-message: the iteration count (i=) is not a number", at + 2);
    if (it < s->min_it)
        return xmpp__sasl_fail(s, XMPP_ERR_POLICY_VIOLATION, "server-first-message: the iteration count (i=) is below the minimum", at + 2);
    if (it > s->max_it)
        return xmpp__sasl_fail(s, XMPP_ERR_POLICY_VIOLATION, "server-first-message: the iteration count (i=) is above the maximum", at + 2);
    for (;;) {   /* extensions: optional, ignored; the defined attributes only once */
        at = pos;
        a = xmpp__attr(c, n, &pos, &v);
        if (a < 0) break;
        if (!a || a == 'r' || a == 's' || a == 'i' || a == 'm' || a == 'e')
            return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, a ? "server-first-message: duplicate or misplaced attribute" :
                                   "server-first-message: malformed attribute (a letter, '=', a value)", at);
    }

    /* measure the response: nothing changes if it does not fit */
    XMPP_MEMSET(&w, 0, sizeof w);
    xmpp__final_wo_proof(&w, s, r);
    *len = w.n + 3 + XMPP_B64_ENCODED_SIZE(hl);
    if (size < *len) return XMPP_ERR_NOSPACE;

    /* SaltedPassword = Hi(Normalize(password), salt, i), or from the cache */
    if (cache && cache->valid && cache->alg == hl && cache->iterations == it &&
        cache->salt_len == slen && XMPP_MEMCMP(cache->salt, salt, slen) == 0) {
        XMPP_MEMCPY(salted, cache->salted_password, hl);
    } else if (!s->password.n) {
        return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "no password, and the cache is not for this salt and iteration count", 0);
    } else {
        xmpp_pbkdf2((xmpp_hash_alg)hl, s->password.p, s->password.n, salt, slen, it, salted, hl);
        if (cache) {   /* valid once the server has proven itself (xmpp_sasl_success) */
            cache->valid = 0;
            cache->alg = (uint8_t)hl;
            cache->iterations = it;
            cache->salt_len = (uint8_t)slen;
            XMPP_MEMCPY(cache->salt, salt, slen);
            XMPP_MEMCPY(cache->salted_password, salted, hl);
        }
    }
    /* ClientKey = HMAC(SaltedPassword, "Client Key"), StoredKey = H(ClientKey),
       ServerKey = HMAC(SaltedPassword, "Server Key") */
    xmpp_hmac_once((xmpp_hash_alg)hl, salted, hl, "Client Key", 10, ck);
    xmpp_hash_once((xmpp_hash_alg)hl, ck, hl, stored);
    xmpp_hmac_init(&mac[0], (xmpp_hash_alg)hl, stored, hl);
    xmpp_hmac_once((xmpp_hash_alg)hl, salted, hl, "Server Key", 10, stored);
    xmpp_hmac_init(&mac[1], (xmpp_hash_alg)hl, stored, hl);
    /* AuthMessage into both HMACs; its last part is also the response */
    XMPP_MEMSET(&w, 0, sizeof w);
    w.mac = mac;
    w.nmac = 2;
    xmpp__first_bare(&w, s);
    xmpp__w_put(&w, ",", 1);
    xmpp__w_put(&w, c, n);
    xmpp__w_put(&w, ",", 1);
    w.p = out;
    w.size = size;
    w.n = 0;
    xmpp__final_wo_proof(&w, s, r);
    w.nmac = 0;
    xmpp_hmac_final(&mac[0], proof);          /* ClientSignature */
    for (i = 0; i < hl; i++) proof[i] ^= ck[i];   /* ClientProof = ClientKey XOR ClientSignature */
    xmpp_hmac_final(&mac[1], s->sig);         /* the ServerSignature we expect */
    xmpp__w_put(&w, ",p=", 3);
    xmpp__w_b64(&w);
    xmpp__w_put(&w, proof, hl);
    xmpp__w_b64_end(&w);
    *len = w.n;
    xmpp_wipe(salted, sizeof salted);
    xmpp_wipe(ck, sizeof ck);
    xmpp_wipe(stored, sizeof stored);
    xmpp_wipe(proof, sizeof proof);
    s->password.p = NULL;
    s->password.n = 0;
    s->state = XMPP__SASL_FINAL;
    return XMPP_OK;
}

/* server-final-message = (server-error / verifier) ["," extensions] */
static xmpp_err xmpp__scram_verify(xmpp_sasl *s, const char *c, size_t n)
{
    unsigned hl = XMPP__ALG(s->mech);
    unsigned char sig[XMPP_HASH_MAX + 3];
    size_t pos = 0, at, slen;
    xmpp_str v, x;
    xmpp_err e;
    int a, ok;
    if (!n)
        return xmpp__sasl_fail(s, XMPP_ERR_AUTH, "the server claims success without its signature (v=): it is not verified", 0);
    a = xmpp__attr(c, n, &pos, &v);
    if (a == 'e') return xmpp__sasl_server_error(s, v, 0);
    if (a != 'v')
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, a ? "server-final-message: expected v= (the server's signature) or e=" :
                               "server-final-message: malformed attribute (a letter, '=', a value)", 0);
    for (;;) {
        at = pos;
        a = xmpp__attr(c, n, &pos, &x);
        if (a < 0) break;
        if (!a || a == 'v' || a == 'e')
            return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, a ? "server-final-message: duplicate or misplaced attribute" :
                                   "server-final-message: malformed attribute (a letter, '=', a value)", at);
    }
    e = xmpp_b64_decode(v.p, v.n, sig, sizeof sig, &slen);
    if (e == XMPP_ERR_BASE64)
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, "server-final-message: the signature (v=) is not valid base64", 2 + slen);
    ok = e == XMPP_OK && slen == hl && xmpp_ct_equal(sig, s->sig, hl);
    xmpp_wipe(sig, sizeof sig);
    if (!ok)
        return xmpp__sasl_fail(s, XMPP_ERR_AUTH, "the server's signature (v=) is wrong: it does not know the password, or is not the server", 2);
    xmpp_wipe(s->sig, sizeof s->sig);
    if (s->cache) s->cache->valid = 1;
    return XMPP_OK;
}

XMPPDEF xmpp_err xmpp_sasl_step(xmpp_sasl *s, const void *challenge, size_t n,
                                unsigned char *out, size_t size, size_t *len)
{
    const char *c = (const char *)challenge;
    xmpp_err e;
    *len = 0;
    if (s->state == XMPP__SASL_FAILED) return s->err.code;
    if (s->state == XMPP__SASL_FIRST && XMPP__SCRAM(s->mech)) return xmpp__scram_first(s, c, n, out, size, len);
    if (s->state == XMPP__SASL_FINAL) {   /* the server-final-message as a challenge */
        if ((e = xmpp__scram_verify(s, c, n)) != XMPP_OK) return e;
        s->state = XMPP__SASL_VERIFIED;
        return XMPP_OK;
    }
    if (s->state == XMPP__SASL_FIRST)
        return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, "a challenge, but this mechanism expects none", 0);
    return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "xmpp_sasl_step before xmpp_sasl_start or after the end", 0);
}

XMPPDEF xmpp_err xmpp_sasl_success(xmpp_sasl *s, const void *data, size_t n)
{
    xmpp_err e;
    if (s->state == XMPP__SASL_FAILED) return s->err.code;
    if (s->state == XMPP__SASL_FINAL) {
        if ((e = xmpp__scram_verify(s, (const char *)data, n)) != XMPP_OK) return e;
    } else if (s->state == XMPP__SASL_FIRST && XMPP__SCRAM(s->mech)) {
        return xmpp__sasl_fail(s, XMPP_ERR_AUTH, "the server claims success before the SCRAM exchange: it is not verified", 0);
    } else if (s->state == XMPP__SASL_FIRST || s->state == XMPP__SASL_VERIFIED) {
        if (n) return xmpp__sasl_fail(s, XMPP_ERR_SASL_MALFORMED, "unexpected additional data with success", 0);
    } else {
        return xmpp__sasl_fail(s, XMPP_ERR_INVALID, "xmpp_sasl_success before xmpp_sasl_start or after the end", 0);
    }
    s->state = XMPP__SASL_DONE;
    s->password.p = NULL;
    s->password.n = 0;
    return XMPP_OK;
}

XMPPDEF const xmpp_errinfo *xmpp_sasl_error(const xmpp_sasl *s)
{
    return &s->err;
}

XMPPDEF void xmpp_sasl_wipe(xmpp_sasl *s)
{
    xmpp_wipe(s, sizeof *s);
}

/* ---- SASL server (see >>sasl API) */

XMPPDEF void xmpp_sasl_scram_keys(xmpp_hash_alg alg, xmpp_str password, const void *salt,
                                  size_t slen, uint32_t iterations, unsigned char *stored_key,
                                  unsigned char *server_key)
{
    unsigned char salted[XMPP_HASH_MAX], ck[XMPP_HASH_MAX];
    size_t hl = alg == 20 ? 20 : 32;
    xmpp_pbkdf2(alg, password.p, password.n, salt, slen, iterations, salted, hl);
    xmpp_hmac_once(alg, salted, hl, "Client Key", 10, ck);
    xmpp_hash_once(alg, ck, hl, stored_key);
    xmpp_hmac_once(alg, salted, hl, "Server Key", 10, server_key);
    xmpp_wipe(salted, sizeof salted);
    xmpp_wipe(ck, sizeof ck);
}

enum { XMPP__SRV_NONE, XMPP__SRV_FIRST, XMPP__SRV_FINAL, XMPP__SRV_DONE, XMPP__SRV_FAILED };

static xmpp_err xmpp__srv_fail(xmpp_sasl_server *v, xmpp_err code, const char *msg, size_t off)
{
    v->err.code = code;
    v->err.message = msg;
    v->err.offset = off;
    v->state = XMPP__SRV_FAILED;
    xmpp_wipe(v->stored, sizeof v->stored);
    xmpp_wipe(v->server, sizeof v->server);
    return code;
}

XMPPDEF xmpp_err xmpp_sasl_server_start(xmpp_sasl_server *v, const xmpp_sasl_server_config *cfg)
{
    unsigned m = (unsigned)cfg->mech;
    XMPP_MEMSET(v, 0, sizeof *v);
    v->cfg = *cfg;
    if (!v->cfg.cb_type.n) { v->cfg.cb_type.p = "tls-server-end-point"; v->cfg.cb_type.n = 20; }
    if (!v->cfg.iterations) v->cfg.iterations = XMPP_SASL_MIN_ITERATIONS;
    if (m != XMPP_SASL_PLAIN && !XMPP__SCRAM(m))
        return xmpp__srv_fail(v, XMPP_ERR_INVALID, "the server side does PLAIN and SCRAM only", 0);
#ifdef XMPP_NO_SHA1
    if (XMPP__SCRAM(m) && XMPP__ALG(m) == 20)
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MECHANISM, "SCRAM-SHA-1 is compiled out (XMPP_NO_SHA1)", 0);
#endif
    if (!cfg->username.n || !xmpp__prep_ok(cfg->username))
        return xmpp__srv_fail(v, XMPP_ERR_INVALID, "no username, or a control character in it", 0);
    v->state = XMPP__SRV_FIRST;
    if (m == XMPP_SASL_PLAIN) {
        if (!cfg->password.n) return xmpp__srv_fail(v, XMPP_ERR_INVALID, "PLAIN needs the password", 0);
        return XMPP_OK;
    }
    v->alg = (uint8_t)XMPP__ALG(m);
    if (!cfg->salt_len || cfg->salt_len > 0xFFFF)
        return xmpp__srv_fail(v, XMPP_ERR_INVALID, "SCRAM needs a salt (1 to 65535 bytes)", 0);
    if (cfg->stored_key && cfg->server_key) {
        XMPP_MEMCPY(v->stored, cfg->stored_key, v->alg);
        XMPP_MEMCPY(v->server, cfg->server_key, v->alg);
    } else if (cfg->password.n) {
        xmpp_sasl_scram_keys((xmpp_hash_alg)v->alg, cfg->password, cfg->salt, cfg->salt_len,
                             v->cfg.iterations, v->stored, v->server);
    } else {
        return xmpp__srv_fail(v, XMPP_ERR_INVALID, "SCRAM needs the stored and server keys, or the password", 0);
    }
    if (XMPP__PLUS(m) && !cfg->cb_len)
        return xmpp__srv_fail(v, XMPP_ERR_INVALID, "a -PLUS mechanism needs channel-binding data (cb_data)", 0);
    v->snonce_len = xmpp__nonce(v->snonce, cfg->nonce, cfg->rng, cfg->rng_ctx);
    if (!v->snonce_len)
        return xmpp__srv_fail(v, XMPP_ERR_INVALID, "SCRAM needs a server nonce: give an rng (or a valid nonce)", 0);
    return XMPP_OK;
}

/* PLAIN (RFC 4616 §2): message = [authzid] UTF8NUL authcid UTF8NUL passwd */
static xmpp_err xmpp__srv_plain(xmpp_sasl_server *v, const char *c, size_t n)
{
    size_t i, z1 = n, z2 = n;
    xmpp_str authz, authc, pw;
    int ok;
    for (i = 0; i < n; i++) {
        if (c[i]) continue;
        if (z1 == n) z1 = i;
        else if (z2 == n) z2 = i;
        else return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "PLAIN: more than two NUL bytes", i);
    }
    if (z2 == n) return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "PLAIN: expected authzid NUL authcid NUL password", n);
    authz.p = c; authz.n = z1;
    authc.p = c + z1 + 1; authc.n = z2 - z1 - 1;
    pw.p = c + z2 + 1; pw.n = n - z2 - 1;
    if (!xmpp__prep_ok(authz) || !xmpp__prep_ok(authc) || !xmpp__prep_ok(pw))
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "PLAIN: a control character (SASLprep, RFC 4013 §2.3)", 0);
    if (authc.n != v->cfg.username.n || XMPP_MEMCMP(authc.p, v->cfg.username.p, authc.n) != 0)
        return xmpp__srv_fail(v, XMPP_ERR_AUTH, "unknown user", z1 + 1);
    ok = pw.n == v->cfg.password.n && xmpp_ct_equal(pw.p, v->cfg.password.p, pw.n);
    if (!ok) return xmpp__srv_fail(v, XMPP_ERR_AUTH, "wrong password", z2 + 1);
    if (authz.n > sizeof v->buf)
        return xmpp__srv_fail(v, XMPP_ERR_POLICY_VIOLATION, "PLAIN: the authzid is longer than XMPP_SASL_SERVER_BUF", 0);
    if (authz.n) XMPP_MEMCPY(v->buf, authz.p, authz.n);
    v->authz_at = 0;
    v->authz_len = (uint16_t)authz.n;
    v->state = XMPP__SRV_DONE;
    return XMPP_OK;
}

/* server-first-message = "r=" c-nonce s-nonce ",s=" salt ",i=" iteration-count */
static void xmpp__server_first(xmpp__w *w, const xmpp_sasl_server *v, xmpp_str cnonce)
{
    xmpp__w_put(w, "r=", 2);
    xmpp__w_str(w, cnonce);
    xmpp__w_put(w, v->snonce, v->snonce_len);
    xmpp__w_put(w, ",s=", 3);
    xmpp__w_b64(w);
    xmpp__w_put(w, v->cfg.salt, v->cfg.salt_len);
    xmpp__w_b64_end(w);
    xmpp__w_put(w, ",i=", 3);
    xmpp__w_u32(w, v->cfg.iterations);
}

/* client-first-message = gs2-header client-first-message-bare
   gs2-header = gs2-cbind-flag "," [ authzid ] ","     client-first-message-bare =
   [reserved-mext ","] username "," nonce ["," extensions] */
static xmpp_err xmpp__srv_first(xmpp_sasl_server *v, const char *c, size_t n,
                                unsigned char *out, size_t size, size_t *len)
{
    size_t pos = 1, at, bare, sf, need, k;
    xmpp_str cb, authz, user, cn, x;
    xmpp_str none = { NULL, 0 };
    xmpp__w w;
    int a, eq;
    authz = none;
    if (!n) return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "empty client-first-message", 0);
    if (c[0] == 'p') {
        at = 0;
        if (xmpp__attr(c, n, &at, &cb) != 'p' || at > n)
            return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed GS2 header", 0);
        pos = at - 1;   /* the ',' after the channel-binding type */
        if (!XMPP__PLUS(v->cfg.mech))
            return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "channel binding (p=) with a mechanism without -PLUS", 0);
        if (cb.n != v->cfg.cb_type.n || XMPP_MEMCMP(cb.p, v->cfg.cb_type.p, cb.n) != 0)
            return xmpp__srv_fail(v, XMPP_ERR_AUTH, "unsupported channel-binding type", 2);
    } else if (c[0] == 'n' || c[0] == 'y') {
        if (XMPP__PLUS(v->cfg.mech))
            return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "a -PLUS mechanism without channel binding (p=)", 0);
        if (c[0] == 'y' && v->cfg.plus_offered)   /* RFC 5802 §6 */
            return xmpp__srv_fail(v, XMPP_ERR_AUTH, "the client thinks we cannot bind channels, but we offered -PLUS: a downgrade", 0);
    } else {
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-first-message: the GS2 flag must be n, y or p=", 0);
    }
    if (pos >= n || c[pos] != ',')
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed GS2 header", pos);
    pos++;
    if (pos < n && c[pos] == 'a') {
        at = pos;
        if (xmpp__attr(c, n, &pos, &authz) != 'a' || pos > n ||
            xmpp__saslname(authz, NULL, none, NULL) == (size_t)-1)
            return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed authzid (a=)", at);
    } else if (pos < n && c[pos] == ',') {
        pos++;
    } else {
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed GS2 header", pos);
    }
    bare = pos;
    a = xmpp__attr(c, n, &pos, &user);
    if (a == 'm')
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-first-message: a mandatory extension (m=) we do not support", bare);
    if (a != 'n')
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-first-message: expected the username (n=)", bare);
    if (xmpp__saslname(user, NULL, v->cfg.username, &eq) == (size_t)-1)
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-first-message: bad username encoding", bare + 2);
    if (!eq) return xmpp__srv_fail(v, XMPP_ERR_AUTH, "unknown user", bare + 2);
    at = pos;
    if (xmpp__attr(c, n, &pos, &cn) != 'r')
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-first-message: expected the nonce (r=)", at);
    if (!xmpp__printable(cn))
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-first-message: the nonce (r=) is not printable ASCII", at + 2);
    for (;;) {
        at = pos;
        a = xmpp__attr(c, n, &pos, &x);
        if (a < 0) break;
        if (!a || a == 'n' || a == 'r' || a == 'm' || a == 'a')
            return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-first-message: malformed, duplicate or misplaced attribute", at);
    }
    XMPP_MEMSET(&w, 0, sizeof w);
    xmpp__server_first(&w, v, cn);
    sf = w.n;
    need = n + 1 + sf + 1 + authz.n;
    if (need > sizeof v->buf)
        return xmpp__srv_fail(v, XMPP_ERR_POLICY_VIOLATION, "SCRAM: the messages are longer than XMPP_SASL_SERVER_BUF", 0);
    *len = sf;
    if (size < sf) return XMPP_ERR_NOSPACE;
    XMPP_MEMCPY(v->buf, c, n);
    v->buf[n] = ',';
    w.n = 0;
    w.p = (unsigned char *)v->buf + n + 1;
    w.size = sf;
    xmpp__server_first(&w, v, cn);
    v->buf[n + 1 + sf] = ',';
    XMPP_MEMCPY(out, v->buf + n + 1, sf);
    v->gs2_len = (uint16_t)bare;
    v->am_len = (uint16_t)(n - bare + 1 + sf + 1);
    v->nonce_at = (uint16_t)(n + 1 + 2);
    v->nonce_len = (uint16_t)(cn.n + v->snonce_len);
    v->authz_at = (uint16_t)(n + 1 + sf + 1);
    k = authz.n ? xmpp__saslname(authz, v->buf + v->authz_at, none, NULL) : 0;
    v->authz_len = (uint16_t)k;
    v->state = XMPP__SRV_FINAL;
    return XMPP_AGAIN;
}

/* client-final-message = client-final-message-without-proof "," proof
   client-final-message-without-proof = channel-binding "," nonce ["," extensions] */
static xmpp_err xmpp__srv_final(xmpp_sasl_server *v, const char *c, size_t n,
                                unsigned char *out, size_t size, size_t *len)
{
    unsigned hl = v->alg, i;
    unsigned char proof[XMPP_HASH_MAX + 3], sig[XMPP_HASH_MAX], ck[XMPP_HASH_MAX];
    size_t pos = 0, at, end = 0, plen;
    xmpp_str cv, rv, pv, x;
    xmpp_hmac mac;
    xmpp__w w;
    xmpp_err e;
    int a, ok;
    pv.p = NULL;
    pv.n = 0;
    if (xmpp__attr(c, n, &pos, &cv) != 'c')
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-final-message: expected the channel binding (c=) first", 0);
    if (xmpp_b64_decode(cv.p, cv.n, NULL, 0, &plen) == XMPP_ERR_BASE64)
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-final-message: c= is not valid base64", 2 + plen);
    at = pos;
    if (xmpp__attr(c, n, &pos, &rv) != 'r')
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-final-message: expected the nonce (r=) after c=", at);
    for (;;) {
        at = pos;
        a = xmpp__attr(c, n, &pos, &x);
        if (a == 'p') { pv = x; end = at - 1; break; }
        if (a < 0) return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-final-message: no proof (p=)", n);
        if (!a || a == 'c' || a == 'r')
            return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-final-message: malformed, duplicate or misplaced attribute", at);
    }
    if (pos <= n)
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-final-message: the proof (p=) must come last", pos);
    e = xmpp_b64_decode(pv.p, pv.n, proof, sizeof proof, &plen);
    if (e != XMPP_OK || plen != hl)
        return xmpp__srv_fail(v, XMPP_ERR_SASL_MALFORMED, "client-final-message: the proof (p=) is not base64 of a digest", end + 3);
    /* the channel binding: base64 of our GS2 header copy (and the channel's data) */
    XMPP_MEMSET(&w, 0, sizeof w);
    w.cmp = cv.p;
    w.cmp_n = cv.n;
    xmpp__w_b64(&w);
    xmpp__w_put(&w, v->buf, v->gs2_len);
    if (v->buf[0] == 'p') xmpp__w_put(&w, v->cfg.cb_data, v->cfg.cb_len);
    xmpp__w_b64_end(&w);
    if (w.diff || w.n != cv.n)
        return xmpp__srv_fail(v, XMPP_ERR_AUTH, "the channel binding (c=) does not match", 2);
    if (rv.n != v->nonce_len || XMPP_MEMCMP(rv.p, v->buf + v->nonce_at, rv.n) != 0)
        return xmpp__srv_fail(v, XMPP_ERR_AUTH, "the nonce (r=) is not this exchange's", (size_t)(rv.p - c));
    *len = 2 + XMPP_B64_ENCODED_SIZE(hl);
    if (size < *len) return XMPP_ERR_NOSPACE;
    /* ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) = StoredKey? */
    xmpp_hmac_init(&mac, (xmpp_hash_alg)hl, v->stored, hl);
    xmpp_hmac_update(&mac, v->buf + v->gs2_len, v->am_len);
    xmpp_hmac_update(&mac, c, end);
    xmpp_hmac_final(&mac, sig);
    for (i = 0; i < hl; i++) ck[i] = (unsigned char)(proof[i] ^ sig[i]);
    xmpp_hash_once((xmpp_hash_alg)hl, ck, hl, sig);
    ok = xmpp_ct_equal(sig, v->stored, hl);
    xmpp_wipe(ck, sizeof ck);
    if (!ok) return xmpp__srv_fail(v, XMPP_ERR_AUTH, "wrong password (the proof does not verify)", end + 3);
    /* server-final-message = "v=" base64(HMAC(ServerKey, AuthMessage)) */
    xmpp_hmac_init(&mac, (xmpp_hash_alg)hl, v->server, hl);
    xmpp_hmac_update(&mac, v->buf + v->gs2_len, v->am_len);
    xmpp_hmac_update(&mac, c, end);
    xmpp_hmac_final(&mac, sig);
    XMPP_MEMSET(&w, 0, sizeof w);
    w.p = out;
    w.size = size;
    xmpp__w_put(&w, "v=", 2);
    xmpp__w_b64(&w);
    xmpp__w_put(&w, sig, hl);
    xmpp__w_b64_end(&w);
    xmpp_wipe(sig, sizeof sig);
    xmpp_wipe(v->stored, sizeof v->stored);
    xmpp_wipe(v->server, sizeof v->server);
    v->state = XMPP__SRV_DONE;
    return XMPP_OK;
}

XMPPDEF xmpp_err xmpp_sasl_server_step(xmpp_sasl_server *v, const void *in, size_t n,
                                       unsigned char *out, size_t size, size_t *len)
{
    const char *c = (const char *)in;
    *len = 0;
    if (v->state == XMPP__SRV_FAILED) return v->err.code;
    if (v->state == XMPP__SRV_FIRST && v->cfg.mech == XMPP_SASL_PLAIN) return xmpp__srv_plain(v, c, n);
    if (v->state == XMPP__SRV_FIRST) return xmpp__srv_first(v, c, n, out, size, len);
    if (v->state == XMPP__SRV_FINAL) return xmpp__srv_final(v, c, n, out, size, len);
    return xmpp__srv_fail(v, XMPP_ERR_INVALID, "xmpp_sasl_server_step before start or after the end", 0);
}

XMPPDEF xmpp_str xmpp_sasl_server_authzid(const xmpp_sasl_server *v)
{
    xmpp_str s;
    s.p = v->buf + v->authz_at;
    s.n = v->authz_len;
    return s;
}

XMPPDEF const xmpp_errinfo *xmpp_sasl_server_error(const xmpp_sasl_server *v)
{
    return &v->err;
}

/* ======================================================================== >>stream
   IMPLEMENTATION NOTES

   mem is cut into: the tokenizer's buffer, the stanza arena, the output buffer, a SASL
   scratch area ([challenge decoded | response | response in base64], sized by
   XMPP_STREAM_SASL_MAX) and the bound JID (XMPP_STREAM_JID_MAX). Before the bind, the JID
   buffer holds the domain NUL-terminated for xmpp_tls_start() (the backend copies it),
   then the channel-binding data the SASL exchange points at.
   Every server element goes tokenizer -> collector -> xmpp__stanza_in(), which acts
   according to the state. Events are queued (at most XMPP__EVQ); feed stops while one
   is waiting, because a STANZA event points into the arena that the next stanza
   overwrites. What we send is written with the builder straight into the output
   buffer; a message that does not fit is never sent halfway. */

#define XMPP__NS_STREAMS  "http://etherx.jabber.org/streams"
#define XMPP__NS_XSTREAMS "urn:ietf:params:xml:ns:xmpp-streams"
#define XMPP__NS_TLS      "urn:ietf:params:xml:ns:xmpp-tls"
#define XMPP__NS_SASL     "urn:ietf:params:xml:ns:xmpp-sasl"
#define XMPP__NS_BIND     "urn:ietf:params:xml:ns:xmpp-bind"
#define XMPP__NS_SESSION  "urn:ietf:params:xml:ns:xmpp-session"
#define XMPP__NS_PING     "urn:xmpp:ping"
/* XMPP_NO_STREAM_TLS: the stream never runs a TLS hook itself (firmware with no TLS, or
   its own at XMPP_STREAM_STARTTLS); about 1 KB of Thumb code less */
#ifdef XMPP_NO_STREAM_TLS
#define XMPP__HOOK(c) ((xmpp_tls *)0)
#define XMPP__TLS_RUN(c) 0
#else
#define XMPP__HOOK(c) ((c)->cfg.tls_hook)
#define XMPP__TLS_RUN(c) ((c)->tls_run)
#endif
/* SASL scratch: [a decoded challenge | our response | the response in base64] */
#define XMPP__SASL_B64    ((XMPP_STREAM_SASL_MAX + 2) / 3 * 4)
#define XMPP__SCRATCH     (2 * XMPP_STREAM_SASL_MAX + XMPP__SASL_B64)

static const char xmpp__state_names[] =   /* by xmpp_stream_state; see xmpp__nth */
    "start\0§4.2 stream header sent, waiting for the server's\0"
    "§4.3.2 waiting for <stream:features/>\0§5.4.2 <starttls/> sent, waiting for <proceed/>\0"
    "§5.4.3 TLS negotiation\0§6.4 SASL exchange\0"
    "§7.6 resource binding\0RFC 3921 §3 legacy session\0online (§8 stanzas)\0"
    "§4.4 closing: </stream:stream> sent\0closed";

static void xmpp__trace(xmpp_stream *c, int kind, const void *p, size_t n)
{
#ifndef XMPP_NO_TRACE
    if (c->cfg.trace) c->cfg.trace(c->cfg.trace_ctx, kind, (const char *)p, n);
#else
    (void)c; (void)kind; (void)p; (void)n;
#endif
}

static void xmpp__set_state(xmpp_stream *c, xmpp_stream_state s)
{
    const char *name = xmpp__nth(xmpp__state_names, (unsigned)s);
    c->state = (uint8_t)s;
    c->deadline = s == XMPP_STATE_ONLINE || s == XMPP_STATE_CLOSED || (s == XMPP_STATE_TLS && !XMPP__HOOK(c)) ? 0 :
                  c->now + c->cfg.timeout_ms;
    xmpp__trace(c, XMPP_TRACE_STATE, name, XMPP_STRLEN(name));
}

static xmpp_stream_event *xmpp__event(xmpp_stream *c, xmpp_stream_event_kind kind)
{
    /* at most two events come from one token (an error, then CLOSED), and feed stops
       while one waits: the queue cannot overflow; the guard is for safety only */
    xmpp_stream_event *e = &c->ev[(c->ev0 + (c->nev < XMPP__EVQ ? c->nev : XMPP__EVQ - 1)) % XMPP__EVQ];
    if (c->nev < XMPP__EVQ) c->nev++;
    XMPP_MEMSET(e, 0, sizeof *e);
    e->kind = kind;
    return e;
}

/* ---- §3.2 SRV (see >>stream API) */

XMPPDEF xmpp_err xmpp_srv_query(unsigned char *out, size_t size, size_t *len, uint16_t id,
                                const char *service, xmpp_str domain)
{
    size_t sl = XMPP_STRLEN(service), total = sl + 1 + domain.n, o = 12, i, start;
    const char *name[2];
    size_t nl[2], part;
    *len = 0;
    if (domain.n && domain.p[domain.n - 1] == '.') domain.n--, total--;   /* "example.com." */
    if (!sl || !domain.n || total > 253) return XMPP_ERR_INVALID;
    if (size < 12 + total + 2 + 4) return XMPP_ERR_NOSPACE;
    XMPP_MEMSET(out, 0, 12);
    out[0] = (unsigned char)(id >> 8);
    out[1] = (unsigned char)id;
    out[2] = 0x01;                    /* RD: recursion desired */
    out[5] = 1;                       /* QDCOUNT 1 */
    name[0] = service; nl[0] = sl;
    name[1] = domain.p; nl[1] = domain.n;
    for (part = 0; part < 2; part++)  /* labels: a length byte, then the bytes */
        for (start = 0, i = 0; i <= nl[part]; i++) {
            if (i < nl[part] && name[part][i] != '.') continue;
            if (i == start || i - start > 63) return XMPP_ERR_INVALID;
            out[o++] = (unsigned char)(i - start);
            XMPP_MEMCPY(out + o, name[part] + start, i - start);
            o += i - start;
            start = i + 1;
        }
    out[o++] = 0;                     /* the root */
    out[o++] = 0; out[o++] = 33;      /* QTYPE SRV */
    out[o++] = 0; out[o++] = 1;       /* QCLASS IN */
    *len = o;
    return XMPP_OK;
}

/* A (possibly compressed, RFC 1035 §4.1.4) name at *off: its end in *off; written
   dotted into host (NULL: skipped). 0 if malformed. */
static int xmpp__dns_name(const unsigned char *m, size_t len, size_t *off, char *host)
{
    size_t p = *off, h = 0, jumps = 0;
    int jumped = 0;
    for (;;) {
        unsigned l;
        if (p >= len) return 0;
        l = m[p];
        if (l >= 0xC0) {              /* a pointer: earlier in the message, at most 64 of them */
            if (p + 1 >= len || ++jumps > 64) return 0;
            if (!jumped) *off = p + 2;
            jumped = 1;
            p = (size_t)(l & 0x3F) << 8 | m[p + 1];
            continue;
        }
        if (l > 63) return 0;         /* 0x40 and 0x80: reserved label types */
        p++;
        if (!l) break;
        if (p + l > len || h + (h ? 1 : 0) + l > XMPP_SRV_HOST_MAX) return 0;
        if (host) {   /* a host name: letters, digits, '-', '_' (no '.' or NUL in a label) */
            size_t k;
            for (k = 0; k < l; k++) {
                unsigned char ch = m[p + k];
                if (!((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') && !(ch >= '0' && ch <= '9') && ch != '-' && ch != '_')
                    return 0;
            }
            if (h) host[h] = '.';
            XMPP_MEMCPY(host + h + (h ? 1 : 0), m + p, l);
        }
        h += l + (h ? 1 : 0);
        p += l;
    }
    if (host) host[h] = '\0';
    if (!jumped) *off = p;
    return 1;
}

/* DNS numbers are big-endian (RFC 1035 §2.3.2) */
static unsigned xmpp__be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

XMPPDEF xmpp_err xmpp_srv_parse(const unsigned char *msg, size_t len, const unsigned char *query, size_t qlen,
                                xmpp_srv_target *out, size_t max, size_t *count)
{
    size_t off = qlen, n = 0, i, an;
    int dot = 0;
    *count = 0;
    if (qlen < 17 || len < qlen || msg[0] != query[0] || msg[1] != query[1] || !(msg[2] & 0x80) || (msg[2] & 0x02) ||
        xmpp__be16(msg + 4) != 1)
        return XMPP_ERR_PROTOCOL;
    for (i = 12; i < qlen; i++) {   /* our question, as we sent it (letter case aside) */
        unsigned char a = msg[i], b = query[i];
        if (a >= 'A' && a <= 'Z') a = (unsigned char)(a | 0x20);
        if (b >= 'A' && b <= 'Z') b = (unsigned char)(b | 0x20);
        if (a != b) return XMPP_ERR_PROTOCOL;
    }
    if ((msg[3] & 0x0F) == 3) return XMPP_AGAIN;            /* NXDOMAIN */
    if (msg[3] & 0x0F) return XMPP_ERR_PROTOCOL;            /* SERVFAIL, REFUSED, ... */
    an = xmpp__be16(msg + 6);
    for (i = 0; i < an; i++) {
        unsigned type, rdlen;
        size_t rd;
        if (!xmpp__dns_name(msg, len, &off, NULL) || off + 10 > len) return XMPP_ERR_PROTOCOL;
        type = xmpp__be16(msg + off);
        rdlen = xmpp__be16(msg + off + 8);
        off += 10;
        rd = off;
        if (off + rdlen > len) return XMPP_ERR_PROTOCOL;
        off += rdlen;
        if (type != 33 || xmpp__be16(msg + rd - 8) != 1) continue;   /* not SRV IN (a CNAME, ...) */
        if (rdlen < 7) return XMPP_ERR_PROTOCOL;
        {
            xmpp_srv_target t;
            size_t name = rd + 6;
            t.priority = (uint16_t)xmpp__be16(msg + rd);
            t.weight = (uint16_t)xmpp__be16(msg + rd + 2);
            t.port = (uint16_t)xmpp__be16(msg + rd + 4);
            if (!xmpp__dns_name(msg, len, &name, t.host) || name > rd + rdlen) return XMPP_ERR_PROTOCOL;
            if (!t.host[0]) { dot = 1; continue; }          /* "." */
            if (n < max) out[n] = t;
            n++;
        }
    }
    *count = n < max ? n : max;
    if (n) return XMPP_OK;
    return dot ? XMPP_ERR_AUTH : XMPP_AGAIN;
}

XMPPDEF void xmpp_srv_order(xmpp_srv_target *t, size_t n, xmpp_rng_fn rng, void *ctx)
{
    size_t i, j, lo, hi;
    xmpp_srv_target tmp;
    for (i = 1; i < n; i++)   /* insertion sort: by priority, weight 0 first (stable) */
        for (j = i; j > 0 && (t[j - 1].priority > t[j].priority ||
                              (t[j - 1].priority == t[j].priority && t[j - 1].weight && !t[j].weight)); j--) {
            tmp = t[j]; t[j] = t[j - 1]; t[j - 1] = tmp;
        }
    for (lo = 0; lo < n; lo = hi) {   /* each priority: RFC 2782's weighted selection */
        for (hi = lo; hi < n && t[hi].priority == t[lo].priority; hi++) {}
        for (i = lo; i + 1 < hi; i++) {
            uint32_t sum = 0, pick, run = 0;
            unsigned char r[4];
            for (j = i; j < hi; j++) sum += t[j].weight;
            rng(ctx, r, 4);
            pick = ((uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3]) % (sum + 1);   /* 0..sum */
            for (j = i; j < hi; j++) {
                run += t[j].weight;
                if (run >= pick) break;
            }
            if (j >= hi) j = hi - 1;
            tmp = t[j];
            XMPP_MEMMOVE(t + i + 1, t + i, (j - i) * sizeof *t);
            t[i] = tmp;
        }
    }
}

/* The configured JID, in parts (checked by init). */
static void xmpp__my_jid(const xmpp_stream *c, xmpp_jid *j)
{
    xmpp_jid_parse(j, c->cfg.jid.p, c->cfg.jid.n, NULL);
}

/* An attribute of n (no namespace) equals the NUL-terminated value. */
static int xmpp__attr_is(const xmpp_node *n, const char *name, const char *value)
{
    return xmpp_str_eq(xmpp_node_attr(n, NULL, name), value);
}

/* ---- output */

static xmpp_builder *xmpp__out_begin(xmpp_stream *c)
{
    xmpp_build_init(&c->b, (char *)c->out + c->out_len, c->out_size - c->out_len, XMPP_XMLNS_CLIENT);
    return &c->b;
}

/* Queue what the builder wrote: a whole element, or (raw) bytes written with the
   builder's internals, such as the stream header. secret: masked in the trace. */
static xmpp_err xmpp__out_put(xmpp_stream *c, int raw, int secret)
{
    size_t len = c->b.len;
    xmpp_err r = raw ? c->b.err : xmpp_build_finish(&c->b, &len);
    if (r) return r;
    if (secret) xmpp__trace(c, XMPP_TRACE_OUT, "(SASL message, not shown)", 25);
    else xmpp__trace(c, XMPP_TRACE_OUT, c->out + c->out_len, len);
    c->out_len += len;
    return XMPP_OK;
}
#define xmpp__out_end(c, secret) xmpp__out_put(c, 0, secret)

static void xmpp__cfail(xmpp_stream *c, xmpp_err code, const char *send_cond, const char *why);

/* A negotiation message that does not fit the output buffer ends the stream. */
static void xmpp__out_must(xmpp_stream *c, int raw, int secret)
{
    xmpp_err r = xmpp__out_put(c, raw, secret);
    if (r) xmpp__cfail(c, r, NULL, r == XMPP_ERR_NOSPACE ? "output buffer too small for a negotiation message"
                                                          : "could not write a negotiation message");
}

/* A negotiation message queued (or the stream ended): on to the state next. */
static void xmpp__out_step(xmpp_stream *c, xmpp_stream_state next)
{
    xmpp__out_must(c, 0, 0);
    if (c->state != XMPP_STATE_CLOSED) xmpp__set_state(c, next);
}

/* Begin our iq of type with id (to: the JID it goes to, or NULL), its child
   <name xmlns=ns> left open. */
static xmpp_builder *xmpp__iq_begin(xmpp_stream *c, const char *type, const char *id, const xmpp_str *to,
                                    const char *ns, const char *name)
{
    xmpp_builder *b = xmpp__out_begin(c);
    xmpp_build_iq(b, type, id, NULL);
    if (to) xmpp_build_attr_str(b, NULL, "to", *to);
    xmpp_build_start(b, ns, name);
    return b;
}

/* RFC 6120 §4.7: our stream header, again after each restart. */
static void xmpp__send_header(xmpp_stream *c)
{
    xmpp_builder *b = xmpp__out_begin(c);
    xmpp_jid j;
    xmpp__my_jid(c, &j);
    XMPP__BPUT(b, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                  "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' to='");
    xmpp__bescape(b, j.domain, 1);
    if (c->tls && j.local.n) {   /* §4.7.1: from, once the stream is protected (and known) */
        XMPP__BPUT(b, "' from='");
        xmpp__bescape(b, j.local, 1);
        XMPP__BPUT(b, "@");
        xmpp__bescape(b, j.domain, 1);
    }
    XMPP__BPUT(b, "' xml:lang='en'>");
    xmpp__out_must(c, 1, 0);
    if (c->state != XMPP_STATE_CLOSED) xmpp__set_state(c, XMPP_STATE_HEADER);   /* it did not fit: over */
}

/* The stream restarts (after TLS, after SASL): the next bytes are a new stream, we send
   our header again. */
static XMPP__COLD void xmpp__restart(xmpp_stream *c)
{
    xmpp_xml_reset(&c->xml);
    xmpp_tree_reset(&c->st);
    xmpp__send_header(c);
}

static void xmpp__send_close(xmpp_stream *c, const char *cond)
{
    xmpp_builder *b;
    if (c->closed_sent || c->state == XMPP_STATE_START) return;
    b = xmpp__out_begin(c);
    if (cond) {
        XMPP__BPUT(b, "<stream:error><");
        xmpp__bput(b, cond, XMPP_STRLEN(cond));
        XMPP__BPUT(b, " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
    }
    XMPP__BPUT(b, "</stream:stream>");
    if (!xmpp__out_put(c, 1, 0)) c->closed_sent = 1;
}

/* The stream is over, nothing more to say: XMPP_STREAM_CLOSED with code (XMPP_OK: clean),
   the condition (cond, or the code's) and why. */
static xmpp_stream_event *xmpp__closed(xmpp_stream *c, xmpp_err code, const char *cond, const char *why)
{
    xmpp_stream_event *e;
    c->err.code = code;
    c->err.message = why;
    xmpp_sasl_wipe(&c->sasl);
    xmpp__set_state(c, XMPP_STATE_CLOSED);
    e = xmpp__event(c, XMPP_STREAM_CLOSED);
    e->err = code;
    e->condition = xmpp_str_z(cond ? cond : code ? xmpp_err_condition(code) : "");
    e->text = xmpp_str_z(why);
    return e;
}

/* The stream is over: tell the server (a stream error if cond), queue XMPP_STREAM_CLOSED. */
static void xmpp__cfail(xmpp_stream *c, xmpp_err code, const char *send_cond, const char *why)
{
    if (c->state == XMPP_STATE_CLOSED) return;
    xmpp__send_close(c, send_cond);
    xmpp__closed(c, code, send_cond, why);
}

/* ---- TLS through the hook (cfg.tls_hook)
   Once started, every byte on the wire goes through the hook: feed() pushes the server's
   records into it and takes the plaintext out into the tokenizer; output() seals what
   the builder queued in c->out and hands out the records. The handshake is the state
   XMPP_STATE_TLS; its end restarts the stream (§5.4.3.3). */

/* The JID's domain, NUL-terminated, in the bound-JID buffer (empty until the bind). */
static const char *xmpp__domain_z(xmpp_stream *c)
{
    xmpp_jid j;
    xmpp__my_jid(c, &j);
    if (j.domain.n >= XMPP_STREAM_JID_MAX) return NULL;
    XMPP_MEMCPY(c->jid, j.domain.p, j.domain.n);
    c->jid[j.domain.n] = '\0';
    return c->jid;
}

/* TLS failed or ended under the stream, or the connection is gone: no stream error can
   go out (RFC 6120 §5.4.3.2), and what was queued never will: the CLOSED event counts it. */
static void xmpp__tls_fail(xmpp_stream *c, xmpp_err code, const char *why)
{
    size_t sealed = 0;
    if (c->state == XMPP_STATE_CLOSED) return;
    if (XMPP__TLS_RUN(c)) xmpp_tls_output(XMPP__HOOK(c), &sealed);   /* records not yet sent */
    c->closed_sent = 1;
    xmpp__closed(c, code, NULL, why)->unsent = c->out_len + sealed;
    c->out_len = 0;
}

static void xmpp__tls_start(xmpp_stream *c, const char *alpn)
{
    const char *name = xmpp__domain_z(c);
    xmpp_err r = name ? xmpp_tls_start(c->cfg.tls_hook, name, alpn) : XMPP_ERR_INVALID;
    c->tls_run = 1;   /* (the one write) */
    if (r) xmpp__tls_fail(c, r, name ? xmpp_tls_error(c->cfg.tls_hook)->message : "the domain is too long for SNI");
}

/* After the hook moved: the handshake done (restart the stream over TLS), or failed. */
static void xmpp__tls_check(xmpp_stream *c)
{
    xmpp_tls_status st = xmpp_tls_state(c->cfg.tls_hook);
    const xmpp_errinfo *e;
    if (c->state == XMPP_STATE_CLOSED) return;
    if (st == XMPP_TLS_OPEN && c->state == XMPP_STATE_TLS) {
        xmpp__trace(c, XMPP_TRACE_STATE, "§5.4.3.3 TLS established", 25);
        xmpp_stream_tls_done(c);
    } else if (st == XMPP_TLS_FAILED || st == XMPP_TLS_CLOSED) {
        e = xmpp_tls_error(c->cfg.tls_hook);
        if (e->code) xmpp__tls_fail(c, e->code, e->message);
        else xmpp__tls_fail(c, XMPP_ERR_TLS_CLOSED, "the server ended TLS (close_notify) before the stream");
    }
}

static xmpp_err xmpp__feed_xml(xmpp_stream *c, const unsigned char *p, size_t len, size_t *used);

/* The plaintext the hook holds, into the tokenizer, while no event waits. */
static void xmpp__tls_in(xmpp_stream *c)
{
    const unsigned char *p;
    size_t n, u;
    while (!c->nev && c->state != XMPP_STATE_CLOSED && (p = xmpp_tls_read(c->cfg.tls_hook, &n)) != NULL) {
        xmpp__feed_xml(c, p, n, &u);
        xmpp_tls_read_ack(c->cfg.tls_hook, c->state == XMPP_STATE_CLOSED ? n : u);
        if (u < n) break;
    }
}

/* What the builder queued, sealed into records (once the handshake is done); after the
   stream's end, our close_notify. */
static void xmpp__tls_out(xmpp_stream *c)
{
    size_t u;
    if (xmpp_tls_state(c->cfg.tls_hook) != XMPP_TLS_OPEN) return;
    if (c->out_len && xmpp_tls_write(c->cfg.tls_hook, c->out, c->out_len, &u) == XMPP_OK && u) {
        XMPP_MEMMOVE(c->out, c->out + u, c->out_len - u);
        c->out_len -= u;
    }
    if (c->state == XMPP_STATE_CLOSED && !c->out_len && !c->tls_closing) {
        c->tls_closing = 1;   /* RFC 5246 §7.2.1 */
        xmpp_tls_close(c->cfg.tls_hook);
    }
}

/* ---- the steps */

static void xmpp__send_bind(xmpp_stream *c)
{
    xmpp_builder *b = xmpp__iq_begin(c, "set", "bind-1", NULL, XMPP__NS_BIND, "bind");
    xmpp_jid j;
    xmpp__my_jid(c, &j);
    if (j.resource.n) {
        xmpp_build_start(b, XMPP__NS_BIND, "resource");
        xmpp_build_text(b, j.resource);
        xmpp_build_end(b);
    }
    xmpp_build_end(b);
    xmpp_build_end(b);
    xmpp__out_step(c, XMPP_STATE_BIND);
}

/* Our SASL message for the trace, its secret replaced in place (raw is the scratch's
   response area, no longer needed once the message is queued): PLAIN's password after
   the second NUL (RFC 4616), SCRAM's ClientProof after ",p=" (RFC 5802 §7; a username
   cannot contain ",p=": its ',' is escaped as "=2C"). */
static void xmpp__trace_sasl_out(xmpp_stream *c, unsigned char *raw, size_t n)
{
#ifndef XMPP_NO_TRACE
    size_t i, nul = 0;
    if (!c->cfg.trace) return;
    for (i = 0; i < n; i++) {
        if (c->mech == XMPP_SASL_PLAIN && raw[i] == 0 && ++nul == 2) break;
        if (c->mech != XMPP_SASL_PLAIN && i + 3 <= n && raw[i] == ',' && raw[i + 1] == 'p' && raw[i + 2] == '=') { i += 2; break; }
    }
    if (i < n && i + 9 <= XMPP_STREAM_SASL_MAX) {
        XMPP_MEMCPY(raw + i + 1, "(hidden)", 8);
        n = i + 9;
    } else if (i < n) {
        n = i + 1;   /* no room for the marker: the secret is cut off all the same */
    }
    xmpp__trace(c, XMPP_TRACE_SASL_OUT, raw, n);
#else
    (void)c; (void)raw; (void)n;
#endif
}

/* §6.4.2 <auth/>, §6.4.3 <response/>: base64 of raw (empty: "=" in auth, nothing in a
   response). */
static void xmpp__send_sasl(xmpp_stream *c, const char *name, const char *mech, const unsigned char *raw, size_t n)
{
    xmpp_builder *b = xmpp__out_begin(c);
    char *text = (char *)c->scratch + 2 * XMPP_STREAM_SASL_MAX;
    size_t len = 0;
    if (n && xmpp_b64_encode(raw, n, text, XMPP__SASL_B64, &len)) {
        xmpp__cfail(c, XMPP_ERR_NOSPACE, NULL, "SASL message too long");
        return;
    }
    if (!n && mech) { text[0] = '='; len = 1; }
    xmpp_build_start(b, XMPP__NS_SASL, name);
    if (mech) xmpp_build_attr(b, NULL, "mechanism", mech);
    if (len) xmpp_build_text(b, xmpp__str(text, len));
    xmpp_build_end(b);
    xmpp__out_must(c, 0, 1);
    xmpp__trace_sasl_out(c, (unsigned char *)c->scratch + XMPP_STREAM_SASL_MAX, n);
    if (c->state != XMPP_STATE_CLOSED) xmpp__set_state(c, XMPP_STATE_SASL);
}

/* SCRAM-*-PLUS over the hook's TLS: the type the server lists (XEP-0440), from those
   the backend can give, tls-server-end-point first (it needs nothing of the handshake's
   secrets); with no list, tls-unique (RFC 5802 §6.1: the default). None: no -PLUS. */
typedef char xmpp__jid_max_fits[XMPP_STREAM_JID_MAX >= XMPP_TLS_CB_MAX ? 1 : -1];   /* channel binding */

static void xmpp__cb_choose(xmpp_stream *c, const xmpp_node *f)
{
    unsigned char *cb = (unsigned char *)c->jid;   /* free until the bind */
    static const char names[] = "tls-server-end-point\0tls-unique\0tls-exporter";   /* see xmpp__nth */
    static const xmpp_tls_cb types[] = { XMPP_TLS_CB_SERVER_END_POINT, XMPP_TLS_CB_UNIQUE, XMPP_TLS_CB_EXPORTER };
    const xmpp_node *list = xmpp_node_child(f, "urn:xmpp:sasl-cb:0", "sasl-channel-binding"), *t;
    const char *name = names;
    size_t i;
    c->cb_len = 0;
    for (i = 0; i < 3; i++, name += XMPP_STRLEN(name) + 1) {
        int listed = !list && types[i] == XMPP_TLS_CB_UNIQUE;
        for (t = xmpp_node_child(list, "urn:xmpp:sasl-cb:0", "channel-binding"); t && !listed;
             t = xmpp_node_next_sibling(t, "urn:xmpp:sasl-cb:0", "channel-binding"))
            listed = xmpp__attr_is(t, "type", name);
        if (listed && xmpp_tls_channel_binding(c->cfg.tls_hook, types[i], cb, XMPP_TLS_CB_MAX, &c->cb_len) == XMPP_OK) {
            c->cb_type = name;
            return;
        }
        c->cb_len = 0;
    }
}

/* Out of line (XMPP__COLD): its locals (the offered list, the SASL config) then stay off
   the stack when SCRAM's PBKDF2 runs, deeper under the challenge. */
static XMPP__COLD void xmpp__features(xmpp_stream *c, const xmpp_node *f)
{
    const xmpp_node *tls = xmpp_node_child(f, XMPP__NS_TLS, "starttls");
    const xmpp_node *mechs = xmpp_node_child(f, XMPP__NS_SASL, "mechanisms");
    if (!c->tls && c->cfg.tls != XMPP_TLS_NEVER) {
        if (tls) {   /* §5.4.2.1 */
            xmpp_builder *b = xmpp__out_begin(c);
            xmpp_build_start(b, XMPP__NS_TLS, "starttls");
            xmpp_build_end(b);
            xmpp__out_step(c, XMPP_STATE_STARTTLS);
            return;
        }
        if (c->cfg.tls == XMPP_TLS_REQUIRED) {
            xmpp__cfail(c, XMPP_ERR_NO_TLS, NULL, "the server does not offer STARTTLS and TLS is required (downgrade refused)");
            return;
        }
    }
    if (!c->tls && tls && xmpp_node_child(tls, XMPP__NS_TLS, "required")) {
        xmpp__cfail(c, XMPP_ERR_NO_TLS, NULL, "the server requires STARTTLS and the configuration says never");
        return;
    }
    if (!c->authed) {   /* §6.4.1 */
        xmpp_str offered[16];
        size_t n = 0, len;
        const xmpp_node *m;
        xmpp_sasl_policy pol;
        xmpp_sasl_config sc;
        xmpp_jid j;
        xmpp_err r;
        int plus = 0;
        for (m = xmpp_node_child(mechs, XMPP__NS_SASL, "mechanism"); m && n < 16;
             m = xmpp_node_next_sibling(m, XMPP__NS_SASL, "mechanism")) {
            xmpp_str name = xmpp_node_text(m);
            plus |= xmpp_sasl_plus_offered(&name, 1);   /* of the whole offer (GS2 flag) */
            if (!c->cfg.mechanism || xmpp_str_eq(name, c->cfg.mechanism)) offered[n++] = name;
        }
        const unsigned char *cbd = NULL;
        if (XMPP__TLS_RUN(c)) {   /* the hook's TLS: its binding, in the JID buffer */
            xmpp__cb_choose(c, f);
            cbd = (const unsigned char *)c->jid;
        } else if (c->tls && c->cfg.cb_len) {   /* the application's TLS: its binding */
            c->cb_type = "tls-server-end-point";
            c->cb_len = c->cfg.cb_len;
            cbd = c->cfg.cb_data;
        }
        XMPP_MEMSET(&pol, 0, sizeof pol);
        pol.tls = c->tls;
        pol.cb = c->cb_len != 0;
        pol.client_cert = c->tls && c->cfg.client_cert;
        pol.plain_clear = c->cfg.plain_clear;
        pol.anonymous = c->cfg.anonymous;
        XMPP_MEMSET(&sc, 0, sizeof sc);
        sc.mech = xmpp_sasl_select(offered, n, &pol);
        if (sc.mech == XMPP_SASL_NONE) {
            xmpp__cfail(c, XMPP_ERR_SASL_MECHANISM, NULL, n ? "no SASL mechanism offered that this client accepts"
                                                     : c->cfg.mechanism ? "the server does not offer the configured SASL mechanism"
                                                                        : "the server offers no SASL mechanism");
            return;
        }
        xmpp__my_jid(c, &j);
        sc.authcid = j.local;
        sc.password = c->cfg.password;
        sc.cache = c->cfg.cache;
        sc.rng = c->cfg.rng;
        sc.rng_ctx = c->cfg.rng_ctx;
        sc.cb_data = c->cb_len ? cbd : NULL;
        sc.cb_len = c->cb_len;
        sc.cb_type = xmpp_str_z(c->cb_type);
        sc.plus_offered = (uint8_t)plus;
        c->mech = (uint8_t)sc.mech;
        r = xmpp_sasl_start(&c->sasl, &sc, c->scratch + XMPP_STREAM_SASL_MAX, XMPP_STREAM_SASL_MAX, &len);
        if (r) { xmpp__cfail(c, r, NULL, xmpp_sasl_error(&c->sasl)->message); return; }
        if (!XMPP__PLUS(sc.mech)) c->cb_len = 0;   /* offered, not bound: the GS2 flag said so */
        xmpp__send_sasl(c, "auth", xmpp_sasl_mech_name(sc.mech), c->scratch + XMPP_STREAM_SASL_MAX, len);
        return;
    }
    if (!xmpp_node_child(f, XMPP__NS_BIND, "bind")) {
        xmpp__cfail(c, XMPP_ERR_PROTOCOL, NULL, "the server offers no resource binding after SASL");
        return;
    }
    xmpp__send_bind(c);
}

/* A stream error's or a SASL failure's condition into e: the first child in ns that is
   not <text/> (none: dflt), and the text of its <text/>. Returns the condition's element. */
static const xmpp_node *xmpp__condition(xmpp_stream_event *e, const xmpp_node *r, const char *ns, const char *dflt)
{
    const xmpp_node *k;
    for (k = xmpp_node_child(r, ns, NULL); k; k = xmpp_node_next_sibling(k, ns, NULL))
        if (!xmpp_node_is(k, NULL, "text")) break;
    e->condition = k ? xmpp_node_name(k) : xmpp_str_z(dflt);
    e->text = xmpp_node_text(xmpp_node_child(r, ns, "text"));
    return k;
}

/* The SASL element's text, base64-decoded into the scratch area. */
static xmpp_err xmpp__sasl_data(xmpp_stream *c, const xmpp_node *n, size_t *len)
{
    xmpp_str t = xmpp_node_text(n);
    *len = 0;
    if (!t.p) return XMPP_ERR_SASL_MALFORMED;
    if (t.n == 1 && t.p[0] == '=') return XMPP_OK;   /* §6.4.2: "=" is empty */
    return xmpp_b64_decode(t.p, t.n, c->scratch, XMPP_STREAM_SASL_MAX, len);
}

static void xmpp__sasl_in(xmpp_stream *c, const xmpp_node *r)
{
    size_t n, len;
    xmpp_err e;
    int challenge = xmpp_node_is(r, XMPP__NS_SASL, "challenge");
    if (challenge || xmpp_node_is(r, XMPP__NS_SASL, "success")) {   /* §6.4.3, §6.4.6 */
        if (!(e = xmpp__sasl_data(c, r, &n)) && (challenge || n)) xmpp__trace(c, XMPP_TRACE_SASL_IN, c->scratch, n);
        if (!e)
            e = challenge ? xmpp_sasl_step(&c->sasl, c->scratch, n, c->scratch + XMPP_STREAM_SASL_MAX,
                                           XMPP_STREAM_SASL_MAX, &len)
                          : xmpp_sasl_success(&c->sasl, c->scratch, n);
        if (e) {
            xmpp__cfail(c, e, NULL, xmpp_sasl_error(&c->sasl)->code ? xmpp_sasl_error(&c->sasl)->message
                                    : challenge ? "bad SASL challenge (base64)" : "bad SASL success data (base64)");
            return;
        }
        if (challenge) {
            xmpp__send_sasl(c, "response", NULL, c->scratch + XMPP_STREAM_SASL_MAX, len);
            return;
        }
        xmpp_sasl_wipe(&c->sasl);
        c->authed = 1;
        xmpp__restart(c);   /* §4.3.3 */
    } else if (xmpp_node_is(r, XMPP__NS_SASL, "failure")) {   /* §6.4.5 */
        xmpp__condition(xmpp__event(c, XMPP_STREAM_SASL_FAILURE), r, XMPP__NS_SASL, "not-authorized");
        xmpp__cfail(c, XMPP_ERR_AUTH, NULL, "SASL authentication failed");
    } else {
        xmpp__cfail(c, XMPP_ERR_PROTOCOL, "undefined-condition", "unexpected element during SASL");
    }
}

/* An iq result or error for an id we sent. */
static int xmpp__iq_is(const xmpp_node *r, const char *id)
{
    xmpp_str type;
    if (!xmpp_node_is(r, XMPP_XMLNS_CLIENT, "iq") || !xmpp__attr_is(r, "id", id)) return 0;
    type = xmpp_node_attr(r, NULL, "type");
    return xmpp_str_eq(type, "result") || xmpp_str_eq(type, "error");
}

static void xmpp__online(xmpp_stream *c)
{
    xmpp_stream_event *e;
    xmpp__set_state(c, XMPP_STATE_ONLINE);
    c->last_rx = c->now;
    e = xmpp__event(c, XMPP_STREAM_ONLINE);
    e->jid = xmpp__str(c->jid, c->jid_len);
}

static void xmpp__bind_in(xmpp_stream *c, const xmpp_node *r)
{
    xmpp_str j = xmpp_node_text(xmpp_node_child(xmpp_node_child(r, XMPP__NS_BIND, "bind"), XMPP__NS_BIND, "jid"));
    xmpp_jid parsed;
    if (!xmpp__attr_is(r, "type", "result")) {
        xmpp__cfail(c, XMPP_ERR_PROTOCOL, NULL, "resource binding failed (iq error)");
        return;
    }
    if (!j.p || xmpp_jid_parse(&parsed, j.p, j.n, NULL) || !parsed.resource.n || j.n > XMPP_STREAM_JID_MAX) {
        xmpp__cfail(c, XMPP_ERR_PROTOCOL, NULL, "resource binding: no valid full JID in the result");
        return;
    }
    {   /* the account we asked for, not another one (EXTERNAL takes it from the
           certificate: a certificate for someone else must not log us in as them) */
        xmpp_jid mine;
        xmpp_jid theirs = parsed;
        xmpp__my_jid(c, &mine);
        if (c->cfg.anonymous) theirs.local = mine.local = xmpp__str(NULL, 0);   /* the server names us */
        if (!xmpp_jid_bare_equal(&mine, &theirs)) {
            xmpp__cfail(c, XMPP_ERR_AUTH, "not-authorized", "the server bound another account than the configured JID");
            return;
        }
    }
    XMPP_MEMCPY(c->jid, j.p, j.n);
    c->jid_len = j.n;
    if (c->session) {   /* the features said a legacy session is required */
        xmpp_builder *b = xmpp__iq_begin(c, "set", "session-1", NULL, XMPP__NS_SESSION, "session");
        xmpp_build_end(b);
        xmpp_build_end(b);
        xmpp__out_step(c, XMPP_STATE_SESSION);
        return;
    }
    xmpp__online(c);
}

/* XEP-0199: answer a ping. */
static int xmpp__ping_in(xmpp_stream *c, const xmpp_node *r)
{
    xmpp_builder *b;
    xmpp_str from = xmpp_node_attr(r, NULL, "from"), id = xmpp_node_attr(r, NULL, "id");
    if (!xmpp_node_is(r, XMPP_XMLNS_CLIENT, "iq") || !xmpp__attr_is(r, "type", "get") ||
        !xmpp_node_child(r, XMPP__NS_PING, "ping") || !id.p)
        return 0;
    b = xmpp__out_begin(c);
    xmpp_build_start(b, XMPP_XMLNS_CLIENT, "iq");
    xmpp_build_attr(b, NULL, "type", "result");
    xmpp_build_attr_str(b, NULL, "id", id);
    if (from.p) xmpp_build_attr_str(b, NULL, "to", from);
    xmpp_build_end(b);
    if (xmpp__out_end(c, 0)) return 0;   /* no room: hand it to the application instead */
    return 1;
}

static void xmpp__stanza_in(xmpp_stream *c, const xmpp_node *r)
{
    if (xmpp_node_is(r, XMPP__NS_STREAMS, "error")) {   /* §4.9 */
        xmpp_stream_event *e = xmpp__event(c, XMPP_STREAM_ERROR);
        const xmpp_node *k = xmpp__condition(e, r, XMPP__NS_XSTREAMS, "undefined-condition");
        if (k && xmpp_node_is(k, NULL, "see-other-host")) e->text = xmpp_node_text(k);
        xmpp__cfail(c, XMPP_ERR_STREAM, NULL, "the server sent a stream error");
        return;
    }
    switch (c->state) {
    case XMPP_STATE_FEATURES:
        if (!xmpp_node_is(r, XMPP__NS_STREAMS, "features")) {
            xmpp__cfail(c, XMPP_ERR_PROTOCOL, "undefined-condition", "expected <stream:features/>");
            return;
        }
        {   /* remember whether a legacy session is required (RFC 3921 §3, RFC 6121 app. E) */
            const xmpp_node *s = xmpp_node_child(r, XMPP__NS_SESSION, "session");
            c->session = (uint8_t)(s && !xmpp_node_child(s, XMPP__NS_SESSION, "optional"));
        }
        xmpp__features(c, r);
        return;
    case XMPP_STATE_STARTTLS:
        if (xmpp_node_is(r, XMPP__NS_TLS, "proceed")) {   /* §5.4.2.3 */
            xmpp__set_state(c, XMPP_STATE_TLS);
            if (XMPP__HOOK(c)) xmpp__tls_start(c, NULL);
            else xmpp__event(c, XMPP_STREAM_STARTTLS);
        } else {
            xmpp__cfail(c, XMPP_ERR_NO_TLS, NULL, "the server answered <starttls/> with <failure/>");
        }
        return;
    case XMPP_STATE_SASL:
        xmpp__sasl_in(c, r);
        return;
    case XMPP_STATE_BIND:
        if (xmpp__iq_is(r, "bind-1")) { xmpp__bind_in(c, r); return; }
        break;
    case XMPP_STATE_SESSION:
        if (xmpp__iq_is(r, "session-1")) {
            if (xmpp__attr_is(r, "type", "result")) xmpp__online(c);
            else xmpp__cfail(c, XMPP_ERR_PROTOCOL, NULL, "session establishment failed (iq error)");
            return;
        }
        break;
    case XMPP_STATE_ONLINE:
    case XMPP_STATE_CLOSING:
        if (c->ping_out && xmpp__iq_is(r, "ping-k")) {   /* our keepalive answered */
            c->ping_out = 0;
            if (c->state == XMPP_STATE_ONLINE) c->deadline = 0;
            return;
        }
        if (c->state == XMPP_STATE_ONLINE && xmpp__ping_in(c, r)) return;
        xmpp__event(c, XMPP_STREAM_STANZA)->stanza = r;
        return;
    default:
        break;
    }
    xmpp__cfail(c, XMPP_ERR_PROTOCOL, "undefined-condition", "unexpected element during the negotiation");
}

static void xmpp__token_in(xmpp_stream *c, const xmpp_xml_token *t)
{
    xmpp_err r;
    switch (t->kind) {
    case XMPP_XML_OPEN: {   /* §4.7: the server's header */
        xmpp_str v;
        size_t i;
        if (c->state != XMPP_STATE_HEADER || !xmpp_str_eq(t->ns, XMPP__NS_STREAMS) || !xmpp_str_eq(t->local, "stream")) {
            xmpp__cfail(c, XMPP_ERR_PROTOCOL, "invalid-namespace", "the server's stream header is not <stream:stream>");
            return;
        }
        v = xmpp__str(NULL, 0);
        for (i = 0; i < t->nattrs; i++)
            if (!t->attrs[i].ns.n && xmpp_str_eq(t->attrs[i].local, "version")) v = t->attrs[i].value;
        if (!v.p || v.n < 3 || v.p[0] != '1' || v.p[1] != '.') {   /* §4.7.5 */
            xmpp__cfail(c, XMPP_ERR_PROTOCOL, "unsupported-version", "the server does not speak XMPP 1.0 (version)");
            return;
        }
        xmpp__set_state(c, XMPP_STATE_FEATURES);
        return;
    }
    case XMPP_XML_CLOSE:   /* §4.4 */
        if (c->state == XMPP_STATE_CLOSING) xmpp__closed(c, XMPP_OK, NULL, "closed by us, confirmed by the server");
        else xmpp__cfail(c, XMPP_OK, NULL, "closed by the server");
        return;
    case XMPP_XML_START:
    case XMPP_XML_END:
    case XMPP_XML_TEXT:
        r = xmpp_tree_push(&c->st, t);
        if (r == XMPP_OK) xmpp__stanza_in(c, xmpp_tree_root(&c->st));
        else if (r == XMPP_ERR_NOSPACE) {
            if (c->state == XMPP_STATE_ONLINE || c->state == XMPP_STATE_CLOSING)
                xmpp__event(c, XMPP_STREAM_SKIPPED);
            else
                xmpp__cfail(c, XMPP_ERR_NOSPACE, NULL, "a negotiation element did not fit the stanza arena");
        }
        return;
    default:
        return;
    }
}

/* ---- the API */

static size_t xmpp__stream_part(size_t n) { return (n + 7) / 8 * 8; }

XMPPDEF size_t xmpp_stream_mem_size(const xmpp_stream_config *cfg)
{
    size_t x = cfg->xml_buf ? cfg->xml_buf : 4096;
    if (!xmpp_xml_buffer_size(&cfg->limits)) return 0;
    return xmpp__stream_part(x) + xmpp__stream_part(cfg->arena ? cfg->arena : 4096) +
           xmpp__stream_part(cfg->out ? cfg->out : 2048) + XMPP__SCRATCH + XMPP_STREAM_JID_MAX + 8;
}

XMPPDEF xmpp_err xmpp_stream_init(xmpp_stream *c, const xmpp_stream_config *cfg, void *mem, size_t size)
{
    unsigned char *p = (unsigned char *)mem;
    size_t xs;
    xmpp_jid j;
    XMPP_MEMSET(c, 0, sizeof *c);
    c->cfg = *cfg;
    if (!c->cfg.timeout_ms) c->cfg.timeout_ms = 30000;
    if (!c->cfg.arena) c->cfg.arena = 4096;
    if (!c->cfg.out) c->cfg.out = 2048;
    if (!c->cfg.xml_buf) c->cfg.xml_buf = 4096;
    c->err.code = XMPP_ERR_INVALID;
    c->state = XMPP_STATE_CLOSED;
    if (xmpp_jid_parse(&j, cfg->jid.p, cfg->jid.n, NULL) || (!j.local.n && !cfg->anonymous)) {
        c->err.message = "the JID must be local@domain[/resource] (or a domain, with anonymous)";
        return XMPP_ERR_INVALID;
    }
    if (!cfg->rng) { c->err.message = "no random number source (rng)"; return XMPP_ERR_INVALID; }
#ifdef XMPP_NO_STREAM_TLS
    if (cfg->tls_hook) { c->err.message = "a tls_hook, but this build has XMPP_NO_STREAM_TLS"; return XMPP_ERR_INVALID; }
#endif
    xs = c->cfg.xml_buf;
    if (!mem || !xmpp_xml_buffer_size(&cfg->limits) || size < xmpp_stream_mem_size(&c->cfg)) {
        c->err.message = "memory smaller than xmpp_stream_mem_size()";
        return XMPP_ERR_INVALID;
    }
    p += (8 - (uintptr_t)p % 8) % 8;
    if (xmpp_xml_init(&c->xml, p, xs, &cfg->limits)) { c->err.message = "invalid tokenizer limits"; return XMPP_ERR_INVALID; }
    p += xmpp__stream_part(xs);
    xmpp_tree_init(&c->st, p, c->cfg.arena);
    p += xmpp__stream_part(c->cfg.arena);
    c->out = p;
    c->out_size = c->cfg.out;
    p += xmpp__stream_part(c->cfg.out);
    c->scratch = p;
    c->jid = (char *)p + XMPP__SCRATCH;
    c->tls = c->cfg.tls_active && !XMPP__HOOK(c);
    c->err.code = XMPP_OK;
    c->err.message = NULL;
    c->state = XMPP_STATE_START;
    if (XMPP__HOOK(c) && c->cfg.direct_tls) {   /* XEP-0368: TLS first, the header over it */
        xmpp__set_state(c, XMPP_STATE_TLS);
        xmpp__tls_start(c, "xmpp-client");
    } else {
        xmpp__send_header(c);
    }
    return c->err.code;
}

/* Plaintext XML from the server, into the tokenizer and on to the collector. */
static xmpp_err xmpp__feed_xml(xmpp_stream *c, const unsigned char *p, size_t len, size_t *used)
{
    size_t off = 0, u;
    *used = 0;
    while (off < len && !c->nev && c->state != XMPP_STATE_CLOSED && c->state != XMPP_STATE_TLS) {
        xmpp_xml_token t;
        xmpp_err r = xmpp_xml_feed(&c->xml, p + off, len - off, &u);
        if (u) xmpp__trace(c, XMPP_TRACE_IN, p + off, u);
        off += u;
        if (u) c->last_rx = c->now;
        while (!c->nev && c->state != XMPP_STATE_CLOSED && xmpp_xml_next(&c->xml, &t) == XMPP_OK)
            xmpp__token_in(c, &t);
        if (r && !c->nev && c->state != XMPP_STATE_CLOSED) {   /* §4.9.3: the peer's XML is bad */
            const xmpp_errinfo *e = xmpp_xml_error(&c->xml);
            xmpp__cfail(c, e->code, xmpp_err_condition(e->code), e->message);
        }
    }
    *used = off;
    return c->state == XMPP_STATE_CLOSED ? c->err.code : XMPP_OK;
}

XMPPDEF xmpp_err xmpp_stream_feed(xmpp_stream *c, const void *data, size_t len, size_t *used)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t off = 0, u;
    if (!XMPP__TLS_RUN(c)) {   /* plaintext; after <proceed/>, the rest goes to TLS */
        xmpp_err r = xmpp__feed_xml(c, p, len, used);
        if (!XMPP__TLS_RUN(c) || c->state == XMPP_STATE_CLOSED) return r;
        off = *used;
    }
    for (;;) {   /* records in, plaintext out, until an event waits or nothing moves */
        xmpp__tls_in(c);
        if (c->nev || c->state == XMPP_STATE_CLOSED || off == len) break;
        u = 0;
        xmpp_tls_feed(c->cfg.tls_hook, p + off, len - off, &u);   /* errors: by the state */
        off += u;
        if (u) c->last_rx = c->now;
        xmpp__tls_check(c);
        if (!u) break;   /* the backend is full: its output must go out first */
    }
    *used = off;
    return c->state == XMPP_STATE_CLOSED ? c->err.code : XMPP_OK;
}

XMPPDEF void xmpp_stream_eof(xmpp_stream *c)
{
    if (c->state == XMPP_STATE_CLOSED) return;
    if (XMPP__TLS_RUN(c) && xmpp_tls_state(c->cfg.tls_hook) != XMPP_TLS_CLOSED) {
        xmpp_tls_eof(c->cfg.tls_hook);   /* the backend says what it means for TLS */
        xmpp__tls_in(c);
        xmpp__tls_check(c);
        if (c->state == XMPP_STATE_CLOSED) return;
    }
    /* nobody to tell; clean if we had closed and the server left without </stream:stream> */
    if (c->state == XMPP_STATE_CLOSING) xmpp__tls_fail(c, XMPP_OK, "closed by us; the server closed the connection");
    else xmpp__tls_fail(c, XMPP_ERR_CLOSED, "the server closed the connection before the stream ended");
}

XMPPDEF int xmpp_stream_next(xmpp_stream *c, xmpp_stream_event *ev)
{
    if (!c->nev) return 0;
    *ev = c->ev[c->ev0];
    c->ev0 = (uint8_t)((c->ev0 + 1) % XMPP__EVQ);
    c->nev--;
    return 1;
}

XMPPDEF const unsigned char *xmpp_stream_output(xmpp_stream *c, size_t *n)
{
    const unsigned char *p;
    if (!XMPP__TLS_RUN(c)) { *n = c->out_len; return c->out; }
    xmpp__tls_out(c);
    p = xmpp_tls_output(c->cfg.tls_hook, n);
    if (!p) *n = 0;
    return p ? p : c->out;
}

XMPPDEF unsigned xmpp_stream_wants(const xmpp_stream *c)
{
    unsigned w = c->out_len ? XMPP_WANT_WRITE : 0;
    if (XMPP__TLS_RUN(c)) {   /* records waiting, or plaintext the backend will take */
        size_t n = 0;
        xmpp_tls_status st = xmpp_tls_state(c->cfg.tls_hook);
        w = xmpp_tls_output(c->cfg.tls_hook, &n) && n ? XMPP_WANT_WRITE : 0;
        if (st == XMPP_TLS_OPEN && (c->out_len || (c->state == XMPP_STATE_CLOSED && !c->tls_closing)))
            w = XMPP_WANT_WRITE;
    }
    if (c->state == XMPP_STATE_CLOSED) return w | XMPP_WANT_CLOSED;
    if (c->state == XMPP_STATE_TLS && !XMPP__HOOK(c)) return w | XMPP_WANT_TLS;
    if (XMPP__TLS_RUN(c) && !c->nev) {   /* decrypted bytes held while an event waited */
        size_t n = 0;
        if (xmpp_tls_read(c->cfg.tls_hook, &n) && n) w |= XMPP_WANT_FEED;
    }
    return w | XMPP_WANT_READ;
}

XMPPDEF void xmpp_stream_output_ack(xmpp_stream *c, size_t n)
{
    if (XMPP__TLS_RUN(c)) {
        xmpp_tls_output_ack(c->cfg.tls_hook, n);
        xmpp__tls_check(c);   /* the end of our close_notify reply may close TLS */
        xmpp__tls_out(c);
        return;
    }
    if (n > c->out_len) n = c->out_len;
    XMPP_MEMMOVE(c->out, c->out + n, c->out_len - n);
    c->out_len -= n;
}

XMPPDEF void xmpp_stream_tick(xmpp_stream *c, uint64_t now_ms)
{
    if (!c->ticked) {   /* the first tick sets the clock: times so far were from 0 */
        c->ticked = 1;
        if (c->deadline) c->deadline += now_ms - c->now;
        c->last_rx += now_ms - c->now;
    }
    c->now = now_ms;
    if (c->state == XMPP_STATE_CLOSED) return;
    if (c->deadline && now_ms >= c->deadline) {
        if (c->state == XMPP_STATE_CLOSING) {   /* §4.4: the server never closed: we are done */
            xmpp__closed(c, XMPP_ERR_TIMEOUT, NULL, "the server did not close the stream in time");
        } else {
            xmpp__cfail(c, XMPP_ERR_TIMEOUT, NULL, c->state == XMPP_STATE_ONLINE ? "no answer to a keepalive ping"
                                                                           : "the server did not answer in time");
        }
        return;
    }
    if (c->state == XMPP_STATE_ONLINE && c->cfg.ping_ms && !c->ping_out && now_ms - c->last_rx >= c->cfg.ping_ms) {
        xmpp_builder *b;   /* XEP-0199 §4.2 */
        xmpp_jid j;
        xmpp__my_jid(c, &j);
        b = xmpp__iq_begin(c, "get", "ping-k", &j.domain, XMPP__NS_PING, "ping");
        xmpp_build_end(b);
        xmpp_build_end(b);
        if (!xmpp__out_end(c, 0)) {
            c->ping_out = 1;
            c->deadline = now_ms + c->cfg.timeout_ms;
        }
    }
}

XMPPDEF void xmpp_stream_tls_done(xmpp_stream *c)
{
    if (c->state != XMPP_STATE_TLS) return;
    c->tls = 1;
    xmpp__restart(c);   /* §5.4.3.3: a new stream over TLS */
}

XMPPDEF xmpp_builder *xmpp_stream_send_begin(xmpp_stream *c)
{
    if (c->state != XMPP_STATE_ONLINE) return NULL;
    c->building = 1;
    return xmpp__out_begin(c);
}

XMPPDEF xmpp_err xmpp_stream_send_end(xmpp_stream *c)
{
    if (!c->building) return XMPP_ERR_INVALID;
    c->building = 0;
    if (c->state != XMPP_STATE_ONLINE) return XMPP_ERR_INVALID;
    return xmpp__out_end(c, 0);
}

XMPPDEF char *xmpp_stream_make_id(xmpp_stream *c, char *out, size_t size)
{
    if (size < 18) return NULL;
    out[0] = 'x';
    return xmpp_make_id(out + 1, size - 1, c->cfg.rng, c->cfg.rng_ctx) ? out : NULL;
}

XMPPDEF void xmpp_stream_close(xmpp_stream *c)
{
    if (c->state == XMPP_STATE_CLOSED || c->state == XMPP_STATE_CLOSING) return;
    if (c->state == XMPP_STATE_TLS) {   /* inside the handshake: no stream to close (§5.4.3.3) */
        c->closed_sent = 1;
        if (XMPP__TLS_RUN(c) && !c->tls_closing) { c->tls_closing = 1; xmpp_tls_close(XMPP__HOOK(c)); }
        xmpp__closed(c, XMPP_OK, NULL, "closed by us during the TLS handshake");
        return;
    }
    xmpp__send_close(c, NULL);
    xmpp__set_state(c, XMPP_STATE_CLOSING);
}

XMPPDEF xmpp_stream_state xmpp_stream_state_of(const xmpp_stream *c)
{
    return (xmpp_stream_state)c->state;
}

XMPPDEF const char *xmpp_stream_mechanism(const xmpp_stream *c)
{
    return xmpp_sasl_mech_name((xmpp_sasl_mech)c->mech);
}

/* ======================================================================== >>tls
   IMPLEMENTATION NOTES

   The hook functions only dispatch through t->vt (see >>tls API). The BearSSL backend:

   - Buffers: b->buf is split by xmpp__tb_buffers(): bidi gives the input half 2^k + 325
     bytes (one whole record of 2^k plaintext bytes plus the worst-case overhead) and the
     rest to output; BearSSL derives the max_fragment_length it asks for from the smaller
     half, so the request always matches what the input half holds.
   - Engine setup happens in start, every time: br_ssl_client_zero, then only what we use
     (TLS 1.2, the six ECDHE AEAD suites, SHA-1..SHA-512 for signatures, both TLS 1.2
     PRFs, GCM, ChaCha20, EC, ECDSA and RSA verification), so the linker keeps no CBC,
     3DES, CCM or RSA key exchange code. BR_OPT_NO_RENEGOTIATION, and reset with
     resume = 0: every handshake is a full one, which keeps tls-unique sound without the
     extended master secret (the triple-handshake attack needs resumption or
     renegotiation, RFC 7627 §1).
   - X.509: BearSSL calls b->xclass (xmpp__tbx_*), which forwards to br_x509_minimal (or,
     when not verifying, only decodes the end-entity key with br_x509_decoder) and, for
     certificate 0 (the end-entity), copies the DER into cfg.cert if it fits and hashes it
     for tls-server-end-point: the first 64 bytes are held in b->head until the signature
     algorithm in tbsCertificate.signature (RFC 5280 §4.1.2.3; it must equal the outer
     one) says which hash to use, then the hash runs over the rest as it streams by.
   - State: IDLE -> start -> HANDSHAKING -> (SENDAPP or RECVAPP first seen) -> OPEN ->
     CLOSED (close_notify, or eof); any engine error -> FAILED. xmpp__tb_sync() reads the
     engine after every call that can move it and maps BearSSL's error to ours once. */

XMPPDEF xmpp_err xmpp_tls_start(xmpp_tls *t, const char *server_name, const char *alpn)
{
    return t->vt->start(t, server_name, alpn);
}
XMPPDEF xmpp_err xmpp_tls_feed(xmpp_tls *t, const unsigned char *data, size_t len, size_t *used)
{
    return t->vt->feed(t, data, len, used);
}
XMPPDEF xmpp_err xmpp_tls_eof(xmpp_tls *t) { return t->vt->eof(t); }
XMPPDEF const unsigned char *xmpp_tls_output(xmpp_tls *t, size_t *len) { return t->vt->output(t, len); }
XMPPDEF void xmpp_tls_output_ack(xmpp_tls *t, size_t n) { t->vt->output_ack(t, n); }
XMPPDEF xmpp_err xmpp_tls_write(xmpp_tls *t, const unsigned char *data, size_t len, size_t *used)
{
    return t->vt->write(t, data, len, used);
}
XMPPDEF const unsigned char *xmpp_tls_read(xmpp_tls *t, size_t *len) { return t->vt->read(t, len); }
XMPPDEF void xmpp_tls_read_ack(xmpp_tls *t, size_t n) { t->vt->read_ack(t, n); }
XMPPDEF void xmpp_tls_close(xmpp_tls *t) { t->vt->close(t); }
XMPPDEF xmpp_tls_status xmpp_tls_state(xmpp_tls *t) { return t->vt->state(t); }
XMPPDEF const xmpp_errinfo *xmpp_tls_error(xmpp_tls *t) { return t->vt->error(t); }
XMPPDEF xmpp_err xmpp_tls_peer_cert(xmpp_tls *t, const unsigned char **der, size_t *len)
{
    return t->vt->peer_cert(t, der, len);
}
XMPPDEF xmpp_err xmpp_tls_channel_binding(xmpp_tls *t, xmpp_tls_cb type, unsigned char *out,
                                          size_t size, size_t *len)
{
    return t->vt->channel_binding(t, type, out, size, len);
}

#ifdef XMPP_BEARSSL

#define XMPP__TB(t) ((xmpp_tls_bearssl *)(void *)(t))

static void xmpp__tb_fail(xmpp_tls_bearssl *b, xmpp_err code, const char *msg)
{
    if (b->status == XMPP_TLS_FAILED) return;      /* sticky: the first reason stays */
    b->err.code = code;
    b->err.message = msg;
    b->status = XMPP_TLS_FAILED;
}

/* BearSSL's error (bearssl_ssl.h, bearssl_x509.h) as ours. */
static xmpp_err xmpp__tb_map(int e, const char **msg)
{
    int alert = e & 255;
    if (e >= BR_ERR_SEND_FATAL_ALERT || e >= BR_ERR_RECV_FATAL_ALERT) {
        int sent = e >= BR_ERR_SEND_FATAL_ALERT;
        switch (alert) {
        case 40: *msg = sent ? "we sent a handshake_failure alert" :
                 "the peer sent a handshake_failure alert (no common cipher suite, curve or "
                 "signature algorithm; BearSSL speaks TLS 1.2 with ECDHE and AES-GCM/ChaCha20)"; break;
        case 42: case 43: case 44: case 45: case 46:
            *msg = sent ? "we sent a certificate alert" :
                   "the peer rejected our client certificate (bad/unsupported/expired/unknown certificate alert)"; break;
        case 48: *msg = sent ? "we sent an unknown_ca alert" :
                 "the peer sent an unknown_ca alert: it does not trust our client certificate's CA"; break;
        case 70: *msg = sent ? "we sent a protocol_version alert" :
                 "the peer sent a protocol_version alert: it does not accept TLS 1.2"; break;
        case 112: *msg = "unrecognized_name alert: the server has no certificate for that name (SNI)"; break;
        case 116: *msg = "the server requires a client certificate (certificate_required alert)"; break;
        case 20: *msg = sent ? "we sent a bad_record_mac alert" : "the peer sent a bad_record_mac alert"; break;
        default: *msg = sent ? "we sent a fatal TLS alert (see the engine error)" :
                 "the peer sent a fatal TLS alert"; break;
        }
        return XMPP_ERR_TLS;
    }
    switch (e) {
    case BR_ERR_X509_NOT_TRUSTED:
        *msg = "the server's certificate chain does not lead to a trust anchor (unknown CA)";
        return XMPP_ERR_TLS_UNTRUSTED;
    case BR_ERR_X509_BAD_SERVER_NAME:
        *msg = "the server's certificate does not name the XMPP domain (no matching dNSName)";
        return XMPP_ERR_TLS_NAME;
    case BR_ERR_X509_EXPIRED:
        *msg = "a certificate in the server's chain is expired or not yet valid";
        return XMPP_ERR_TLS_EXPIRED;
    case BR_ERR_X509_TIME_UNKNOWN:
        *msg = "no time to check certificate validity against: set config.now";
        return XMPP_ERR_INVALID;
    case BR_ERR_X509_NOT_CA:
        *msg = "a certificate that signs another in the chain is not a CA";
        return XMPP_ERR_TLS_UNTRUSTED;
    case BR_ERR_X509_BAD_SIGNATURE:
        *msg = "a signature in the server's certificate chain does not verify";
        return XMPP_ERR_TLS_UNTRUSTED;
    case BR_ERR_X509_FORBIDDEN_KEY_USAGE:
        *msg = "the server's certificate key usage forbids this use";
        return XMPP_ERR_TLS_UNTRUSTED;
    case BR_ERR_X509_CRITICAL_EXTENSION:
        *msg = "a certificate in the chain has an unsupported critical extension";
        return XMPP_ERR_TLS_UNTRUSTED;
    case BR_ERR_X509_WEAK_PUBLIC_KEY:
        *msg = "a certificate in the chain has a too weak public key";
        return XMPP_ERR_TLS_UNTRUSTED;
    case BR_ERR_X509_EMPTY_CHAIN:
        *msg = "the server sent no certificate";
        return XMPP_ERR_TLS_UNTRUSTED;
    case BR_ERR_X509_DN_MISMATCH:
        *msg = "the chain is not in order (issuer and subject names do not match)";
        return XMPP_ERR_TLS_UNTRUSTED;
    case BR_ERR_X509_UNSUPPORTED: case BR_ERR_X509_WRONG_KEY_TYPE:
        *msg = "a certificate in the chain uses an unsupported algorithm or key type";
        return XMPP_ERR_TLS_UNTRUSTED;
    case BR_ERR_X509_LIMIT_EXCEEDED:
        *msg = "a certificate in the chain exceeds BearSSL's limits (too large a name or key)";
        return XMPP_ERR_TLS_UNTRUSTED;
    case BR_ERR_BAD_MAC:
        *msg = "bad record MAC: a record was corrupted or tampered with";
        return XMPP_ERR_TLS;
    case BR_ERR_TOO_LARGE:
        *msg = "a record larger than the input buffer (the server ignored max_fragment_length?)";
        return XMPP_ERR_TLS;
    case BR_ERR_UNSUPPORTED_VERSION:
        *msg = "the peer does not speak TLS 1.2 (or not TLS at all: plain XML after <proceed/>?)";
        return XMPP_ERR_TLS;
    case BR_ERR_BAD_VERSION:
        *msg = "a record with another protocol version than the one negotiated";
        return XMPP_ERR_TLS;
    case BR_ERR_BAD_LENGTH: case BR_ERR_UNKNOWN_TYPE:
        *msg = "bad record: wrong length or unknown type (not TLS?)";
        return XMPP_ERR_TLS;
    case BR_ERR_BAD_CIPHER_SUITE:
        *msg = "the server chose a cipher suite we did not offer";
        return XMPP_ERR_TLS;
    case BR_ERR_BAD_FRAGLEN:
        *msg = "the server answered max_fragment_length with another length";
        return XMPP_ERR_TLS;
    case BR_ERR_BAD_SIGNATURE:
        *msg = "the server's key exchange signature does not verify";
        return XMPP_ERR_TLS;
    case BR_ERR_WRONG_KEY_USAGE:
        *msg = "the server's certificate key does not fit the chosen cipher suite";
        return XMPP_ERR_TLS;
    case BR_ERR_NO_RANDOM:
        *msg = "no entropy: BearSSL has no OS source here; give config.rng";
        return XMPP_ERR_TLS;
    case BR_ERR_BAD_PARAM:
        *msg = "BearSSL refused a parameter (buffer size or client key)";
        return XMPP_ERR_INVALID;
    default:
        if (e >= BR_ERR_X509_OK && e < 64) {
            *msg = "malformed certificate in the server's chain";
            return XMPP_ERR_TLS_UNTRUSTED;
        }
        *msg = "TLS handshake or record failure (unexpected message from the peer)";
        return XMPP_ERR_TLS;
    }
}

/* Read the engine after it may have moved. */
static void xmpp__tb_sync(xmpp_tls_bearssl *b)
{
    unsigned st;
    int e;
    if (b->status == XMPP_TLS_IDLE || b->status == XMPP_TLS_FAILED) return;
    st = br_ssl_engine_current_state(&b->cc.eng);
    e = br_ssl_engine_last_error(&b->cc.eng);
    if (e != BR_ERR_OK) {
        const char *msg = "";
        xmpp_err code = xmpp__tb_map(e, &msg);
        xmpp__tb_fail(b, code, msg);
        return;
    }
    if (st & BR_SSL_CLOSED) {
        if (b->status == XMPP_TLS_HANDSHAKING && !b->closing)
            xmpp__tb_fail(b, XMPP_ERR_TLS_CLOSED, "the peer closed TLS (close_notify) during the handshake");
        else
            b->status = XMPP_TLS_CLOSED;
        return;
    }
    if (b->status == XMPP_TLS_HANDSHAKING && (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)))
        b->status = XMPP_TLS_OPEN;
}

/* ---- tls-server-end-point (RFC 5929 §4.1) */

/* Read a DER header at p[*i] with the given tag; *len gets the content length, *i moves
   to the content. 0 if it does not fit in n bytes or is not that tag. */
static int xmpp__der(const unsigned char *p, size_t n, size_t *i, unsigned tag, size_t *len)
{
    size_t k, l;
    if (*i + 2 > n || p[*i] != tag) return 0;
    l = p[*i + 1];
    *i += 2;
    if (l & 0x80) {
        k = l & 0x7F;
        if (k < 1 || k > 3 || *i + k > n) return 0;
        for (l = 0; k; k--) l = l << 8 | p[(*i)++];
    }
    *len = l;
    return 1;
}

/* The hash for tls-server-end-point from the first bytes of a certificate: the signature
   algorithm's hash, SHA-256 for MD5 and SHA-1; NULL when undefined (RSASSA-PSS, EdDSA,
   unknown). */
static const br_hash_class *xmpp__tb_cert_hash(const unsigned char *p, size_t n)
{
    /* OID contents: 1.2.840.10045.4.1 ecdsa-with-SHA1, 1.2.840.10045.4.3.x ecdsa-with-SHA2,
       1.2.840.113549.1.1.x PKCS#1 v1.5 (4 MD5, 5 SHA-1, 11-14 SHA-256/384/512/224) */
    static const unsigned char ec1[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01 };
    static const unsigned char ec2[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03 };
    static const unsigned char rsa[] = { 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01 };
    size_t i = 0, len = 0;
    const unsigned char *o;
    if (!xmpp__der(p, n, &i, 0x30, &len) || !xmpp__der(p, n, &i, 0x30, &len)) return NULL;
    if (i < n && p[i] == 0xA0) {                       /* [0] version */
        if (!xmpp__der(p, n, &i, 0xA0, &len)) return NULL;
        i += len;
    }
    if (!xmpp__der(p, n, &i, 0x02, &len)) return NULL; /* serialNumber */
    i += len;
    if (!xmpp__der(p, n, &i, 0x30, &len) || !xmpp__der(p, n, &i, 0x06, &len) || i + len > n)
        return NULL;
    o = p + i;
    if (len == sizeof ec1 && XMPP_MEMCMP(o, ec1, len) == 0) return &br_sha256_vtable;
    if (len == sizeof ec2 + 1 && XMPP_MEMCMP(o, ec2, sizeof ec2) == 0) {
        switch (o[sizeof ec2]) {
        case 1: return &br_sha224_vtable;
        case 2: return &br_sha256_vtable;
        case 3: return &br_sha384_vtable;
        case 4: return &br_sha512_vtable;
        default: return NULL;
        }
    }
    if (len == sizeof rsa + 1 && XMPP_MEMCMP(o, rsa, sizeof rsa) == 0) {
        switch (o[sizeof rsa]) {
        case 4: case 5: case 11: return &br_sha256_vtable;
        case 12: return &br_sha384_vtable;
        case 13: return &br_sha512_vtable;
        case 14: return &br_sha224_vtable;
        default: return NULL;
        }
    }
    return NULL;
}

static void xmpp__tb_hash_begin(xmpp_tls_bearssl *b)
{
    b->hash_class = xmpp__tb_cert_hash(b->head, b->nhead);
    if (!b->hash_class) return;
    b->hash_class->init(&b->hash.vtable);
    b->hash_class->update(&b->hash.vtable, b->head, b->nhead);
}

static void xmpp__tb_ee_bytes(xmpp_tls_bearssl *b, const unsigned char *p, size_t n)
{
    if (b->cfg.cert && b->cert_len <= b->cfg.cert_size && b->cert_pos + n <= b->cert_len)
        XMPP_MEMCPY(b->cfg.cert + b->cert_pos, p, n);
    b->cert_pos += (uint32_t)n;
    while (n && b->nhead < sizeof b->head) {
        b->head[b->nhead++] = *p++;
        n--;
        if (b->nhead == sizeof b->head) xmpp__tb_hash_begin(b);
    }
    if (n && b->hash_class) b->hash_class->update(&b->hash.vtable, p, n);
}

/* ---- the X.509 wrapper BearSSL calls (b->xclass) */

static xmpp_tls_bearssl *xmpp__tbx(const br_x509_class *const *ctx)
{
    return (xmpp_tls_bearssl *)(void *)((char *)(uintptr_t)ctx - offsetof(xmpp_tls_bearssl, xclass));
}
static int xmpp__tb_verify(const xmpp_tls_bearssl *b)
{
    return !(b->cfg.flags & XMPP_TLS_INSECURE_NO_VERIFY);
}
static void xmpp__tbx_start_chain(const br_x509_class **ctx, const char *server_name)
{
    xmpp_tls_bearssl *b = xmpp__tbx(ctx);
    b->ncert = b->cert_len = b->cert_pos = 0;
    b->nhead = b->end_point_len = 0;
    b->got_cert = 0;
    b->hash_class = NULL;
    if (xmpp__tb_verify(b)) b->xv.minimal.vtable->start_chain(&b->xv.minimal.vtable, server_name);
    else br_x509_decoder_init(&b->xv.decoder, 0, 0);
}
static void xmpp__tbx_start_cert(const br_x509_class **ctx, uint32_t length)
{
    xmpp_tls_bearssl *b = xmpp__tbx(ctx);
    if (b->ncert == 0) b->cert_len = length;
    if (xmpp__tb_verify(b)) b->xv.minimal.vtable->start_cert(&b->xv.minimal.vtable, length);
}
static void xmpp__tbx_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    xmpp_tls_bearssl *b = xmpp__tbx(ctx);
    if (b->ncert == 0) {
        xmpp__tb_ee_bytes(b, buf, len);
        if (!xmpp__tb_verify(b)) br_x509_decoder_push(&b->xv.decoder, buf, len);
    }
    if (xmpp__tb_verify(b)) b->xv.minimal.vtable->append(&b->xv.minimal.vtable, buf, len);
}
static void xmpp__tbx_end_cert(const br_x509_class **ctx)
{
    xmpp_tls_bearssl *b = xmpp__tbx(ctx);
    if (b->ncert == 0) {
        if (b->nhead < sizeof b->head) xmpp__tb_hash_begin(b);   /* a certificate under 64 bytes */
        if (b->hash_class) {
            b->hash_class->out(&b->hash.vtable, b->end_point);
            b->end_point_len = b->hash_class->desc >> BR_HASHDESC_OUT_OFF & BR_HASHDESC_OUT_MASK;
        }
        b->got_cert = 1;
    }
    b->ncert++;
    if (xmpp__tb_verify(b)) b->xv.minimal.vtable->end_cert(&b->xv.minimal.vtable);
}
static unsigned xmpp__tbx_end_chain(const br_x509_class **ctx)
{
    xmpp_tls_bearssl *b = xmpp__tbx(ctx);
    int e;
    if (xmpp__tb_verify(b)) return b->xv.minimal.vtable->end_chain(&b->xv.minimal.vtable);
    if (!b->ncert) return BR_ERR_X509_EMPTY_CHAIN;
    e = br_x509_decoder_last_error(&b->xv.decoder);
    return e ? (unsigned)e : 0;
}
static const br_x509_pkey *xmpp__tbx_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    xmpp_tls_bearssl *b = xmpp__tbx(ctx);
    if (xmpp__tb_verify(b)) return b->xv.minimal.vtable->get_pkey(&b->xv.minimal.vtable, usages);
    if (usages) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    return br_x509_decoder_get_pkey(&b->xv.decoder);
}
static const br_x509_class xmpp__tbx_class = {
    sizeof(xmpp_tls_bearssl), xmpp__tbx_start_chain, xmpp__tbx_start_cert, xmpp__tbx_append,
    xmpp__tbx_end_cert, xmpp__tbx_end_chain, xmpp__tbx_get_pkey
};

/* ---- the hook */

static void xmpp__tb_engine(xmpp_tls_bearssl *b)
{
    static const uint16_t suites[] = {   /* our preference; servers usually pick their own */
        BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    };
    static const br_hash_class *const hashes[] = {
        &br_sha1_vtable, &br_sha224_vtable, &br_sha256_vtable, &br_sha384_vtable, &br_sha512_vtable
    };
    br_ssl_engine_context *eng = &b->cc.eng;
    size_t i;
    br_ssl_client_zero(&b->cc);
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(eng, suites, sizeof suites / sizeof suites[0]);
    for (i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
        int id = (int)(hashes[i]->desc >> BR_HASHDESC_ID_OFF & BR_HASHDESC_ID_MASK);
        br_ssl_engine_set_hash(eng, id, hashes[i]);
        if (xmpp__tb_verify(b)) br_x509_minimal_set_hash(&b->xv.minimal, id, hashes[i]);
    }
    br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
    br_ssl_engine_set_default_aes_gcm(eng);
    br_ssl_engine_set_default_chapol(eng);
    br_ssl_engine_set_default_ec(eng);
    br_ssl_engine_set_default_ecdsa(eng);
    br_ssl_engine_set_default_rsavrfy(eng);
    br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
}

static void xmpp__tb_buffers(xmpp_tls_bearssl *b)
{
    unsigned k;
    size_t in;
    if (!b->bidi) { br_ssl_engine_set_buffer(&b->cc.eng, b->buf, b->size, 0); return; }
    for (k = 14; k > 9; k--)
        if (k != 13 && b->size >= XMPP_TLS_BUF_SIZE(k, 1)) break;
    in = ((size_t)1 << k) + 325;
    br_ssl_engine_set_buffers_bidi(&b->cc.eng, b->buf, in, b->buf + in, b->size - in);
}

static xmpp_err xmpp__tb_start(xmpp_tls *t, const char *server_name, const char *alpn)
{
    xmpp_tls_bearssl *b = XMPP__TB(t);
    size_t nl = server_name ? XMPP_STRLEN(server_name) : 0, al = alpn ? XMPP_STRLEN(alpn) : 0;
    if (!b->buf) return XMPP_ERR_INVALID;      /* init failed: its error stays */
    b->status = XMPP_TLS_IDLE;
    b->err.code = XMPP_OK;
    b->err.message = "no error";
    b->err.offset = 0;
    b->closing = b->got_cert = 0;
    b->nhead = b->end_point_len = 0;
    b->ncert = b->cert_len = b->cert_pos = 0;
    if ((xmpp__tb_verify(b) && nl == 0) || nl > 255) {
        xmpp__tb_fail(b, XMPP_ERR_INVALID, nl ? "server name longer than 255 bytes" :
                      "no server name: it is needed to verify the certificate");
        return XMPP_ERR_INVALID;
    }
    if (alpn && (al == 0 || al >= sizeof b->alpn)) {
        xmpp__tb_fail(b, XMPP_ERR_INVALID, "ALPN protocol name empty or too long");
        return XMPP_ERR_INVALID;
    }
    if (xmpp__tb_verify(b)) {
        br_x509_minimal_init(&b->xv.minimal, &br_sha256_vtable, b->cfg.anchors, b->cfg.nanchors);
        br_x509_minimal_set_rsa(&b->xv.minimal, br_rsa_pkcs1_vrfy_get_default());
        br_x509_minimal_set_ecdsa(&b->xv.minimal, br_ec_get_default(), br_ecdsa_vrfy_asn1_get_default());
        if (b->cfg.now) {
            /* BearSSL counts days from 1 January of year 0 (proleptic Gregorian): 719528
               days before 1970-01-01 */
            int64_t days = b->cfg.now / 86400, secs = b->cfg.now % 86400;
            if (secs < 0) { secs += 86400; days--; }
            br_x509_minimal_set_time(&b->xv.minimal, (uint32_t)(days + 719528), (uint32_t)secs);
        }
    }
    xmpp__tb_engine(b);
    b->xclass = &xmpp__tbx_class;
    br_ssl_engine_set_x509(&b->cc.eng, &b->xclass);
    if (alpn) {
        XMPP_MEMCPY(b->alpn, alpn, al + 1);
        b->alpn_names[0] = b->alpn;
        br_ssl_engine_set_protocol_names(&b->cc.eng, b->alpn_names, 1);
    }
    if (b->cfg.chain && b->cfg.key) {
        if (b->cfg.key->type == BR_KEYTYPE_EC)
            br_ssl_client_set_single_ec(&b->cc, b->cfg.chain, b->cfg.nchain, &b->cfg.key->k.ec,
                                        BR_KEYTYPE_SIGN, BR_KEYTYPE_EC, br_ec_get_default(),
                                        br_ecdsa_sign_asn1_get_default());
        else
            br_ssl_client_set_single_rsa(&b->cc, b->cfg.chain, b->cfg.nchain, &b->cfg.key->k.rsa,
                                         br_rsa_pkcs1_sign_get_default());
    }
    xmpp__tb_buffers(b);
    if (b->cfg.rng) {
        unsigned char seed[32];
        b->cfg.rng(b->cfg.rng_ctx, seed, sizeof seed);
        br_ssl_engine_inject_entropy(&b->cc.eng, seed, sizeof seed);
        XMPP_MEMSET(seed, 0, sizeof seed);
    }
    b->status = XMPP_TLS_HANDSHAKING;
    if (!br_ssl_client_reset(&b->cc, nl ? server_name : NULL, 0) &&
        br_ssl_engine_last_error(&b->cc.eng) == BR_ERR_OK)
        xmpp__tb_fail(b, XMPP_ERR_TLS, "BearSSL could not start the handshake");
    xmpp__tb_sync(b);
    return b->status == XMPP_TLS_FAILED ? b->err.code : XMPP_OK;
}

static xmpp_err xmpp__tb_feed(xmpp_tls *t, const unsigned char *data, size_t len, size_t *used)
{
    xmpp_tls_bearssl *b = XMPP__TB(t);
    *used = 0;
    if (b->status == XMPP_TLS_FAILED) return b->err.code;
    if (b->status == XMPP_TLS_IDLE) return XMPP_ERR_INVALID;
    if (b->status == XMPP_TLS_CLOSED) { *used = len; return XMPP_OK; }   /* after the end: dropped */
    while (*used < len) {
        size_t n, k;
        unsigned char *p;
        if (!(br_ssl_engine_current_state(&b->cc.eng) & BR_SSL_RECVREC)) break;
        if (!(p = br_ssl_engine_recvrec_buf(&b->cc.eng, &n)) || !n) break;
        k = n < len - *used ? n : len - *used;
        XMPP_MEMCPY(p, data + *used, k);
        br_ssl_engine_recvrec_ack(&b->cc.eng, k);
        *used += k;
        xmpp__tb_sync(b);
        if (b->status == XMPP_TLS_FAILED || b->status == XMPP_TLS_CLOSED) break;
    }
    xmpp__tb_sync(b);
    return b->status == XMPP_TLS_FAILED ? b->err.code : XMPP_OK;
}

static xmpp_err xmpp__tb_eof(xmpp_tls *t)
{
    xmpp_tls_bearssl *b = XMPP__TB(t);
    xmpp__tb_sync(b);
    switch (b->status) {
    case XMPP_TLS_HANDSHAKING:
        xmpp__tb_fail(b, XMPP_ERR_TLS_CLOSED, "the peer closed the connection during the TLS handshake");
        break;
    case XMPP_TLS_OPEN:
        b->status = XMPP_TLS_CLOSED;
        if (!b->closing) {
            b->err.code = XMPP_ERR_TLS_CLOSED;
            b->err.message = "the connection closed without a TLS close_notify (truncation cannot "
                             "be excluded; </stream:stream> tells whether the stream ended)";
        }
        break;
    default:
        break;
    }
    return b->err.code;
}

static const unsigned char *xmpp__tb_output(xmpp_tls *t, size_t *len)
{
    xmpp_tls_bearssl *b = XMPP__TB(t);
    unsigned char *p;
    *len = 0;
    if (b->status == XMPP_TLS_IDLE) return NULL;
    /* also after a failure: BearSSL may still have an alert to send */
    p = br_ssl_engine_sendrec_buf(&b->cc.eng, len);
    if (!p || !*len) { *len = 0; return NULL; }
    return p;
}

static void xmpp__tb_output_ack(xmpp_tls *t, size_t n)
{
    xmpp_tls_bearssl *b = XMPP__TB(t);
    if (b->status == XMPP_TLS_IDLE || !n) return;
    br_ssl_engine_sendrec_ack(&b->cc.eng, n);
    xmpp__tb_sync(b);
}

static xmpp_err xmpp__tb_write(xmpp_tls *t, const unsigned char *data, size_t len, size_t *used)
{
    xmpp_tls_bearssl *b = XMPP__TB(t);
    *used = 0;
    if (b->status == XMPP_TLS_FAILED) return b->err.code;
    if (b->status == XMPP_TLS_IDLE || b->status == XMPP_TLS_CLOSED || b->closing) return XMPP_ERR_INVALID;
    while (*used < len) {
        size_t n, k;
        unsigned char *p = br_ssl_engine_sendapp_buf(&b->cc.eng, &n);
        if (!p || !n) break;
        k = n < len - *used ? n : len - *used;
        XMPP_MEMCPY(p, data + *used, k);
        br_ssl_engine_sendapp_ack(&b->cc.eng, k);
        *used += k;
    }
    if (*used) br_ssl_engine_flush(&b->cc.eng, 0);
    xmpp__tb_sync(b);
    return b->status == XMPP_TLS_FAILED ? b->err.code : XMPP_OK;
}

static const unsigned char *xmpp__tb_read(xmpp_tls *t, size_t *len)
{
    xmpp_tls_bearssl *b = XMPP__TB(t);
    unsigned char *p;
    *len = 0;
    if (b->status == XMPP_TLS_IDLE) return NULL;
    p = br_ssl_engine_recvapp_buf(&b->cc.eng, len);
    if (!p || !*len) { *len = 0; return NULL; }
    return p;
}

static void xmpp__tb_read_ack(xmpp_tls *t, size_t n)
{
    xmpp_tls_bearssl *b = XMPP__TB(t);
    if (b->status == XMPP_TLS_IDLE || !n) return;
    br_ssl_engine_recvapp_ack(&b->cc.eng, n);
    xmpp__tb_sync(b);
}

static void xmpp__tb_close(xmpp_tls *t)
{
    xmpp_tls_bearssl *b = XMPP__TB(t);
    if (b->status != XMPP_TLS_HANDSHAKING && b->status != XMPP_TLS_OPEN) return;
    b->closing = 1;
    br_ssl_engine_close(&b->cc.eng);
    xmpp__tb_sync(b);
}

static xmpp_tls_status xmpp__tb_state(xmpp_tls *t)
{
    return XMPP__TB(t)->status;
}

static const xmpp_errinfo *xmpp__tb_error(xmpp_tls *t)
{
    return &XMPP__TB(t)->err;
}

static xmpp_err xmpp__tb_peer_cert(xmpp_tls *t, const unsigned char **der, size_t *len)
{
    xmpp_tls_bearssl *b = XMPP__TB(t);
    *der = NULL;
    *len = 0;
    if (!b->got_cert) return XMPP_AGAIN;
    *len = b->cert_len;
    if (!b->cfg.cert || b->cert_len > b->cfg.cert_size) return XMPP_ERR_NOSPACE;
    *der = b->cfg.cert;
    return XMPP_OK;
}

static xmpp_err xmpp__tb_channel_binding(xmpp_tls *t, xmpp_tls_cb type, unsigned char *out,
                                         size_t size, size_t *len)
{
    xmpp_tls_bearssl *b = XMPP__TB(t);
    const unsigned char *src;
    size_t n;
    *len = 0;
    if (b->status == XMPP_TLS_IDLE || b->status == XMPP_TLS_HANDSHAKING) return XMPP_AGAIN;
    if (b->status != XMPP_TLS_OPEN) return XMPP_ERR_INVALID;
    switch (type) {
    case XMPP_TLS_CB_SERVER_END_POINT:
        if (!b->end_point_len) return XMPP_ERR_INVALID;   /* no single hash in the signature */
        src = b->end_point;
        n = b->end_point_len;
        break;
    case XMPP_TLS_CB_UNIQUE:
        /* BearSSL keeps the verify_data of both Finished messages of the last handshake,
           client's first (bearssl_ssl.h, br_ssl_engine_context.saved_finished). Every
           handshake here is a full one, where the client's Finished is the first one
           (RFC 5929 §3.1). Read from the engine: BearSSL 0.6 has no accessor. */
        src = b->cc.eng.saved_finished;
        n = 12;
        break;
    default:
        return XMPP_ERR_INVALID;   /* tls-exporter: BearSSL 0.6 has no extended master secret */
    }
    *len = n;
    if (size < n) return XMPP_ERR_NOSPACE;
    XMPP_MEMCPY(out, src, n);
    return XMPP_OK;
}

static const xmpp_tls_class xmpp__tb_class = {
    xmpp__tb_start, xmpp__tb_feed, xmpp__tb_eof, xmpp__tb_output, xmpp__tb_output_ack,
    xmpp__tb_write, xmpp__tb_read, xmpp__tb_read_ack, xmpp__tb_close, xmpp__tb_state,
    xmpp__tb_error, xmpp__tb_peer_cert, xmpp__tb_channel_binding
};

XMPPDEF xmpp_err xmpp_tls_bearssl_init(xmpp_tls_bearssl *b, const xmpp_tls_bearssl_config *cfg,
                                       void *buf, size_t size, int bidi)
{
    const char *why = NULL;
    XMPP_MEMSET(b, 0, sizeof *b);
    b->tls.vt = &xmpp__tb_class;
    b->err.message = "no error";
    if (cfg) b->cfg = *cfg;
    b->bidi = bidi != 0;
    if (!buf || size < XMPP_TLS_BUF_SIZE(9, b->bidi))
        why = "TLS buffer smaller than XMPP_TLS_BUF_SIZE(9, bidi)";
    else if (xmpp__tb_verify(b) && (!b->cfg.anchors || !b->cfg.nanchors))
        why = "no trust anchors (give config.anchors; XMPP_TLS_INSECURE_NO_VERIFY turns verification off)";
    else if ((b->cfg.chain && b->cfg.nchain) != (b->cfg.key && b->cfg.key->type))
        why = "a client certificate chain needs its key, and a key its chain";
    else if (b->cfg.key && b->cfg.key->type != BR_KEYTYPE_EC && b->cfg.key->type != BR_KEYTYPE_RSA)
        why = "client key type is neither RSA nor EC";
    if (why) {
        xmpp__tb_fail(b, XMPP_ERR_INVALID, why);
        return XMPP_ERR_INVALID;
    }
    b->buf = (unsigned char *)buf;
    b->size = size;
    return XMPP_OK;
}

XMPPDEF unsigned xmpp_tls_bearssl_suite(const xmpp_tls_bearssl *b)
{
    return b->status == XMPP_TLS_OPEN || b->status == XMPP_TLS_CLOSED ? b->cc.eng.session.cipher_suite : 0;
}

XMPPDEF int xmpp_tls_bearssl_last_error(const xmpp_tls_bearssl *b)
{
    return br_ssl_engine_last_error(&b->cc.eng);
}

XMPPDEF unsigned xmpp_tls_bearssl_version(const xmpp_tls_bearssl *b)
{
    return b->status == XMPP_TLS_OPEN || b->status == XMPP_TLS_CLOSED ? br_ssl_engine_get_version(&b->cc.eng) : 0;
}

/* ---- PEM and DER into caller storage */

typedef struct xmpp__tb_sink {
    unsigned char *p;
    size_t size, pos;     /* pos counts on past size, to tell the size needed */
} xmpp__tb_sink;

static void xmpp__tb_put(void *ctx, const void *src, size_t n)
{
    xmpp__tb_sink *s = (xmpp__tb_sink *)ctx;
    if (n && s->pos <= s->size && n <= s->size - s->pos) XMPP_MEMCPY(s->p + s->pos, src, n);
    s->pos += n;
}

/* A list being decoded: anchors or certificates, the storage, the object in progress. */
typedef struct xmpp__tb_list {
    xmpp__tb_sink sink;
    void *out;
    size_t max, count, start;
    int over;
    br_x509_decoder_context *dc;      /* anchors: decodes as the PEM decoder goes */
} xmpp__tb_list;

static void xmpp__tb_begin(xmpp__tb_list *l)
{
    l->start = l->sink.pos;
    if (l->dc) br_x509_decoder_init(l->dc, xmpp__tb_put, &l->sink);   /* the DN goes to store */
}

static void xmpp__tb_dest(void *ctx, const void *src, size_t n)
{
    xmpp__tb_list *l = (xmpp__tb_list *)ctx;
    if (l->dc) br_x509_decoder_push(l->dc, src, n);
    else xmpp__tb_put(&l->sink, src, n);
}

static xmpp_err xmpp__tb_end(xmpp__tb_list *l, const char **why)
{
    xmpp__tb_sink *s = &l->sink;
    int room = l->count < l->max;   /* then out and store are there (a sizing pass: NULL) */
    if (!l->dc) {                                    /* a certificate: its DER stays */
        if (room && s->pos <= s->size) {
            br_x509_certificate *c = (br_x509_certificate *)l->out + l->count;
            c->data = s->p + l->start;
            c->data_len = s->pos - l->start;
        } else {
            l->over = 1;
        }
    } else {                                         /* an anchor: DN, then the key */
        br_x509_pkey *pk;
        size_t keypos = s->pos;
        if (br_x509_decoder_last_error(l->dc) || !(pk = br_x509_decoder_get_pkey(l->dc))) {
            *why = "malformed or unsupported certificate (BearSSL's X.509 decoder refused it)";
            return XMPP_ERR_INVALID;
        }
        if (pk->key_type == BR_KEYTYPE_RSA) {
            xmpp__tb_put(s, pk->key.rsa.n, pk->key.rsa.nlen);
            xmpp__tb_put(s, pk->key.rsa.e, pk->key.rsa.elen);
        } else {
            xmpp__tb_put(s, pk->key.ec.q, pk->key.ec.qlen);
        }
        if (room && s->pos <= s->size) {
            br_x509_trust_anchor *ta = (br_x509_trust_anchor *)l->out + l->count;
            ta->dn.data = s->p + l->start;
            ta->dn.len = keypos - l->start;
            ta->flags = br_x509_decoder_isCA(l->dc) ? BR_X509_TA_CA : 0;
            ta->pkey.key_type = pk->key_type;
            if (pk->key_type == BR_KEYTYPE_RSA) {
                ta->pkey.key.rsa.n = s->p + keypos;
                ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
                ta->pkey.key.rsa.e = s->p + keypos + pk->key.rsa.nlen;
                ta->pkey.key.rsa.elen = pk->key.rsa.elen;
            } else {
                ta->pkey.key.ec.curve = pk->key.ec.curve;
                ta->pkey.key.ec.q = s->p + keypos;
                ta->pkey.key.ec.qlen = pk->key.ec.qlen;
            }
        } else {
            l->over = 1;
        }
    }
    l->count++;
    return XMPP_OK;
}

/* name is one of the list's names (see xmpp__nth; the list ends with an empty one) */
static int xmpp__tb_name_in(const char *name, const char *names)
{
    size_t n = XMPP_STRLEN(name), k;
    for (; *names; names += k + 1) {
        k = XMPP_STRLEN(names);
        if (k == n && XMPP_MEMCMP(name, names, n) == 0) return 1;
    }
    return 0;
}

/* DER rather than PEM: one SEQUENCE that is the whole input (PEM text may start with any
   explanatory text, RFC 7468 §2, a '0' too). */
static int xmpp__tb_is_der(const char *p, size_t n)
{
    size_t i = 0, l;
    return xmpp__der((const unsigned char *)p, n, &i, 0x30, &l) && i + l == n;
}

/* Each "CERTIFICATE" object of PEM text, or one DER certificate, through l. */
static xmpp_err xmpp__tb_pem(const char *pem, size_t len, xmpp__tb_list *l, const char **why)
{
    static const char names[] = "CERTIFICATE\0X509 CERTIFICATE\0";
    br_pem_decoder_context pc;
    size_t off = 0;
    int inobj = 0, keep = 0, seen = 0, tail = 0;
    xmpp_err r;
    if (xmpp__tb_is_der(pem, len)) {      /* DER: one object */
        xmpp__tb_begin(l);
        xmpp__tb_dest(l, pem, len);
        return xmpp__tb_end(l, why);
    }
    br_pem_decoder_init(&pc);
    for (;;) {
        int ev;
        if (off < len) off += br_pem_decoder_push(&pc, pem + off, len - off);
        else if (!tail) { br_pem_decoder_push(&pc, "\n", 1); tail = 1; }   /* a last line without its newline */
        ev = br_pem_decoder_event(&pc);
        if (ev == BR_PEM_BEGIN_OBJ) {
            keep = xmpp__tb_name_in(br_pem_decoder_name(&pc), names);
            if (keep) xmpp__tb_begin(l);
            br_pem_decoder_setdest(&pc, keep ? xmpp__tb_dest : 0, l);
            inobj = 1;
        } else if (ev == BR_PEM_END_OBJ) {
            inobj = 0;
            if (keep) {
                seen = 1;
                if ((r = xmpp__tb_end(l, why)) != XMPP_OK) return r;
            }
        } else if (ev == BR_PEM_ERROR) {
            *why = "malformed PEM";
            return XMPP_ERR_INVALID;
        } else if (tail) {
            break;
        }
    }
    if (inobj) { *why = "PEM object without its END line"; return XMPP_ERR_INVALID; }
    if (!seen) { *why = "no PEM object of the expected kind"; return XMPP_ERR_INVALID; }
    return XMPP_OK;
}

static xmpp_err xmpp__tb_list_run(const char *pem, size_t len, void *out, size_t max, size_t *count,
                                  unsigned char *store, size_t size, size_t *used, const char **why,
                                  br_x509_decoder_context *dc)
{
    xmpp__tb_list l;
    const char *w = NULL;
    xmpp_err r;
    l.sink.p = store; l.sink.size = store ? size : 0; l.sink.pos = 0;
    l.out = out; l.max = out ? max : 0; l.count = l.start = 0; l.over = 0;
    l.dc = dc;
    r = xmpp__tb_pem(pem, len, &l, &w);
    if (count) *count = l.count < l.max ? l.count : l.max;
    if (used) *used = l.sink.pos;
    if (r == XMPP_OK && l.over) { r = XMPP_ERR_NOSPACE; w = "too many certificates or too little storage"; }
    if (why) *why = w ? w : "no error";
    return r;
}

XMPPDEF xmpp_err xmpp_tls_bearssl_anchors(const char *pem, size_t len, br_x509_trust_anchor *out,
                                          size_t max, size_t *count, unsigned char *store,
                                          size_t size, size_t *used, const char **why)
{
    br_x509_decoder_context dc;
    return xmpp__tb_list_run(pem, len, out, max, count, store, size, used, why, &dc);
}

XMPPDEF xmpp_err xmpp_tls_bearssl_certs(const char *pem, size_t len, br_x509_certificate *out,
                                        size_t max, size_t *count, unsigned char *store,
                                        size_t size, size_t *used, const char **why)
{
    return xmpp__tb_list_run(pem, len, out, max, count, store, size, used, why, NULL);
}

static void xmpp__tb_skey_put(void *ctx, const void *src, size_t n)
{
    br_skey_decoder_push((br_skey_decoder_context *)ctx, src, n);
}

XMPPDEF xmpp_err xmpp_tls_bearssl_key_decode(xmpp_tls_bearssl_key *key, const char *pem, size_t len,
                                      unsigned char *store, size_t size, size_t *used,
                                      const char **why)
{
    static const char names[] = "EC PRIVATE KEY\0RSA PRIVATE KEY\0PRIVATE KEY\0";
    br_skey_decoder_context dc;
    br_pem_decoder_context pc;
    xmpp__tb_sink s;
    size_t off = 0;
    int ev, found = 0, keep = 0, tail = 0;
    const char *w = "no error";
    xmpp_err r = XMPP_OK;
    XMPP_MEMSET(key, 0, sizeof *key);
    s.p = store; s.size = store ? size : 0; s.pos = 0;
    br_skey_decoder_init(&dc);
    if (xmpp__tb_is_der(pem, len)) {
        br_skey_decoder_push(&dc, pem, len);
        found = 1;
    } else {
        br_pem_decoder_init(&pc);
        while (!found) {
            if (off < len) off += br_pem_decoder_push(&pc, pem + off, len - off);
            else if (!tail) { br_pem_decoder_push(&pc, "\n", 1); tail = 1; }
            ev = br_pem_decoder_event(&pc);
            if (ev == BR_PEM_BEGIN_OBJ) {
                keep = xmpp__tb_name_in(br_pem_decoder_name(&pc), names);
                br_pem_decoder_setdest(&pc, keep ? xmpp__tb_skey_put : 0, &dc);
            } else if (ev == BR_PEM_END_OBJ) {
                found = keep;
            } else if (ev == BR_PEM_ERROR) {
                w = "malformed PEM";
                r = XMPP_ERR_INVALID;
                break;
            } else if (tail) {
                break;
            }
        }
    }
    if (r == XMPP_OK && !found) { w = "no private key (EC, RSA or PKCS#8) found"; r = XMPP_ERR_INVALID; }
    if (r == XMPP_OK && br_skey_decoder_last_error(&dc)) {
        w = "malformed or unsupported private key (encrypted keys are not supported)";
        r = XMPP_ERR_INVALID;
    }
    if (r == XMPP_OK) {
        const br_ec_private_key *ec = br_skey_decoder_get_ec(&dc);
        const br_rsa_private_key *rsa = br_skey_decoder_get_rsa(&dc);
        if (ec) {
            xmpp__tb_put(&s, ec->x, ec->xlen);
            if (s.pos <= s.size) {
                key->type = BR_KEYTYPE_EC;
                key->k.ec.curve = ec->curve;
                key->k.ec.x = store;
                key->k.ec.xlen = ec->xlen;
            }
        } else if (rsa) {
            unsigned char *base = store;
            xmpp__tb_put(&s, rsa->p, rsa->plen);
            xmpp__tb_put(&s, rsa->q, rsa->qlen);
            xmpp__tb_put(&s, rsa->dp, rsa->dplen);
            xmpp__tb_put(&s, rsa->dq, rsa->dqlen);
            xmpp__tb_put(&s, rsa->iq, rsa->iqlen);
            if (s.pos <= s.size) {
                key->type = BR_KEYTYPE_RSA;
                key->k.rsa.n_bitlen = rsa->n_bitlen;
                key->k.rsa.p = base; base += rsa->plen; key->k.rsa.plen = rsa->plen;
                key->k.rsa.q = base; base += rsa->qlen; key->k.rsa.qlen = rsa->qlen;
                key->k.rsa.dp = base; base += rsa->dplen; key->k.rsa.dplen = rsa->dplen;
                key->k.rsa.dq = base; base += rsa->dqlen; key->k.rsa.dqlen = rsa->dqlen;
                key->k.rsa.iq = base; key->k.rsa.iqlen = rsa->iqlen;
            }
        } else {
            w = "unsupported private key type";
            r = XMPP_ERR_INVALID;
        }
        if (r == XMPP_OK && s.pos > s.size) { w = "key storage too small"; r = XMPP_ERR_NOSPACE; }
    }
    XMPP_MEMSET(&dc, 0, sizeof dc);      /* it held the private key */
    if (used) *used = s.pos;
    if (why) *why = w;
    return r;
}

#endif /* XMPP_BEARSSL */
/* ======================================================================== >>posix */
#ifdef XMPP_POSIX
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

XMPPDEF int xmpp_posix_connect(const char *host, unsigned port, int timeout_ms, const char **why)
{
    struct addrinfo hints, *res, *ai;
    char service[8];
    int fd = -1, r, i = 0;
    unsigned p = port;
    *why = "no address for the host";
    do { service[i++] = (char)('0' + p % 10); p /= 10; } while (p && i < 6);
    service[i] = '\0';
    for (r = 0; r < i / 2; r++) { char t = service[r]; service[r] = service[i - 1 - r]; service[i - 1 - r] = t; }
    XMPP_MEMSET(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, service, &hints, &res) != 0) return -1;
    for (ai = res; ai; ai = ai->ai_next) {   /* non-blocking connect, bounded by poll() */
        struct pollfd pf;
        int err = 0, flags;
        socklen_t len = sizeof err;
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) { *why = "socket() failed"; continue; }
        flags = fcntl(fd, F_GETFL, 0);
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        r = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (r < 0 && errno == EINPROGRESS) {
            pf.fd = fd;
            pf.events = POLLOUT;
            r = poll(&pf, 1, timeout_ms);
            if (r == 0) { *why = "connection timed out"; close(fd); fd = -1; continue; }
            if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) r = -1;
        }
        if (r < 0) { *why = "connection refused or unreachable"; close(fd); fd = -1; continue; }
        flags = 1;   /* TCP_NODELAY: see the API comment */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &flags, sizeof flags);
        /* and it stays non-blocking: no send() or recv() can hang the loop */
        *why = NULL;
        break;
    }
    freeaddrinfo(res);
    return fd;
}

/* "IPv4:PORT", "[IPv6]:PORT" or a bare address (port 53) into a socket address. */
static int xmpp__posix_addr(const char *s, struct sockaddr_storage *sa, socklen_t *len)
{
    char a[64];
    const char *colon = NULL, *h = s;
    size_t n = XMPP_STRLEN(s);
    unsigned long port = 53;
    struct sockaddr_in *v4 = (struct sockaddr_in *)(void *)sa;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)(void *)sa;
    if (s[0] == '[') {
        const char *e = strchr(s, ']');
        if (!e) return 0;
        h = s + 1;
        n = (size_t)(e - h);
        colon = e[1] == ':' ? e + 1 : NULL;
    } else if ((colon = strchr(s, ':')) != NULL && strchr(colon + 1, ':')) {
        colon = NULL;   /* a bare IPv6 address */
    } else if (colon) {
        n = (size_t)(colon - s);
    }
    if (colon && ((port = strtoul(colon + 1, NULL, 10)) == 0 || port > 65535)) return 0;
    if (n >= sizeof a) return 0;
    XMPP_MEMCPY(a, h, n);
    a[n] = '\0';
    XMPP_MEMSET(sa, 0, sizeof *sa);
    if (inet_pton(AF_INET, a, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
        return 1;
    }
    if (inet_pton(AF_INET6, a, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
        return 1;
    }
    return 0;
}

/* The resolver: XMPP_RESOLVER, else the first nameserver line of /etc/resolv.conf. */
static int xmpp__posix_resolver(struct sockaddr_storage *sa, socklen_t *len)
{
    char line[256];
    const char *env = getenv("XMPP_RESOLVER");
    FILE *f;
    int ok = 0;
    if (env && *env) return xmpp__posix_addr(env, sa, len);
    if (!(f = fopen("/etc/resolv.conf", "r"))) return 0;
    while (!ok && fgets(line, sizeof line, f)) {
        char *p = line, *e;
        if (strncmp(p, "nameserver", 10) != 0 || (p[10] != ' ' && p[10] != '\t')) continue;
        for (p += 10; *p == ' ' || *p == '\t'; p++) {}
        for (e = p; *e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r' && *e != '%'; e++) {}
        *e = '\0';
        ok = xmpp__posix_addr(p, sa, len);
    }
    fclose(f);
    return ok;
}

XMPPDEF xmpp_err xmpp_posix_resolve(const char *service, xmpp_str domain, xmpp_srv_target *out, size_t max,
                                    size_t *count, int timeout_ms, const char **why)
{
    struct sockaddr_storage sa;
    socklen_t salen;
    unsigned char q[300], a[4096];
    size_t qn;
    uint16_t id;
    int fd, tries;
    xmpp_err r = XMPP_ERR_TIMEOUT;
    *count = 0;
    *why = "no answer from the DNS resolver";
    if (!xmpp__posix_resolver(&sa, &salen)) { *why = "no DNS resolver (/etc/resolv.conf, XMPP_RESOLVER)"; return XMPP_ERR_INVALID; }
    xmpp_posix_random(NULL, (unsigned char *)&id, sizeof id);
    if (xmpp_srv_query(q, sizeof q, &qn, id, service, domain)) { *why = "not a valid domain for DNS"; return XMPP_ERR_INVALID; }
    if ((fd = socket(sa.ss_family, SOCK_DGRAM, 0)) < 0) { *why = "socket() failed"; return XMPP_ERR_INVALID; }
    if (connect(fd, (struct sockaddr *)&sa, salen) < 0) { close(fd); *why = "cannot reach the DNS resolver"; return XMPP_ERR_INVALID; }
    for (tries = 0; tries < 2 && r == XMPP_ERR_TIMEOUT; tries++) {
        uint64_t end = xmpp_posix_now_ms() + (uint64_t)timeout_ms;
        if (send(fd, q, qn, 0) != (ssize_t)qn) continue;
        for (;;) {   /* answers with another id are ignored (RFC 5452: spoofing; the
                        question is checked by xmpp_srv_parse) */
            struct pollfd pf;
            uint64_t now = xmpp_posix_now_ms();
            ssize_t n;
            if (now >= end) break;
            pf.fd = fd;
            pf.events = POLLIN;
            if (poll(&pf, 1, (int)(end - now)) <= 0) continue;
            if ((n = recv(fd, a, sizeof a, 0)) < 12 || xmpp__be16(a) != id) continue;
            r = xmpp_srv_parse(a, (size_t)n, q, qn, out, max, count);
            *why = r == XMPP_ERR_PROTOCOL ? "a DNS answer that cannot be used (malformed, truncated or a server failure)"
                 : r == XMPP_ERR_AUTH ? "the domain says it offers no such service (SRV target \".\")" : NULL;
            break;
        }
    }
    close(fd);
    if (r == XMPP_OK) xmpp_srv_order(out, *count, xmpp_posix_random, NULL);
    return r;
}

XMPPDEF int xmpp_posix_dial(const char *server, xmpp_str domain, unsigned default_port, int timeout_ms,
                            const char **why)
{
    char host[256];
    const char *h = server ? server : domain.p, *colon = NULL, *end;
    size_t n = server ? XMPP_STRLEN(server) : domain.n;
    unsigned port = default_port;
    if (server) {   /* HOST[:PORT], [V6]:PORT; a bare IPv6 literal has several ':' */
        const char *c1 = NULL, *p;
        int ncolon = 0;
        for (p = server; *p; p++) if (*p == ':') { ncolon++; c1 = p; }
        if (server[0] == '[' && (end = strchr(server, ']')) != NULL) {
            h = server + 1;
            n = (size_t)(end - h);
            colon = end[1] == ':' ? end + 1 : NULL;
        } else if (ncolon == 1) {
            colon = c1;
            n = (size_t)(c1 - server);
        }
        if (colon) {
            char *stop;
            unsigned long v = strtoul(colon + 1, &stop, 10);
            if (*stop || !v || v > 65535) { *why = "bad port (HOST:PORT)"; return -1; }
            port = (unsigned)v;
        }
    }
    if (!n || n >= sizeof host) { *why = "no host, or a host name too long"; return -1; }
    if (!server) {   /* RFC 6120 §3.2.1: SRV first */
        xmpp_srv_target t[8];
        size_t count = 0, i;
        int fd;
        xmpp_err r = xmpp_posix_resolve(default_port == 5223 ? "_xmpps-client._tcp" : "_xmpp-client._tcp", domain,
                                        t, 8, &count, 2000, why);
        if (r == XMPP_ERR_AUTH) return -1;
        for (i = 0; i < count; i++)
            if ((fd = xmpp_posix_connect(t[i].host, t[i].port, timeout_ms, why)) >= 0) return fd;
        if (count) return -1;   /* §3.2.1 step 6: no fallback once SRV records were found */
    }
    XMPP_MEMCPY(host, h, n);   /* §3.2.2: the domain itself */
    host[n] = '\0';
    return xmpp_posix_connect(host, port, timeout_ms, why);
}

XMPPDEF void xmpp_posix_random(void *ctx, unsigned char *buf, size_t n)
{
    (void)ctx;
    while (n) {
        ssize_t r = getrandom(buf, n, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) abort();   /* no randomness: no nonces */
        buf += r;
        n -= (size_t)r;
    }
}

XMPPDEF uint64_t xmpp_posix_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

XMPPDEF void xmpp_posix_io_init(xmpp_posix_io *io, int fd)
{
    io->fd = fd;
    io->off = io->len = 0;
}

/* Send the stream's output, waiting up to wait_ms for the socket to take it (a server that
   does not read fills it); what is left stays queued (WANT_WRITE). -1 if the socket
   refuses. */
static int xmpp__posix_send(xmpp_posix_io *io, xmpp_stream *s, int wait_ms)
{
    size_t n;
    const unsigned char *out = xmpp_stream_output(s, &n);
    uint64_t end = xmpp_posix_now_ms() + (uint64_t)(wait_ms > 0 ? wait_ms : 0);
    while (n) {
        ssize_t w = send(io->fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf;
            uint64_t now = xmpp_posix_now_ms();
            if (now >= end) return 0;
            pf.fd = io->fd;
            pf.events = POLLOUT;
            if (poll(&pf, 1, (int)(end - now)) < 0 && errno != EINTR) return -1;
            continue;
        }
        if (w <= 0) return -1;
        xmpp_stream_output_ack(s, (size_t)w);
        out = xmpp_stream_output(s, &n);
    }
    return 0;
}

/* Time to send: when no more input is at hand without waiting (bytes read but not fed,
   stanzas the TLS backend holds; at the end of a step, also an event the application has
   yet to pull: its answer goes with the rest at the start of the next step), or the queued
   output is half the buffer. So the answers to a burst of stanzas leave in one send() (over
   TLS: one record), the answer to its last stanza included, and the next answer still
   fits. */
static int xmpp__posix_send_due(const xmpp_posix_io *io, const xmpp_stream *s, int at_end)
{
    size_t held = 0;
    if (s->tls_run) xmpp_tls_read(s->cfg.tls_hook, &held);   /* whether or not an event waits */
    return (io->off == io->len && !held && !(at_end && s->nev)) || s->out_len >= s->out_size / 2 ||
           (xmpp_stream_wants(s) & XMPP_WANT_CLOSED);
}

XMPPDEF int xmpp_posix_step(xmpp_posix_io *io, xmpp_stream *s, int wait_ms, const char **why)
{
    size_t used;
    int r = 0;
    *why = NULL;
    if (xmpp__posix_send_due(io, s, 0) && xmpp__posix_send(io, s, wait_ms)) { *why = "sending failed (connection lost)"; return -1; }
    if (xmpp_stream_wants(s) & XMPP_WANT_FEED) {   /* TLS holds plaintext: no waiting */
        xmpp_stream_feed(s, NULL, 0, &used);
        r = 1;
    } else if (io->off == io->len && !(xmpp_stream_wants(s) & XMPP_WANT_CLOSED)) {
        struct pollfd pf;
        ssize_t n = recv(io->fd, io->buf, sizeof io->buf, MSG_DONTWAIT);   /* a busy peer: no poll() */
        r = 1;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            pf.fd = io->fd;
            pf.events = POLLIN;
            r = poll(&pf, 1, wait_ms);
            if (r < 0 && errno != EINTR) { *why = "poll() failed"; return -1; }
            n = r > 0 ? recv(io->fd, io->buf, sizeof io->buf, MSG_DONTWAIT) : 0;
        }
        if (r > 0) {
            if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) n = 0;
            else if (n <= 0) {   /* the stream says what the close means (CLOSED event) */
                xmpp_stream_eof(s);
                *why = n ? "receiving failed (connection lost)" : "the server closed the connection";
                return -1;
            }
            io->off = 0;
            io->len = (size_t)n;
        }
    }
    if (io->off < io->len) {
        xmpp_stream_feed(s, io->buf + io->off, io->len - io->off, &used);
        io->off += used;
        if (xmpp_stream_wants(s) & XMPP_WANT_CLOSED) io->off = io->len;   /* nothing more is taken */
        r = 1;
    }
    xmpp_stream_tick(s, xmpp_posix_now_ms());
    if (xmpp__posix_send_due(io, s, 1) && xmpp__posix_send(io, s, wait_ms)) { *why = "sending failed (connection lost)"; return -1; }
    return r > 0;
}

XMPPDEF void xmpp_posix_flush(xmpp_posix_io *io, xmpp_stream *s)
{
    xmpp__posix_send(io, s, 1000);
}

/* see >>posix API */
XMPPDEF void xmpp_posix_report(const char *name, const xmpp_stream *s, const xmpp_stream_event *ev)
{
    const char *pre = name ? name : "", *sep = name ? ": " : "";
    int text_n = ev->text.p ? (int)ev->text.n : 0;
    const char *text = ev->text.p ? ev->text.p : "";
    if (ev->kind == XMPP_STREAM_ONLINE) {
        printf("online as %.*s (%s)\n", (int)ev->jid.n, ev->jid.p, xmpp_stream_mechanism(s));
    } else if (ev->kind == XMPP_STREAM_ERROR || ev->kind == XMPP_STREAM_SASL_FAILURE) {
        fprintf(stderr, "%s%s%s: %.*s%s%.*s\n", pre, sep, ev->kind == XMPP_STREAM_ERROR ? "stream error" : "login failed",
                (int)ev->condition.n, ev->condition.p ? ev->condition.p : "", text_n ? " " : "", text_n, text);
    } else if (ev->kind == XMPP_STREAM_CLOSED) {
        printf("closed: %.*s\n", text_n, text);
        if (ev->err) fprintf(stderr, "%s%s%s: %.*s\n", pre, sep, xmpp_strerror(ev->err), text_n, text);
    }
}

#ifdef XMPP_BEARSSL
typedef struct xmpp__posix_tls {
    xmpp_tls_bearssl b;                 /* first: &b.tls is the hook */
    unsigned char buf[XMPP_TLS_BUF_SIZE(14, 1)];
    br_x509_certificate chain[8];
    xmpp_tls_bearssl_key key;
    unsigned char *store;               /* anchors' names and keys, chain DER, key parts */
    size_t store_len;
    br_x509_trust_anchor *anchors;
} xmpp__posix_tls;

/* A whole file, NUL-terminated, on the heap. */
static char *xmpp__posix_slurp(const char *path, size_t *len, const char **why)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n;
    *why = "cannot read the file";
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1L << 24) && fseek(f, 0, SEEK_SET) == 0 &&
        (p = (char *)malloc((size_t)n + 1)) != NULL) {
        *len = fread(p, 1, (size_t)n, f);
        p[*len] = '\0';
        *why = NULL;
    }
    fclose(f);
    return p;
}

XMPPDEF xmpp_tls *xmpp_posix_tls_new(const char *ca_file, const char *cert_file, const char *key_file,
                                     const char **why)
{
    static char msg[300];
    xmpp__posix_tls *t = (xmpp__posix_tls *)calloc(1, sizeof *t);
    xmpp_tls_bearssl_config cfg;
    char *ca = NULL, *crt = NULL, *key = NULL;
    size_t ca_len = 0, crt_len = 0, key_len = 0, need = 0, ncerts = 0, nanchors = 0, used, off;
    const char *p, *w = NULL, *file = ca_file ? ca_file : "/etc/ssl/certs/ca-certificates.crt";
    XMPP_MEMSET(&cfg, 0, sizeof cfg);
    if (!t) { *why = "out of memory"; return NULL; }
    if (!(ca = xmpp__posix_slurp(file, &ca_len, &w))) goto fail;
    if (cert_file || key_file) {
        if (!cert_file || !key_file) { file = "--cert/--key"; w = "a client certificate needs both files"; goto fail; }
        if (!(crt = xmpp__posix_slurp(file = cert_file, &crt_len, &w)) ||
            !(key = xmpp__posix_slurp(file = key_file, &key_len, &w)))
            goto fail;
    }
    /* first pass: how much room the anchors take; then one block for all */
    file = ca_file ? ca_file : "/etc/ssl/certs/ca-certificates.crt";
    for (p = ca; (p = strstr(p, "-----BEGIN")) != NULL; p++) ncerts++;
    if (xmpp_tls_bearssl_anchors(ca, ca_len, NULL, 0, NULL, NULL, 0, &need, &w) == XMPP_ERR_INVALID) goto fail;
    off = need + 8 * sizeof(void *);
    t->anchors = (br_x509_trust_anchor *)calloc(ncerts ? ncerts : 1, sizeof *t->anchors);
    t->store_len = off + crt_len + key_len + 1;
    t->store = (unsigned char *)malloc(t->store_len);
    if (!t->anchors || !t->store) { w = "out of memory"; goto fail; }
    if (xmpp_tls_bearssl_anchors(ca, ca_len, t->anchors, ncerts, &nanchors, t->store, need, &used, &w)) goto fail;
    if (!nanchors) { w = "no CA certificate in it"; goto fail; }
    cfg.anchors = t->anchors;
    cfg.nanchors = nanchors;
    cfg.now = 0;   /* BearSSL's time() at each handshake: a bot that reconnects for months
                      must see certificates renewed after it started, and expired ones */
    if (crt) {   /* PEM decodes smaller than its text: crt_len and key_len are room enough */
        file = cert_file;
        if (xmpp_tls_bearssl_certs(crt, crt_len, t->chain, 8, &cfg.nchain, t->store + off, crt_len, &used, &w)) goto fail;
        if (!cfg.nchain) { w = "no certificate in it"; goto fail; }
        file = key_file;
        if (xmpp_tls_bearssl_key_decode(&t->key, key, key_len, t->store + off + crt_len, key_len + 1, &used, &w)) goto fail;
        cfg.chain = t->chain;
        cfg.key = &t->key;
    }
    file = "TLS setup";
    if (xmpp_tls_bearssl_init(&t->b, &cfg, t->buf, sizeof t->buf, 1)) { w = xmpp_tls_error(&t->b.tls)->message; goto fail; }
    free(ca); free(crt);
    if (key) { xmpp_wipe(key, key_len); free(key); }
    *why = NULL;
    return &t->b.tls;
fail:
    snprintf(msg, sizeof msg, "%s: %s", file, w ? w : "failed");
    *why = msg;
    free(ca); free(crt);
    if (key) { xmpp_wipe(key, key_len); free(key); }
    if (t->store) xmpp_wipe(t->store, t->store_len);
    free(t->anchors); free(t->store); free(t);
    return NULL;
}

static volatile sig_atomic_t xmpp__posix_stop;
static void xmpp__posix_on_signal(int sig) { (void)sig; xmpp__posix_stop = 1; }

/* Connect to server (NULL: the JID's domain, by SRV) and start a stream on it, in place of
   the connection there was (if any). 0, or -1 and *why (the old connection is kept). */
static int xmpp__posix_open(xmpp_posix_client *c, const char *server, const char **why)
{
    xmpp_jid j;
    int fd;
    xmpp_jid_parse(&j, c->cfg.jid.p, c->cfg.jid.n, NULL);   /* checked by xmpp_posix_client_start */
    if ((fd = xmpp_posix_dial(server, j.domain, c->port, 10000, why)) < 0) return -1;
    if (xmpp_stream_init(&c->s, &c->cfg, c->mem, sizeof c->mem)) {
        close(fd);
        *why = "could not start the stream";
        return -1;
    }
    if (c->fd >= 0) close(c->fd);
    c->fd = fd;
    xmpp_posix_io_init(&c->io, fd);
    xmpp_stream_tick(&c->s, xmpp_posix_now_ms());
    return 0;
}

XMPPDEF int xmpp_posix_client_start(xmpp_posix_client *c, int argc, char **argv, const char **why)
{
    const char *server = NULL, *ca = NULL, *cert = NULL, *key = NULL, *pw = getenv("XMPP_PASSWORD");
    int i, plaintext = 0, direct = 0;
    xmpp_jid j;
    xmpp_stream_config keep = c->cfg;   /* the caller's extras */
    XMPP_MEMSET(c, 0, sizeof *c);
    c->cfg.trace = keep.trace;
    c->cfg.trace_ctx = keep.trace_ctx;
    c->cfg.timeout_ms = keep.timeout_ms;
    c->cfg.ping_ms = keep.ping_ms;
    c->cfg.limits = keep.limits;
    c->cfg.xml_buf = keep.xml_buf;
    c->cfg.arena = keep.arena;
    c->cfg.out = keep.out ? keep.out : 8192;   /* the answers to a burst in fewer sends */
    c->fd = -1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (c->nargs || a[0] != '-') {
            if (c->nargs == 8) { *why = "too many arguments"; return -2; }
            c->args[c->nargs++] = a;
        } else if (!strcmp(a, "--direct-tls")) direct = 1;
        else if (!strcmp(a, "--plaintext")) plaintext = 1;
        else if (!strcmp(a, "--reconnect")) c->reconnect = 1;
        else if (v && !strcmp(a, "--server")) server = argv[++i];
        else if (v && !strcmp(a, "--ca")) ca = argv[++i];
        else if (v && !strcmp(a, "--cert")) cert = argv[++i];
        else if (v && !strcmp(a, "--key")) key = argv[++i];
        else { *why = "unknown option, or one without its value"; return -2; }
    }
    if (!c->nargs || xmpp_jid_parse(&j, c->args[0], XMPP_STRLEN(c->args[0]), NULL) || !j.local.n) {
        *why = "no JID (local@domain[/resource])"; return -2;
    }
    if (plaintext && (direct || cert || ca)) { *why = "--plaintext goes with no TLS option"; return -2; }
    if (!pw && !cert) { *why = "no password: set XMPP_PASSWORD (or give --cert and --key)"; return -2; }
    c->cfg.jid = xmpp_str_z(c->args[0]);
    c->cfg.password = xmpp_str_z(pw ? pw : "");
    c->cfg.rng = xmpp_posix_random;
    c->cfg.tls = plaintext ? XMPP_TLS_NEVER : XMPP_TLS_REQUIRED;
    c->cfg.direct_tls = (uint8_t)direct;
    c->cfg.client_cert = cert != NULL;
    if (!plaintext && !(c->cfg.tls_hook = xmpp_posix_tls_new(ca, cert, key, why))) return -1;
    /* from here on a failure gives back the hook and the socket (xmpp_posix_client_end) */
    c->port = direct ? 5223 : 5222;
    c->server = server;
    if (xmpp__posix_open(c, server, why)) {
        static char msg[400];   /* say where: the server given, or the domain (and its port) */
        snprintf(msg, sizeof msg, "%s%.*s%s: %s", server ? server : "", server ? 0 : (int)j.domain.n, j.domain.p,
                 server ? "" : (direct ? " (SRV, or port 5223)" : " (SRV, or port 5222)"), *why);
        *why = msg;
        xmpp_posix_client_end(c);
        return -1;
    }
    xmpp__posix_stop = 0;
    {   /* no SA_RESTART: a signal interrupts poll() at once */
        struct sigaction sa;
        XMPP_MEMSET(&sa, 0, sizeof sa);
        sa.sa_handler = xmpp__posix_on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }
    return 0;
}

/* The stream ended on see-other-host: 1 if a new connection took its place. */
static int xmpp__posix_redirect(xmpp_posix_client *c)
{
    xmpp_stream *s = &c->s;
    xmpp_str host = xmpp__str(NULL, 0);
    const char *why;
    size_t i;
    if (s->state != XMPP_STATE_CLOSED || c->redirects >= XMPP_POSIX_REDIRECTS) return 0;
    for (i = 0; i < s->nev; i++) {
        const xmpp_stream_event *e = &s->ev[(s->ev0 + i) % XMPP__EVQ];
        if (e->kind == XMPP_STREAM_ERROR && xmpp_str_eq(e->condition, "see-other-host")) host = e->text;
    }
    if (!host.n || host.n >= sizeof c->host) return 0;
    XMPP_MEMCPY(c->host, host.p, host.n);   /* the text is in the arena: copy it first */
    c->host[host.n] = '\0';
    if (c->cfg.trace) {
        static const char say[] = "§4.9.3.19 see-other-host: connecting there";
        c->cfg.trace(c->cfg.trace_ctx, XMPP_TRACE_STATE, say, sizeof say - 1);
    }
    xmpp_posix_flush(&c->io, s);
    if (xmpp__posix_open(c, c->host, &why)) return 0;   /* the events come through as they are */
    c->redirects++;
    return 1;
}

/* --reconnect: is the end of this stream worth another try? */
static int xmpp__posix_transient(const xmpp_posix_client *c)
{
    static const char passing[] = "system-shutdown\0connection-timeout\0reset\0internal-server-error\0"
                                  "remote-connection-failed\0resource-constraint\0";   /* see xmpp__nth */
    const char *p;
    if (!c->reconnect || c->closing || xmpp__posix_stop || c->s.state != XMPP_STATE_CLOSED) return 0;
    if (c->s.err.code == XMPP_ERR_CLOSED || c->s.err.code == XMPP_ERR_TLS_CLOSED || c->s.err.code == XMPP_ERR_TIMEOUT)
        return 1;
    if (c->s.err.code == XMPP_ERR_STREAM)
        for (p = passing; *p; p += strlen(p) + 1)
            if (!strcmp(c->cond, p)) return 1;
    return 0;
}

/* Wait a random time up to 500 ms x 2^attempt (60 s at most), then try again. */
static void xmpp__posix_backoff(xmpp_posix_client *c)
{
    uint32_t cap = 500u << (c->attempt < 7 ? c->attempt : 7), r, ms;
    char say[64];
    int n;
    if (cap > 60000) cap = 60000;
    xmpp_posix_random(NULL, (unsigned char *)&r, sizeof r);
    ms = r % (cap + 1);
    c->attempt++;
    c->retry_at = xmpp_posix_now_ms() + ms + 1;
    n = snprintf(say, sizeof say, "reconnecting in %u ms (attempt %d, at most %u ms)", (unsigned)ms, c->attempt, (unsigned)cap);
    if (c->cfg.trace && n > 0) c->cfg.trace(c->cfg.trace_ctx, XMPP_TRACE_STATE, say, (size_t)n);
}

static void xmpp__posix_retry(xmpp_posix_client *c)
{
    const char *why;
    c->retry_at = 0;
    if (xmpp__posix_open(c, c->server, &why)) {
        if (c->cfg.trace) c->cfg.trace(c->cfg.trace_ctx, XMPP_TRACE_STATE, why, XMPP_STRLEN(why));
        xmpp__posix_backoff(c);
        return;
    }
    c->redirects = 0;
    c->cond[0] = '\0';
}

XMPPDEF int xmpp_posix_client_step(xmpp_posix_client *c, int wait_ms, const char **why)
{
    size_t i;
    int r;
    *why = NULL;
    if (c->retry_at) {   /* --reconnect: waiting */
        uint64_t now = xmpp_posix_now_ms();
        if (xmpp__posix_stop) return 0;
        if (now < c->retry_at) {
            poll(NULL, 0, (int)(c->retry_at - now < (uint64_t)wait_ms ? c->retry_at - now : (uint64_t)wait_ms));
            return 1;
        }
        xmpp__posix_retry(c);
        return 1;
    }
    if (xmpp_stream_wants(&c->s) & XMPP_WANT_CLOSED) {
        if (xmpp__posix_transient(c)) { xmpp__posix_backoff(c); return 1; }
        return 0;
    }
    if (xmpp__posix_stop && !c->closing) { c->closing = 1; xmpp_stream_close(&c->s); }
    r = xmpp_posix_step(&c->io, &c->s, wait_ms, why);
    for (i = 0; i < c->s.nev; i++) {   /* the condition of a stream error, kept for later */
        const xmpp_stream_event *e = &c->s.ev[(c->s.ev0 + i) % XMPP__EVQ];
        if (e->kind == XMPP_STREAM_ERROR && e->condition.n < sizeof c->cond) {
            XMPP_MEMCPY(c->cond, e->condition.p, e->condition.n);
            c->cond[e->condition.n] = '\0';
        }
    }
    if (c->s.state == XMPP_STATE_ONLINE) c->attempt = 0;
    if (r < 0) {   /* the connection failed or the server closed it */
        if (!c->closing && xmpp__posix_redirect(c)) { *why = NULL; return 1; }
        if (c->reconnect && c->s.state != XMPP_STATE_CLOSED) xmpp_stream_eof(&c->s);   /* a CLOSED event */
        if (xmpp__posix_transient(c)) { *why = NULL; return 1; }   /* the next step waits, then dials */
        return xmpp_stream_wants(&c->s) & XMPP_WANT_CLOSED ? 0 : -1;   /* the CLOSED event says why */
    }
    if (!c->closing) xmpp__posix_redirect(c);
    return 1;
}

XMPPDEF int xmpp_posix_client_end(xmpp_posix_client *c)
{
    int clean = c->s.state == XMPP_STATE_CLOSED && c->s.err.code == XMPP_OK;
    if (c->fd >= 0) { xmpp_posix_flush(&c->io, &c->s); close(c->fd); }
    c->fd = -1;
    xmpp_posix_tls_free(c->cfg.tls_hook);
    c->cfg.tls_hook = NULL;
    return clean ? 0 : 1;
}

XMPPDEF int xmpp_posix_client_failed(const char *name, int r, const char *why, const char *args)
{
    if (r >= 0) return 0;
    fprintf(stderr, "%s: %s\n", name, why ? why : "failed");
    if (r == -2)
        fprintf(stderr, "usage: XMPP_PASSWORD=... %s " XMPP_POSIX_CLIENT_USAGE "%s%s\n", name, args ? " " : "",
                args ? args : "");
    return r == -2 ? 2 : 1;
}

XMPPDEF void xmpp_posix_tls_free(xmpp_tls *tls)
{
    xmpp__posix_tls *t = (xmpp__posix_tls *)(void *)tls;
    if (!t) return;
    xmpp_wipe(t->store, t->store_len);
    free(t->anchors);
    free(t->store);
    free(t);
}
#endif /* XMPP_BEARSSL */

#endif /* XMPP_POSIX */

#endif /* XMPP__IMPLEMENTED */
#endif /* XMPP_IMPLEMENTATION */

/*
MIT License

Copyright (c) 2026 the xmpp.h authors

Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the "Software"), to deal in the Software
without restriction, including without limitation the rights to use, copy, modify, merge,
publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons
to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR
PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE
FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
DEALINGS IN THE SOFTWARE.
*/
