/* prelude.h - what README.md's C examples leave to the reader, declared so that each
   example compiles as the body of a function (tests/readme/run.sh: compiled only, never
   linked or run). */
#include <stdio.h>
#include <sys/types.h>
#include <sys/socket.h>

extern const unsigned char *chunk;   /* the bytes a read() gave, n of them */
extern size_t n;
extern xmpp_xml_token t;             /* a token from xmpp_xml_next() */
extern const char *id;               /* a stanza id (xmpp_make_id) */
extern int fd;                       /* a connected socket */
extern unsigned char buf[4096];      /* a receive buffer */
extern const unsigned char *challenge, *data;   /* SASL: the server's messages */
extern size_t clen, dlen;
extern const char *ca_pem;           /* PEM certificates */
extern size_t ca_pem_len;
extern xmpp_stream_config stream_cfg;

void send_bytes(const char *p, size_t len);
void my_random(void *ctx, unsigned char *out, size_t len);
uint64_t now_ms(void);
int64_t unix_time(void);
size_t recv_with_timeout(int sock, unsigned char *into, size_t size);
