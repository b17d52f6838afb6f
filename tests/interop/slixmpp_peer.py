#!/usr/bin/python3
"""slixmpp_peer.py - a peer we did not write, for tests/interop/test_stream_interop.c.

    /usr/bin/python3 tests/interop/slixmpp_peer.py --port PORT --ca CA_FILE \\
        --jid bob@DOMAIN/RESOURCE [--password PW] [--body TEXT] [--timeout S] TO

Logs in with python3-slixmpp (Debian's: it imports only under /usr/bin/python3) to
127.0.0.1:PORT over STARTTLS (required: slixmpp's force_starttls), the server certificate
verified against CA_FILE for the JID's domain; sends one chat message with TEXT to TO;
waits for a chat message with a body from TO's bare JID; prints it on stdout as one line,

    from FULL_JID: BODY                  (newlines in BODY written as \\n)

closes the stream and exits 0. Exits 1 with one line on stderr ("slixmpp_peer: ...") on
a TLS, connection or authentication failure, a message of type error, a disconnection,
or when nothing came within --timeout seconds (default 10). The password comes from
--password or $XMPP_PASSWORD. Talks to nothing but 127.0.0.1.
"""
import argparse
import asyncio
import os
import sys

import slixmpp


class Peer(slixmpp.ClientXMPP):
    def __init__(self, jid, password, to, body, done):
        super().__init__(jid, password)
        self.to = slixmpp.JID(to)
        self.body = body
        self.done = done      # future: None on success, else the reason
        self.add_event_handler('session_start', self.on_session_start)
        self.add_event_handler('message', self.on_message)
        self.add_event_handler('ssl_invalid_chain',
                               lambda e: self.finish('TLS: server certificate not trusted: %s' % e))
        self.add_event_handler('connection_failed', lambda e: self.finish('connection failed: %s' % e))
        self.add_event_handler('failed_all_auth', lambda _: self.finish('authentication failed'))
        self.add_event_handler('disconnected', lambda _: self.finish('disconnected'))

    def finish(self, why):
        if not self.done.done():
            self.done.set_result(why)

    def on_session_start(self, _):
        self.send_message(mto=self.to, mbody=self.body, mtype='chat')

    def on_message(self, msg):
        if msg['type'] == 'error':
            self.finish('error from %s: %s' % (msg['from'], msg['error']['condition']))
            return
        if msg['type'] not in ('chat', 'normal') or not msg['body'] or msg['from'].bare != self.to.bare:
            return
        print('from %s: %s' % (msg['from'], msg['body'].replace('\n', '\\n')), flush=True)
        self.finish(None)


def main():
    ap = argparse.ArgumentParser(description='log in with slixmpp, send one message, print the answer')
    ap.add_argument('--port', type=int, required=True, help='c2s port on 127.0.0.1 (STARTTLS)')
    ap.add_argument('--ca', required=True, help='PEM file of the CA to verify the server with')
    ap.add_argument('--jid', required=True, help='our JID, e.g. bob@a.test/slixmpp')
    ap.add_argument('--password', default=os.environ.get('XMPP_PASSWORD'))
    ap.add_argument('--body', default='hello from slixmpp')
    ap.add_argument('--timeout', type=float, default=10.0)
    ap.add_argument('to', help='the JID to send to and wait for')
    a = ap.parse_args()
    if not a.password:
        print('slixmpp_peer: no password (--password or XMPP_PASSWORD)', file=sys.stderr)
        return 2

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    done = loop.create_future()
    peer = Peer(a.jid, a.password, a.to, a.body, done)
    peer.ca_certs = a.ca                    # verify against this CA only, not the system's
    peer.connect(('127.0.0.1', a.port), use_ssl=False, force_starttls=True, disable_starttls=False)
    try:
        why = loop.run_until_complete(asyncio.wait_for(done, a.timeout))
    except asyncio.TimeoutError:
        why = 'timeout: no message from %s within %g s' % (a.to, a.timeout)
    try:   # a clean close (</stream:stream>), bounded
        loop.run_until_complete(asyncio.wait_for(peer.disconnect(wait=2.0), 3.0))
    except Exception:
        pass
    tasks = asyncio.all_tasks(loop)   # slixmpp's own (its output filter) end with the loop
    for t in tasks:
        t.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    loop.close()
    if why:
        print('slixmpp_peer: %s' % why, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
