/* probe.h - what every size probe (tests/size/size_*.c) needs: the whole library,
   freestanding, and the memcpy/memset the compiler may call for a struct copy (counted in
   the code size). Define what the probe needs (XMPP_BEARSSL, ...) before including. */
#ifndef PROBE_H
#define PROBE_H
#define XMPP_FREESTANDING
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = (unsigned char *)d;
    const unsigned char *sp = (const unsigned char *)s;
    while (n--) *dp++ = *sp++;
    return d;
}
void *memset(void *d, int c, size_t n)
{
    unsigned char *dp = (unsigned char *)d;
    while (n--) *dp++ = (unsigned char)c;
    return d;
}
#endif
