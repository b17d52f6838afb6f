/* tokens - the tokenizer (>>xml), watched: push bytes in any chunking, pull tokens out.
     tokens [--chunk N] [FILE]     read FILE or stdin, N bytes per feed (default: what read() gives)
     tokens [--chunk N] --connect HOST:PORT --domain D     send a stream header, print what the
          server sends; stdin goes to it, then </stream:stream>; ends when the server closes.
   A line per token as soon as it exists, in xmpp_xml_token_format()'s canonical format; on bad
   input "error: <condition> at byte <offset>: <message>" and exit status 1 (1 also when connecting
   or reading fails, with a message on stderr; 2: usage, or FILE cannot be opened). */
#define _POSIX_C_SOURCE 200809L
#define XMPP_POSIX   /* xmpp_posix_dial(), and <fcntl.h> <poll.h> <stdlib.h> <string.h> <unistd.h> */
#define XMPP_IMPLEMENTATION
#include "../xmpp.h"
#include <stdio.h>

int main(int argc, char **argv)
{
    static unsigned char xbuf[XMPP_XML_BUF_SIZE(16, 16, 4096)];
    static char buf[65536], small[16384];
    char *line, *end;
    const char *host = NULL, *domain = NULL, *file = NULL, *why;
    size_t chunk = sizeof buf, off, used, need;
    int i, src = 0, eof = 0;   /* tokens come from src; with --connect, stdin goes to it until eof */
    ssize_t n = 0;
    xmpp_xml x;
    xmpp_xml_token t;
    const xmpp_errinfo *e = xmpp_xml_error(&x);
    for (i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--chunk") && i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9')
            chunk = (size_t)strtoul(argv[++i], &end, 10) * !*end;   /* not all digits: 0, refused */
        else if (!strcmp(argv[i], "--connect") && i + 1 < argc) host = argv[++i];
        else if (!strcmp(argv[i], "--domain") && i + 1 < argc) domain = argv[++i];
        else if (argv[i][0] != '-' && !file) file = argv[i];
        else break;
    if (i < argc || !chunk || !host != !domain || (host && file)) {
        fputs("usage: tokens [--chunk N] [FILE | --connect HOST:PORT --domain DOMAIN]\n", stderr);
        return 2;
    }
    if (file && (src = open(file, O_RDONLY)) < 0) { perror(file); return 2; }
    if (host && (src = xmpp_posix_dial(host, xmpp_str_z(domain), 5222, 10000, &why)) < 0) {
        fprintf(stderr, "tokens: cannot connect to %s: %s\n", host, why);
        return 1;
    }
    if (host && (fcntl(src, F_SETFL, 0) < 0 ||   /* blocking again: a write() sends it all */
                 dprintf(src, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream="
                         "'http://etherx.jabber.org/streams' to='%s' version='1.0'>", domain) < 0)) goto io;
    xmpp_xml_init(&x, xbuf, sizeof xbuf, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);   /* each line out as soon as its token exists */
    while (!e->code) {
        struct pollfd p[2] = { { src, POLLIN, 0 }, { host && !eof ? 0 : -1, POLLIN, 0 } };   /* fd -1: skipped */
        if (poll(p, 2, -1) < 0) goto io;
        if (p[1].revents && (n = read(0, buf, sizeof buf)) < 0) goto io;
        if (p[1].revents && n > 0 && write(src, buf, (size_t)n) != n) goto io;
        if (p[1].revents && n == 0 && (eof = 1) && write(src, "</stream:stream>", 16) != 16) goto io;
        if (p[0].revents && (n = read(src, buf, sizeof buf)) < 0) goto io;
        if (p[0].revents && n == 0) return 0;   /* the end */
        for (off = 0; p[0].revents && off < (size_t)n && !e->code; off += used) {   /* <= chunk per feed */
            xmpp_xml_feed(&x, buf + off, (size_t)n - off < chunk ? (size_t)n - off : chunk, &used);
            while (xmpp_xml_next(&x, &t) == XMPP_OK) {
                xmpp_xml_token_format(&t, small, sizeof small, &need);
                if ((line = need < sizeof small ? small : malloc(need + 1)) == NULL) return 1;
                if (line != small) xmpp_xml_token_format(&t, line, need + 1, &need);   /* a long line */
                puts(line);
                if (line != small) free(line);
            }
        }
    }
    printf("error: %s at byte %llu: %s\n", xmpp_err_condition(e->code), (unsigned long long)e->offset, e->message);
    return 1;
io:
    perror("tokens");
    return 1;
}
