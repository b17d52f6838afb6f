/* test_dns_posix.c - RFC 6120 §3.2 through the POSIX glue, against a real DNS server
   (dnsmasq on 127.0.0.1:25353, started by tests/dns/run.sh with the records it lists;
   found through XMPP_RESOLVER): the SRV targets of a.test in RFC 2782 order with their
   ports, the XEP-0368 service, a "." target, NXDOMAIN, a resolver that does not answer;
   and xmpp_posix_dial() without a server name: the first target refused, the second
   connected; with no SRV record, the domain itself on the default port. */
#define _POSIX_C_SOURCE 200809L
#define XMPP_IMPLEMENTATION
#define XMPP_POSIX
#include "../../xmpp.h"
#include "../check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NEED_DNS() do { if (!getenv("DNS_UP") || !*getenv("DNS_UP")) SKIP("no dnsmasq"); } while (0)

static int listener(unsigned port)
{
    struct sockaddr_in sa;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4) < 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

/* the local port the accepted connection came to */
static unsigned accepted_port(int lfd)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = accept(lfd, NULL, NULL);
    unsigned port = 0;
    if (fd >= 0 && getsockname(fd, (struct sockaddr *)&sa, &len) == 0) port = ntohs(sa.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

static void test_srv_order(void)
{
    xmpp_srv_target t[4];
    size_t n = 0;
    const char *why = "";
    NEED_DNS();
    CHECK(xmpp_posix_resolve("_xmpp-client._tcp", xmpp_str_z("a.test"), t, 4, &n, 1000, &why) == XMPP_OK);
    CHECK(n == 2);
    CHECK(t[0].priority == 10 && t[0].weight == 60 && t[0].port == 25301 && strcmp(t[0].host, "localhost") == 0);
    CHECK(t[1].priority == 20 && t[1].port == 25302);
    CHECK(xmpp_posix_resolve("_xmpps-client._tcp", xmpp_str_z("a.test"), t, 4, &n, 1000, &why) == XMPP_OK);
    CHECK(n == 1 && t[0].port == 25303);
}

static void test_no_srv(void)
{
    xmpp_srv_target t[4];
    size_t n = 9;
    const char *why = "";
    NEED_DNS();
    CHECK(xmpp_posix_resolve("_xmpp-client._tcp", xmpp_str_z("none.test"), t, 4, &n, 1000, &why) == XMPP_AGAIN);
    CHECK(n == 0);
    CHECK(xmpp_posix_resolve("_xmpp-client._tcp", xmpp_str_z("nosrv.test"), t, 4, &n, 1000, &why) == XMPP_ERR_AUTH);
    CHECK(why && strstr(why, "no such service") != NULL);
}

static void test_no_resolver(void)
{
    xmpp_srv_target t[4];
    size_t n;
    const char *why = "";
    setenv("XMPP_RESOLVER", "127.0.0.1:25354", 1);   /* nobody there */
    CHECK(xmpp_posix_resolve("_xmpp-client._tcp", xmpp_str_z("a.test"), t, 4, &n, 200, &why) == XMPP_ERR_TIMEOUT);
    CHECK(strcmp(why, "no answer from the DNS resolver") == 0);
    setenv("XMPP_RESOLVER", "not an address", 1);
    CHECK(xmpp_posix_resolve("_xmpp-client._tcp", xmpp_str_z("a.test"), t, 4, &n, 200, &why) == XMPP_ERR_INVALID);
    setenv("XMPP_RESOLVER", "127.0.0.1:25353", 1);
}

/* dial without a server: SRV order, the refused first target skipped */
static void test_dial(void)
{
    const char *why = "";
    int l2, l4, fd;
    NEED_DNS();
    l2 = listener(25302);   /* 25301 (priority 10) is closed: refused */
    l4 = listener(25304);
    CHECK(l2 >= 0 && l4 >= 0);
    fd = xmpp_posix_dial(NULL, xmpp_str_z("a.test"), 5222, 1000, &why);
    CHECK(fd >= 0);
    CHECK(accepted_port(l2) == 25302);
    if (fd >= 0) close(fd);
    /* no SRV record for localhost: the domain itself, on the default port */
    fd = xmpp_posix_dial(NULL, xmpp_str_z("localhost"), 25304, 1000, &why);
    CHECK(fd >= 0);
    CHECK(accepted_port(l4) == 25304);
    if (fd >= 0) close(fd);
    /* "." : not even a fallback */
    CHECK(xmpp_posix_dial(NULL, xmpp_str_z("nosrv.test"), 25304, 1000, &why) < 0);
    CHECK(why && strstr(why, "no such service") != NULL);
    /* a server given: no DNS at all */
    fd = xmpp_posix_dial("127.0.0.1:25304", xmpp_str_z("nosrv.test"), 5222, 1000, &why);
    CHECK(fd >= 0 && accepted_port(l4) == 25304);
    if (fd >= 0) close(fd);
    close(l2);
    close(l4);
    /* every SRV target refused: -1, and why says so (no target past the last) */
    why = "";
    CHECK(xmpp_posix_dial(NULL, xmpp_str_z("a.test"), 5222, 1000, &why) < 0);
    CHECK(why && strcmp(why, "connection refused or unreachable") == 0);
}

int main(void)
{
    RUN(test_srv_order);
    RUN(test_no_srv);
    RUN(test_no_resolver);
    RUN(test_dial);
    return check_done();
}
