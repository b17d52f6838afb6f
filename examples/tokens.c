/* tokens - print an XML stream as tokens, one line each, as the bytes arrive.
   Shows the tokenizer (>>xml): push bytes in any chunking, pull tokens out.
     tokens [--chunk N] [FILE]                     read FILE (or stdin)
     tokens [--chunk N] --connect HOST:PORT --domain D
          open a stream to a server, print what it sends; stdin lines go to the server,
          and at stdin's end it sends </stream:stream> and waits for the server to close.
   Output: the canonical format of xmpp_xml_token_format(); on bad input
   "error: <condition> at byte <offset>: <message>" and exit status 1 (2: usage). */
#define _POSIX_C_SOURCE 200809L
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static xmpp_xml xml;
static unsigned char xbuf[XMPP_XML_BUF_SIZE(16, 16, 4096)];

static int show(const char *p, size_t n, size_t chunk)   /* feed n bytes, chunk at a time */
{
    xmpp_xml_token t;
    char line[16384];
    size_t used, need, k;
    while (n) {
        k = n < chunk ? n : chunk;
        xmpp_xml_feed(&xml, p, k, &used);
        p += used;
        n -= used;
        while (xmpp_xml_next(&xml, &t) == XMPP_OK) {
            xmpp_xml_token_format(&t, line, sizeof line, &need);
            printf("%s%s\n", line, need >= sizeof line ? "..." : "");
            fflush(stdout);
        }
        if (xmpp_xml_error(&xml)->code) {
            const xmpp_errinfo *e = xmpp_xml_error(&xml);
            printf("error: %s at byte %llu: %s\n", xmpp_err_condition(e->code),
                   (unsigned long long)e->offset, e->message);
            return 1;
        }
    }
    return 0;
}

static int dial(const char *hostport)
{
    char host[256], *port;
    struct addrinfo hints, *ai, *a;
    int fd = -1;
    snprintf(host, sizeof host, "%s", hostport);
    if (!(port = strrchr(host, ':'))) return -1;
    *port++ = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &ai)) return -1;
    for (a = ai; a && fd < 0; a = a->ai_next) {
        if ((fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol)) < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen)) { close(fd); fd = -1; }
    }
    freeaddrinfo(ai);
    return fd;
}

int main(int argc, char **argv)
{
    const char *connect_to = NULL, *domain = NULL, *file = NULL;
    size_t chunk = 65536;
    char buf[65536];
    ssize_t n;
    int i, in = 0, fd = -1;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--chunk") && i + 1 < argc) chunk = (size_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--connect") && i + 1 < argc) connect_to = argv[++i];
        else if (!strcmp(argv[i], "--domain") && i + 1 < argc) domain = argv[++i];
        else if (argv[i][0] != '-' && !file) file = argv[i];
        else break;
    }
    if (i < argc || !chunk || (connect_to && (!domain || file))) {
        fprintf(stderr, "usage: tokens [--chunk N] [FILE]\n"
                        "       tokens [--chunk N] --connect HOST:PORT --domain DOMAIN\n");
        return 2;
    }
    xmpp_xml_init(&xml, xbuf, sizeof xbuf, NULL);
    if (!connect_to) {   /* a file or stdin, processed as it arrives */
        if (file && (in = open(file, O_RDONLY)) < 0) { perror(file); return 2; }
        while ((n = read(in, buf, sizeof buf)) > 0)
            if (show(buf, (size_t)n, chunk)) return 1;
        return n < 0 ? 1 : 0;
    }
    if ((fd = dial(connect_to)) < 0) { fprintf(stderr, "tokens: cannot connect to %s\n", connect_to); return 1; }
    n = snprintf(buf, sizeof buf, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                 "xmlns:stream='http://etherx.jabber.org/streams' to='%s' version='1.0'>", domain);
    if (write(fd, buf, (size_t)n) != n) return 1;
    for (;;) {
        struct pollfd p[2] = { { 0, POLLIN, 0 }, { 0, POLLIN, 0 } };
        p[0].fd = fd;
        p[1].fd = in;   /* stdin; -1 once it ended */
        if (poll(p, 2, -1) < 0) return 1;
        if (p[0].revents) {
            if ((n = read(fd, buf, sizeof buf)) <= 0) return 0;   /* the server closed */
            if (show(buf, (size_t)n, chunk)) return 1;
        }
        if (p[1].revents) {
            if ((n = read(in, buf, sizeof buf)) > 0) { if (write(fd, buf, (size_t)n) != n) return 1; }
            else { in = -1; if (write(fd, "</stream:stream>", 16) != 16) return 1; }
        }
    }
}
