/* stack_xml.c - the tokenizer's own peak stack on the target: paint the stack below this
   frame, tokenize a generated XMPP stream whole and one byte at a time, read back how deep
   the calls went. Printed by `make size` (run under qemu, tests/firmware/run.sh). */
#define XMPP_IMPLEMENTATION
#include "../../xmpp.h"
#include "../corpus.h"
#include <stdio.h>

#define WATCH 2048

static char doc[3000];
static unsigned char buf[XMPP_XML_BUF_SIZE(8, 8, 512)];

static __attribute__((noinline)) int tokenize(size_t len, size_t chunk)
{
    static xmpp_xml x;
    xmpp_xml_token t;
    xmpp_xml_limits lim = { 8, 8, 0, 512, 0 };
    size_t off = 0, used;
    int n = 0;
    if (xmpp_xml_init(&x, buf, sizeof buf, &lim)) return -1;
    while (off < len) {
        size_t k = len - off < chunk ? len - off : chunk;
        if (xmpp_xml_feed(&x, doc + off, k, &used)) return -1;
        off += used;
        while (xmpp_xml_next(&x, &t) == XMPP_OK) n++;
    }
    return n;
}

static __attribute__((noinline)) size_t measure(size_t len, size_t chunk, int *n)
{
    volatile unsigned char *sp = (volatile unsigned char *)__builtin_frame_address(0), *p;
    for (p = sp - WATCH; p < sp - 64; p++) *p = 0x5A;
    *n = tokenize(len, chunk);
    for (p = sp - WATCH; p < sp && *p == 0x5A; p++) {}
    return (size_t)(sp - p);
}

int main(void)
{
    size_t len = corpus_make(doc, sizeof doc, 2000, 3), whole, bytes;
    int n1, n2;
    whole = measure(len, len, &n1);
    bytes = measure(len, 1, &n2);
    printf("tokenizer peak stack: %lu bytes fed whole, %lu fed byte by byte (%lu-byte stream, %d tokens)\n",
           (unsigned long)whole, (unsigned long)bytes, (unsigned long)len, n1);
    printf("xmpp_xml state: %lu bytes; buffer for depth 8, 8 attributes, 512-byte tokens: %lu bytes\n",
           (unsigned long)sizeof(xmpp_xml), (unsigned long)sizeof buf);
    if (n1 <= 0 || n1 != n2) { printf("0 passed, 1 failed\n"); return 1; }
    printf("1 passed, 0 failed\n");
    return 0;
}
