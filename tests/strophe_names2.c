/* strophe_names2.c - the libstrophe half of strophe_names.c */
#include <strophe.h>
#include <string.h>

int strophe_side(const char *in, size_t n, char *b64, size_t cap, unsigned char *sha1);
int strophe_side(const char *in, size_t n, char *b64, size_t cap, unsigned char *sha1)
{
    xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, NULL);
    char *s;
    int r = -1;
    if (!ctx) return -1;
    s = xmpp_base64_encode(ctx, (const unsigned char *)in, n);
    if (s && strlen(s) < cap) {
        memcpy(b64, s, strlen(s) + 1);
        r = 0;
    }
    if (s) xmpp_free(ctx, s);
    xmpp_sha1_digest((const unsigned char *)in, n, sha1);
    xmpp_ctx_free(ctx);
    return r;
}
