/* bench_client_strophe.c - the libstrophe half of bench_client.c (strophe.h's names clash
   with nothing of ours, but its XMPP_SE_* macros do with the stanza layer's: a unit of its
   own). A login, and an echo bot, written the way libstrophe's own examples do them:
   STARTTLS required, the server certificate checked against the test CA (OpenSSL). */
#include <strophe.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

int strophe_login(const char *jid, const char *pw, const char *host, unsigned short port, const char *ca);
int strophe_echo_bot(const char *jid, const char *pw, const char *host, unsigned short port, const char *ca,
                     volatile sig_atomic_t *stop, void (*online)(void));

static int st_state;   /* 0 connecting, 1 online, 2 disconnected, -1 failed */

static void on_conn(xmpp_conn_t *conn, xmpp_conn_event_t status, int error, xmpp_stream_error_t *se, void *ud)
{
    (void)conn; (void)error; (void)se; (void)ud;
    if (status == XMPP_CONN_CONNECT) st_state = 1;
    else st_state = st_state == 1 ? 2 : -1;
}

static xmpp_conn_t *st_conn(xmpp_ctx_t *ctx, const char *jid, const char *pw, const char *ca)
{
    xmpp_conn_t *conn = xmpp_conn_new(ctx);
    xmpp_conn_set_flags(conn, XMPP_CONN_FLAG_MANDATORY_TLS | XMPP_CONN_FLAG_DISABLE_SM);
    xmpp_conn_set_cafile(conn, ca);
    xmpp_conn_set_jid(conn, jid);
    xmpp_conn_set_pass(conn, pw);
    return conn;
}

int strophe_login(const char *jid, const char *pw, const char *host, unsigned short port, const char *ca)
{
    xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, NULL);
    xmpp_conn_t *conn = st_conn(ctx, jid, pw, ca);
    int ok, n = 0;
    st_state = 0;
    if (xmpp_connect_client(conn, host, port, on_conn, NULL) != XMPP_EOK) st_state = -1;
    while (st_state == 0 && n++ < 1000) xmpp_run_once(ctx, 10);
    ok = st_state == 1;
    if (ok) {
        xmpp_disconnect(conn);
        for (n = 0; st_state == 1 && n < 1000; n++) xmpp_run_once(ctx, 10);
    }
    xmpp_conn_release(conn);
    xmpp_ctx_free(ctx);
    return ok ? 0 : -1;
}

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
    xmpp_ctx_t *ctx = (xmpp_ctx_t *)ud;
    const char *type = xmpp_stanza_get_type(st), *from = xmpp_stanza_get_from(st);
    char *body = xmpp_message_get_body(st);
    if (body && from && (!type || strcmp(type, "error") != 0)) {
        xmpp_stanza_t *reply = xmpp_message_new(ctx, "chat", from, NULL);
        xmpp_message_set_body(reply, body);
        xmpp_send(conn, reply);
        xmpp_stanza_release(reply);
    }
    if (body) xmpp_free(ctx, body);
    return 1;
}

int strophe_echo_bot(const char *jid, const char *pw, const char *host, unsigned short port, const char *ca,
                     volatile sig_atomic_t *stop, void (*online)(void))
{
    xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, NULL);
    xmpp_conn_t *conn = st_conn(ctx, jid, pw, ca);
    int n;
    st_state = 0;
    xmpp_handler_add(conn, on_message, NULL, "message", NULL, ctx);
    if (xmpp_connect_client(conn, host, port, on_conn, NULL) != XMPP_EOK) st_state = -1;
    while (st_state == 0) xmpp_run_once(ctx, 10);
    if (st_state == 1) {
        xmpp_stanza_t *pres = xmpp_presence_new(ctx);
        xmpp_send(conn, pres);
        xmpp_stanza_release(pres);
        online();
    }
    while (st_state == 1 && !*stop) xmpp_run_once(ctx, 10);
    if (st_state == 1) {
        xmpp_disconnect(conn);
        for (n = 0; st_state == 1 && n < 1000; n++) xmpp_run_once(ctx, 10);
    }
    xmpp_conn_release(conn);
    xmpp_ctx_free(ctx);
    return 0;
}
