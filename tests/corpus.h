/* corpus.h - a deterministic generator of realistic client-side XMPP streams, for
   benchmarks and cross-checks of the XML tokenizer. Header-only C99, no globals (only
   constant tables), no allocation.

       size_t corpus_make(char *out, size_t cap, size_t target, uint32_t seed);

   writes one complete stream as a server sends it to a client after authentication:
       <?xml version='1.0'?><stream:stream xmlns='jabber:client'
         xmlns:stream='http://etherx.jabber.org/streams' ...><stream:features>...
       stanzas ... </stream:stream>
   Stanzas are added until the stream holds at least target bytes (or the next one would
   not fit in cap), then the stream is closed. Returns the length written, never more
   than cap; 0 if cap cannot hold even an empty stream. The same (target, cap, seed)
   always gives the same bytes.

   The mix: chat messages (bodies with Latin, Cyrillic, Greek, CJK and emoji UTF-8, the
   five predefined entities and character references, chat states, receipts, markers,
   stanza ids, xml:lang), message carbons and MAM results (nested forwarded messages),
   presence with XEP-0115 caps, show/status/priority, delay, vcard-update and idle,
   MUC presence (muc#user item/status, occupant id), PEP events (tune, mood, avatar
   metadata, nick, bookmarks, geoloc), roster results with many items and groups, roster
   pushes, disco#info results, pings, XEP-0198 acks; some elements and attributes use
   prefixes, attribute values use both quote styles; occasional white space keepalives
   between stanzas. Everything is well-formed RFC 6120 XML (UTF-8, no comments, PIs or
   DTD), every stanza is under 16 KiB, and no element has more than 16 attributes
   (namespace declarations included), so the default tokenizer limits hold. */
#ifndef CORPUS_H
#define CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct corpus__w {
    char *p;
    size_t cap, n;
    int over;        /* something did not fit: the stanza being written is dropped */
    uint32_t s;      /* xorshift32 state */
    char q;          /* quote character of the stanza being written */
} corpus__w;

static uint32_t corpus__rnd(corpus__w *w)
{
    uint32_t s = w->s;
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return w->s = s;
}

/* 0 .. n-1 */
static uint32_t corpus__pick(corpus__w *w, uint32_t n) { return (uint32_t)(((uint64_t)corpus__rnd(w) * n) >> 32); }
/* true with probability pct/100 */
static int corpus__pct(corpus__w *w, uint32_t pct) { return corpus__pick(w, 100) < pct; }

static void corpus__put(corpus__w *w, const char *s, size_t n)
{
    if (w->over || n > w->cap - w->n) { w->over = 1; return; }
    memcpy(w->p + w->n, s, n);
    w->n += n;
}
static void corpus__s(corpus__w *w, const char *s) { corpus__put(w, s, strlen(s)); }
static void corpus__c(corpus__w *w, char c) { corpus__put(w, &c, 1); }

static void corpus__u(corpus__w *w, uint32_t v)
{
    char b[10];
    size_t i = sizeof b;
    do { b[--i] = (char)('0' + v % 10); v /= 10; } while (v);
    corpus__put(w, b + i, sizeof b - i);
}

/* v as exactly width digits */
static void corpus__u0(corpus__w *w, uint32_t v, int width)
{
    char b[10];
    int i;
    for (i = width - 1; i >= 0; i--) { b[i] = (char)('0' + v % 10); v /= 10; }
    corpus__put(w, b, (size_t)width);
}

#define CORPUS__N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))
#define CORPUS__ANY(w, a) ((a)[corpus__pick((w), CORPUS__N(a))])

/* random characters from a set */
static void corpus__rand(corpus__w *w, const char *set, size_t n)
{
    size_t k = strlen(set);
    while (n--) corpus__c(w, set[corpus__pick(w, (uint32_t)k)]);
}
static const char corpus__alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char corpus__hex[] = "0123456789abcdef";
static const char corpus__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ---- vocabulary (values are XML-escaped already; none contains a double quote) */

static const char *const corpus__users[] = {
    "alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi", "ivan", "judy",
    "mallory", "oscar", "peggy", "trent", "victor", "walter", "olivia", "sybil", "ted",
    "j\xC3\xBCrgen", "zo\xC3\xAB", "\xD1\x81\xD0\xB2\xD0\xB5\xD1\x82\xD0\xBB\xD0\xB0\xD0\xBD\xD0\xB0",
    "\xE6\x9D\x8E\xE9\x9B\xB7", "fran\xC3\xA7ois", "support", "noreply", "m.jensen", "k_tanaka"
};
static const char *const corpus__domains[] = {
    "example.com", "example.org", "jabber.example.net", "xmpp.example.de", "chat.example.fr",
    "im.example.jp", "example.ru"
};
static const char *const corpus__clients[] = {
    "Conversations", "gajim", "Dino", "Psi+", "Monal", "Siskin", "profanity", "poezio", "Movim"
};
static const char *const corpus__caps_nodes[] = {
    "http://conversations.im", "https://gajim.org", "https://dino.im", "https://psi-plus.com",
    "https://monal-im.org", "https://profanity-im.github.io", "https://poez.io", "https://movim.eu/"
};
static const char *const corpus__rooms[] = {
    "devs", "support", "lounge", "xsf", "jdev", "operators", "\xD1\x87\xD0\xB0\xD1\x82", "release-2.4"
};
static const char *const corpus__nicks[] = {
    "Alice", "bob", "Carol W.", "dave_", "O&apos;Brien", "J\xC3\xBCrgen M\xC3\xBCller",
    "\xD0\x94\xD0\xBC\xD0\xB8\xD1\x82\xD1\x80\xD0\xB8\xD0\xB9", "\xE5\xB0\x8F\xE6\x98\x8E",
    "\xF0\x9F\xA6\x8A fox", "R&amp;D bot", "ch\xC3\xA9rie", "\xCE\x9D\xCE\xAF\xCE\xBA\xCE\xBF\xCF\x82",
    "k\xC5\x82os", "&lt;admin&gt;", "Zo\xC3\xAB", "\xE3\x81\x95\xE3\x81\x8F\xE3\x82\x89"
};
static const char *const corpus__words[] = {
    /* English */
    "hello", "how", "are", "you", "the", "meeting", "is", "tomorrow", "at", "ten", "office",
    "lunch", "sounds", "good", "see", "build", "green", "again", "thanks", "ok", "deploy",
    "done", "coffee?", "weekend", "plans", "I", "think", "we", "should", "ship", "it", "today",
    "please", "review", "my", "patch", "when", "you", "have", "a", "minute", "LGTM", "sure",
    "the", "server", "restarted", "fine", "after", "upgrade", "yes", "no", "maybe", "later",
    "https://example.com/issues/1234", "https://example.org/s?q=xmpp&amp;lang=en", "v2.4.1",
    /* German, French, Polish, Spanish */
    "Gr\xC3\xBC\xC3\237e", "sch\xC3\xB6n", "Stra\xC3\237e", "M\xC3\xBCller", "Tsch\xC3\xBC\xC3\x9F",
    "\xC3\274bermorgen", "d\xC3\xA9j\xC3\xA0", "tr\xC3\xA8s", "bient\xC3\xB4t", "gar\xC3\xA7on",
    "o\xC3\xB9", "\xC3\247a va", "za\xC5\xBC\xC3\xB3\xC5\x82\xC4\x87", "g\xC4\x99\xC5\x9Bl\xC4\x85",
    "ja\xC5\xBA\xC5\x84", "ma\xC3\261ana", "\xC2\277qu\xC3\xA9?",
    /* Russian, Greek */
    "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "\xD0\xBA\xD0\xB0\xD0\xBA",
    "\xD0\xB4\xD0\xB5\xD0\xBB\xD0\xB0", "\xD1\x85\xD0\xBE\xD1\x80\xD0\xBE\xD1\x88\xD0\xBE",
    "\xD1\x81\xD0\xBF\xD0\xB0\xD1\x81\xD0\xB8\xD0\xB1\xD0\xBE", "\xD0\xB7\xD0\xB0\xD0\xB2\xD1\x82\xD1\x80\xD0\xB0",
    "\xD0\xB2\xD1\x81\xD1\x82\xD1\x80\xD0\xB5\xD1\x87\xD0\xB0", "\xCE\xBA\xCE\xB1\xCE\xBB\xCE\xB7\xCE\xBC\xCE\xAD\xCF\x81\xCE\xB1",
    /* Chinese, Japanese, Korean */
    "\xE4\xBD\xA0\xE5\xA5\xBD", "\xE8\xB0\xA2\xE8\xB0\xA2", "\xE6\x98\x8E\xE5\xA4\xA9\xE8\xA7\x81",
    "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF", "\xE3\x81\x82\xE3\x82\x8A\xE3\x81\x8C\xE3\x81\xA8\xE3\x81\x86",
    "\xE4\xBC\x9A\xE8\xAD\xB0", "\xEC\x95\x88\xEB\x85\x95\xED\x95\x98\xEC\x84\xB8\xEC\x9A\x94",
    /* emoji (4-byte, and a 3-byte one with a variation selector) */
    "\xF0\x9F\x98\x80", "\xF0\x9F\x8E\x89", "\xF0\x9F\x91\x8D", "\xF0\x9F\x9A\x80", "\xE2\x9D\xA4\xEF\xB8\x8F",
    "\xF0\x9F\x99\x82", "\xE2\x98\x95",
    /* escapes and character references */
    "&amp;", "&lt;3", "-&gt;", "&quot;quoted&quot;", "it&apos;s", "&#x263A;", "&#9731;",
    "&#x1F600;", "R&amp;D", "a &lt; b &amp;&amp; c &gt; d", "&#233;t&#233;", "x&gt;y"
};
static const char *const corpus__status[] = {
    "Working from home", "In a meeting until 3pm", "\xF0\x9F\x8F\x96 on vacation",
    "Bin gleich zur\xC3\274ck", "\xD0\x9D\xD0\xB5 \xD0\xB1\xD0\xB5\xD1\x81\xD0\xBF\xD0\xBE\xD0\xBA\xD0\xBE\xD0\xB8\xD1\x82\xD1\x8C",
    "\xE5\xBF\x99\xE7\xA2\x8C\xE4\xB8\xAD", "Listening to &quot;Yes &amp; No&quot;", "&lt;away&gt;", "brb"
};
static const char *const corpus__shows[] = { "away", "chat", "dnd", "xa" };
static const char *const corpus__langs[] = { "en", "de", "fr", "ru", "ja", "zh-Hans", "pl", "en-GB" };
static const char *const corpus__groups[] = {
    "Friends", "Work", "Family", "Coworkers", "XSF", "Gaming", "Familie", "\xD0\x94\xD1\x80\xD1\x83\xD0\xB7\xD1\x8C\xD1\x8F",
    "\xE5\x90\x8C\xE4\xBA\x8B", "Book club &amp; wine", "Ops &lt;on-call&gt;"
};
static const char *const corpus__states[] = { "active", "composing", "paused", "inactive", "gone" };
static const char *const corpus__affil[] = { "owner", "admin", "member", "none", "none", "member" };
static const char *const corpus__roles[] = { "moderator", "participant", "participant", "visitor" };
static const char *const corpus__features[] = {
    "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
    "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc",
    "http://jabber.org/protocol/chatstates", "urn:xmpp:receipts", "urn:xmpp:ping",
    "urn:xmpp:time", "jabber:iq:version", "urn:xmpp:carbons:2", "urn:xmpp:mam:2",
    "urn:xmpp:chat-markers:0", "urn:xmpp:message-correct:0", "urn:xmpp:jingle:1",
    "urn:xmpp:jingle:apps:rtp:1", "urn:xmpp:jingle:apps:rtp:audio", "urn:xmpp:jingle:apps:rtp:video",
    "urn:xmpp:jingle:transports:ice-udp:1", "urn:xmpp:jingle:apps:file-transfer:5",
    "http://jabber.org/protocol/tune+notify", "http://jabber.org/protocol/mood+notify",
    "urn:xmpp:avatar:metadata+notify", "http://jabber.org/protocol/nick+notify",
    "urn:xmpp:bookmarks:1+notify", "urn:xmpp:omemo:2:devices+notify", "urn:xmpp:reactions:0",
    "urn:xmpp:sid:0", "urn:xmpp:idle:1", "http://jabber.org/protocol/xhtml-im", "jabber:x:oob"
};
static const char *const corpus__artists[] = {
    "Yes", "Radiohead", "Kraftwerk", "\xD0\x9A\xD0\xB8\xD0\xBD\xD0\xBE", "Bj\xC3\xB6rk", "Sigur R\xC3\xB3s",
    "\xE5\x9D\x82\xE6\x9C\xAC\xE9\xBE\x8D\xE4\xB8\x80", "Simon &amp; Garfunkel", "AC/DC"
};
static const char *const corpus__titles[] = {
    "Heart of the Sunrise", "Paranoid Android", "Das Model", "Hyperballad", "Hopp\xC3\255polla",
    "Merry Christmas Mr. Lawrence", "The Boxer", "Back in Black", "\xD0\x93\xD1\x80\xD1\x83\xD0\xBF\xD0\xBF\xD0\xB0 \xD0\xBA\xD1\x80\xD0\xBE\xD0\xB2\xD0\xB8"
};
static const char *const corpus__moods[] = { "happy", "tired", "excited", "busy", "calm", "hungry", "stressed" };

/* ---- pieces */

static void corpus__attr(corpus__w *w, const char *name, const char *value)
{
    corpus__c(w, ' ');
    corpus__s(w, name);
    corpus__c(w, '=');
    corpus__c(w, w->q);
    corpus__s(w, value);
    corpus__c(w, w->q);
}
/* ' name=' and the opening quote: the caller writes the value and calls corpus__q */
static void corpus__aopen(corpus__w *w, const char *name)
{
    corpus__c(w, ' ');
    corpus__s(w, name);
    corpus__c(w, '=');
    corpus__c(w, w->q);
}
static void corpus__q(corpus__w *w) { corpus__c(w, w->q); }

static void corpus__bare(corpus__w *w)
{
    corpus__s(w, CORPUS__ANY(w, corpus__users));
    corpus__c(w, '@');
    corpus__s(w, CORPUS__ANY(w, corpus__domains));
}
static void corpus__resource(corpus__w *w)
{
    corpus__s(w, CORPUS__ANY(w, corpus__clients));
    corpus__c(w, '.');
    corpus__rand(w, corpus__alnum, 4 + corpus__pick(w, 5));
}
static void corpus__full(corpus__w *w)
{
    corpus__bare(w);
    corpus__c(w, '/');
    corpus__resource(w);
}
static void corpus__jid_attr(corpus__w *w, const char *name, int full)
{
    corpus__aopen(w, name);
    if (full) corpus__full(w); else corpus__bare(w);
    corpus__q(w);
}
static void corpus__me_attr(corpus__w *w, const char *name)
{
    corpus__attr(w, name, "me@example.com/laptop.Qw3rTy");
}
static void corpus__id_attr(corpus__w *w, const char *name)
{
    corpus__aopen(w, name);
    if (corpus__pct(w, 50)) {   /* a UUID */
        corpus__rand(w, corpus__hex, 8); corpus__c(w, '-');
        corpus__rand(w, corpus__hex, 4); corpus__c(w, '-');
        corpus__rand(w, corpus__hex, 4); corpus__c(w, '-');
        corpus__rand(w, corpus__hex, 4); corpus__c(w, '-');
        corpus__rand(w, corpus__hex, 12);
    } else {
        corpus__rand(w, corpus__alnum, 8 + corpus__pick(w, 9));
    }
    corpus__q(w);
}
static void corpus__stamp(corpus__w *w)
{
    corpus__s(w, "20");
    corpus__u0(w, 20 + corpus__pick(w, 6), 2); corpus__c(w, '-');
    corpus__u0(w, 1 + corpus__pick(w, 12), 2); corpus__c(w, '-');
    corpus__u0(w, 1 + corpus__pick(w, 28), 2); corpus__c(w, 'T');
    corpus__u0(w, corpus__pick(w, 24), 2); corpus__c(w, ':');
    corpus__u0(w, corpus__pick(w, 60), 2); corpus__c(w, ':');
    corpus__u0(w, corpus__pick(w, 60), 2);
    if (corpus__pct(w, 50)) { corpus__c(w, '.'); corpus__u0(w, corpus__pick(w, 1000), 3); }
    corpus__c(w, 'Z');
}
static void corpus__stamp_attr(corpus__w *w, const char *name)
{
    corpus__aopen(w, name);
    corpus__stamp(w);
    corpus__q(w);
}
static void corpus__lang_attr(corpus__w *w)
{
    corpus__attr(w, "xml:lang", CORPUS__ANY(w, corpus__langs));
}

/* element text: a few words; long pastes now and then; some line breaks */
static void corpus__text(corpus__w *w, uint32_t minw, uint32_t maxw)
{
    uint32_t i, n = minw + corpus__pick(w, maxw - minw + 1);
    for (i = 0; i < n; i++) {
        if (i) corpus__c(w, corpus__pct(w, 4) ? '\n' : ' ');
        corpus__s(w, CORPUS__ANY(w, corpus__words));
    }
}
static void corpus__body(corpus__w *w)
{
    uint32_t r = corpus__pick(w, 100);
    corpus__s(w, "<body>");
    if (r < 70) corpus__text(w, 1, 14);
    else if (r < 95) corpus__text(w, 10, 60);
    else corpus__text(w, 100, 400);   /* a paste: up to a few KiB */
    corpus__s(w, "</body>");
}
static void corpus__caps(corpus__w *w)
{
    corpus__s(w, "<c xmlns=");
    corpus__q(w);
    corpus__s(w, "http://jabber.org/protocol/caps");
    corpus__q(w);
    corpus__attr(w, "hash", "sha-1");
    corpus__attr(w, "node", CORPUS__ANY(w, corpus__caps_nodes));
    corpus__aopen(w, "ver");
    corpus__rand(w, corpus__b64, 27);
    corpus__c(w, '=');
    corpus__q(w);
    corpus__s(w, "/>");
}
static void corpus__xmlns(corpus__w *w, const char *tag, const char *ns)
{
    corpus__c(w, '<');
    corpus__s(w, tag);
    corpus__attr(w, "xmlns", ns);
}

/* ---- stanzas */

/* a chat message; inner: as carried inside <forwarded/> (needs its own xmlns) */
static void corpus__chat(corpus__w *w, int inner)
{
    int groupchat = corpus__pct(w, 15);
    corpus__s(w, "<message");
    if (inner) corpus__attr(w, "xmlns", "jabber:client");
    if (groupchat) {
        corpus__aopen(w, "from");
        corpus__s(w, CORPUS__ANY(w, corpus__rooms));
        corpus__s(w, "@conference.example.com/");
        corpus__s(w, CORPUS__ANY(w, corpus__nicks));
        corpus__q(w);
    } else {
        corpus__jid_attr(w, "from", 1);
    }
    corpus__me_attr(w, "to");
    corpus__attr(w, "type", groupchat ? "groupchat" : "chat");
    corpus__id_attr(w, "id");
    if (corpus__pct(w, 30)) corpus__lang_attr(w);
    corpus__c(w, '>');
    if (corpus__pct(w, 90)) corpus__body(w);
    if (!groupchat && corpus__pct(w, 70)) {
        corpus__c(w, '<');
        corpus__s(w, corpus__states[0]);
        corpus__attr(w, "xmlns", "http://jabber.org/protocol/chatstates");
        corpus__s(w, "/>");
    }
    if (!groupchat && corpus__pct(w, 40)) { corpus__xmlns(w, "request", "urn:xmpp:receipts"); corpus__s(w, "/>"); }
    if (corpus__pct(w, 30)) { corpus__xmlns(w, "markable", "urn:xmpp:chat-markers:0"); corpus__s(w, "/>"); }
    if (corpus__pct(w, 10)) {   /* out of band data, with a prefix */
        corpus__s(w, "<oob:x xmlns:oob=");
        corpus__q(w); corpus__s(w, "jabber:x:oob"); corpus__q(w);
        corpus__s(w, "><oob:url>https://upload.example.com/");
        corpus__rand(w, corpus__alnum, 24);
        corpus__s(w, "/photo.jpg</oob:url></oob:x>");
    }
    if (corpus__pct(w, 60)) { corpus__xmlns(w, "origin-id", "urn:xmpp:sid:0"); corpus__id_attr(w, "id"); corpus__s(w, "/>"); }
    if (corpus__pct(w, 60)) {
        corpus__xmlns(w, "stanza-id", "urn:xmpp:sid:0");
        corpus__id_attr(w, "id");
        corpus__attr(w, "by", groupchat ? "devs@conference.example.com" : "me@example.com");
        corpus__s(w, "/>");
    }
    corpus__s(w, "</message>");
}

static void corpus__chatstate(corpus__w *w)
{
    corpus__s(w, "<message");
    corpus__jid_attr(w, "from", 1);
    corpus__me_attr(w, "to");
    corpus__attr(w, "type", "chat");
    if (corpus__pct(w, 50)) corpus__id_attr(w, "id");
    corpus__c(w, '>');
    if (corpus__pct(w, 70)) {
        corpus__c(w, '<');
        corpus__s(w, CORPUS__ANY(w, corpus__states));
        corpus__attr(w, "xmlns", "http://jabber.org/protocol/chatstates");
        corpus__s(w, "/>");
    } else {
        if (corpus__pct(w, 50)) corpus__xmlns(w, "received", "urn:xmpp:receipts");
        else corpus__xmlns(w, corpus__pct(w, 50) ? "displayed" : "received", "urn:xmpp:chat-markers:0");
        corpus__id_attr(w, "id");
        corpus__s(w, "/>");
    }
    corpus__s(w, "</message>");
}

/* a carbon copy or a MAM result: a message forwarded inside another */
static void corpus__forwarded(corpus__w *w)
{
    int mam = corpus__pct(w, 50);
    const char *wrap = "result";
    corpus__s(w, "<message");
    corpus__attr(w, "from", "me@example.com");
    corpus__me_attr(w, "to");
    if (!mam) corpus__attr(w, "type", "chat");
    corpus__c(w, '>');
    if (mam) {
        corpus__xmlns(w, "result", "urn:xmpp:mam:2");
        corpus__id_attr(w, "queryid");
        corpus__id_attr(w, "id");
        corpus__c(w, '>');
    } else {
        wrap = corpus__pct(w, 50) ? "sent" : "received";
        corpus__xmlns(w, wrap, "urn:xmpp:carbons:2");
        corpus__c(w, '>');
    }
    corpus__xmlns(w, "forwarded", "urn:xmpp:forward:0");
    corpus__c(w, '>');
    if (mam) {
        corpus__xmlns(w, "delay", "urn:xmpp:delay");
        corpus__stamp_attr(w, "stamp");
        corpus__s(w, "/>");
    }
    corpus__chat(w, 1);
    corpus__s(w, "</forwarded>");
    corpus__s(w, "</");
    corpus__s(w, wrap);
    corpus__c(w, '>');
    corpus__s(w, "</message>");
}

static void corpus__presence(corpus__w *w)
{
    corpus__s(w, "<presence");
    corpus__jid_attr(w, "from", 1);
    corpus__me_attr(w, "to");
    if (corpus__pct(w, 8)) {
        corpus__attr(w, "type", "unavailable");
        corpus__s(w, corpus__pct(w, 50) ? "/>" : "><status>Disconnected: closed</status></presence>");
        return;
    }
    if (corpus__pct(w, 30)) corpus__id_attr(w, "id");
    if (corpus__pct(w, 25)) corpus__lang_attr(w);
    corpus__c(w, '>');
    if (corpus__pct(w, 55)) { corpus__s(w, "<show>"); corpus__s(w, CORPUS__ANY(w, corpus__shows)); corpus__s(w, "</show>"); }
    if (corpus__pct(w, 45)) { corpus__s(w, "<status>"); corpus__s(w, CORPUS__ANY(w, corpus__status)); corpus__s(w, "</status>"); }
    if (corpus__pct(w, 80)) { corpus__s(w, "<priority>"); corpus__u(w, corpus__pick(w, 128)); corpus__s(w, "</priority>"); }
    corpus__caps(w);
    if (corpus__pct(w, 30)) {
        corpus__xmlns(w, "delay", "urn:xmpp:delay");
        corpus__aopen(w, "from"); corpus__s(w, CORPUS__ANY(w, corpus__domains)); corpus__q(w);
        corpus__stamp_attr(w, "stamp");
        corpus__s(w, "/>");
    }
    if (corpus__pct(w, 50)) {
        corpus__xmlns(w, "x", "vcard-temp:x:update");
        corpus__s(w, "><photo>");
        corpus__rand(w, corpus__hex, 40);
        corpus__s(w, "</photo></x>");
    }
    if (corpus__pct(w, 15)) {
        corpus__xmlns(w, "idle", "urn:xmpp:idle:1");
        corpus__stamp_attr(w, "since");
        corpus__s(w, "/>");
    }
    corpus__s(w, "</presence>");
}

static void corpus__muc_presence(corpus__w *w)
{
    int self = corpus__pct(w, 10), gone = corpus__pct(w, 10);
    corpus__s(w, "<presence");
    corpus__aopen(w, "from");
    corpus__s(w, CORPUS__ANY(w, corpus__rooms));
    corpus__s(w, "@conference.example.com/");
    corpus__s(w, CORPUS__ANY(w, corpus__nicks));
    corpus__q(w);
    corpus__me_attr(w, "to");
    if (gone) corpus__attr(w, "type", "unavailable");
    if (corpus__pct(w, 40)) corpus__id_attr(w, "id");
    corpus__c(w, '>');
    if (!gone) {
        if (corpus__pct(w, 30)) { corpus__s(w, "<show>"); corpus__s(w, CORPUS__ANY(w, corpus__shows)); corpus__s(w, "</show>"); }
        if (corpus__pct(w, 70)) corpus__caps(w);
    }
    corpus__xmlns(w, "x", "http://jabber.org/protocol/muc#user");
    corpus__s(w, "><item");
    corpus__attr(w, "affiliation", CORPUS__ANY(w, corpus__affil));
    corpus__attr(w, "role", gone ? "none" : CORPUS__ANY(w, corpus__roles));
    if (corpus__pct(w, 70)) corpus__jid_attr(w, "jid", 1);
    corpus__s(w, "/>");
    if (self) {
        corpus__s(w, "<status code="); corpus__q(w); corpus__s(w, "110"); corpus__q(w); corpus__s(w, "/>");
        corpus__s(w, "<status code="); corpus__q(w); corpus__s(w, "100"); corpus__q(w); corpus__s(w, "/>");
    } else if (corpus__pct(w, 10)) {
        corpus__s(w, "<status code="); corpus__q(w); corpus__s(w, "170"); corpus__q(w); corpus__s(w, "/>");
    }
    corpus__s(w, "</x>");
    if (corpus__pct(w, 50)) { corpus__xmlns(w, "occupant-id", "urn:xmpp:occupant-id:0"); corpus__id_attr(w, "id"); corpus__s(w, "/>"); }
    corpus__s(w, "</presence>");
}

static void corpus__pep(corpus__w *w)
{
    uint32_t kind = corpus__pick(w, 6);
    int pfx = corpus__pct(w, 20);   /* pubsub#event elements with an "ev" prefix */
    const char *ev = pfx ? "ev:" : "";
    static const char *const nodes[] = {
        "http://jabber.org/protocol/tune", "http://jabber.org/protocol/mood", "urn:xmpp:avatar:metadata",
        "http://jabber.org/protocol/nick", "urn:xmpp:bookmarks:1", "http://jabber.org/protocol/geoloc"
    };
    corpus__s(w, "<message");
    corpus__jid_attr(w, "from", 0);
    corpus__me_attr(w, "to");
    corpus__attr(w, "type", "headline");
    corpus__id_attr(w, "id");
    corpus__s(w, "><");
    corpus__s(w, ev);
    corpus__s(w, "event");
    corpus__attr(w, pfx ? "xmlns:ev" : "xmlns", "http://jabber.org/protocol/pubsub#event");
    corpus__s(w, "><"); corpus__s(w, ev); corpus__s(w, "items");
    corpus__attr(w, "node", nodes[kind]);
    corpus__s(w, "><"); corpus__s(w, ev); corpus__s(w, "item");
    if (kind == 4) {
        corpus__aopen(w, "id"); corpus__s(w, CORPUS__ANY(w, corpus__rooms)); corpus__s(w, "@conference.example.com"); corpus__q(w);
    } else if (kind == 2) {
        corpus__aopen(w, "id"); corpus__rand(w, corpus__hex, 40); corpus__q(w);
    } else {
        corpus__attr(w, "id", "current");
    }
    if (corpus__pct(w, 30)) corpus__jid_attr(w, "publisher", 0);
    corpus__c(w, '>');
    switch (kind) {
    case 0:
        corpus__xmlns(w, "tune", nodes[0]);
        corpus__s(w, "><artist>"); corpus__s(w, CORPUS__ANY(w, corpus__artists));
        corpus__s(w, "</artist><length>"); corpus__u(w, 120 + corpus__pick(w, 600));
        corpus__s(w, "</length><rating>"); corpus__u(w, 1 + corpus__pick(w, 10));
        corpus__s(w, "</rating><source>"); corpus__text(w, 1, 3);
        corpus__s(w, "</source><title>"); corpus__s(w, CORPUS__ANY(w, corpus__titles));
        corpus__s(w, "</title><track>"); corpus__u(w, 1 + corpus__pick(w, 14));
        corpus__s(w, "</track><uri>https://music.example.com/track/"); corpus__rand(w, corpus__alnum, 12);
        corpus__s(w, "?ref=xmpp&amp;t=0</uri></tune>");
        break;
    case 1:
        corpus__xmlns(w, "mood", nodes[1]);
        corpus__s(w, "><"); corpus__s(w, CORPUS__ANY(w, corpus__moods)); corpus__s(w, "/><text>");
        corpus__text(w, 1, 8);
        corpus__s(w, "</text></mood>");
        break;
    case 2:
        corpus__xmlns(w, "metadata", nodes[2]);
        corpus__s(w, "><info");
        corpus__aopen(w, "bytes"); corpus__u(w, 2000 + corpus__pick(w, 60000)); corpus__q(w);
        corpus__attr(w, "height", "96");
        corpus__aopen(w, "id"); corpus__rand(w, corpus__hex, 40); corpus__q(w);
        corpus__attr(w, "type", corpus__pct(w, 50) ? "image/png" : "image/webp");
        corpus__attr(w, "width", "96");
        corpus__s(w, "/></metadata>");
        break;
    case 3:
        corpus__xmlns(w, "nick", nodes[3]);
        corpus__c(w, '>');
        corpus__s(w, CORPUS__ANY(w, corpus__nicks));
        corpus__s(w, "</nick>");
        break;
    case 4:
        corpus__xmlns(w, "conference", nodes[4]);
        corpus__aopen(w, "name"); corpus__text(w, 1, 3); corpus__q(w);
        corpus__attr(w, "autojoin", corpus__pct(w, 50) ? "true" : "false");
        corpus__s(w, "><nick>"); corpus__s(w, CORPUS__ANY(w, corpus__nicks)); corpus__s(w, "</nick></conference>");
        break;
    default:
        corpus__xmlns(w, "geoloc", nodes[5]);
        corpus__lang_attr(w);
        corpus__s(w, "><accuracy>20</accuracy><country>");
        corpus__s(w, corpus__pct(w, 50) ? "\xC3\x96sterreich" : "\xE6\x97\xA5\xE6\x9C\xAC");
        corpus__s(w, "</country><lat>"); corpus__u(w, corpus__pick(w, 90)); corpus__c(w, '.'); corpus__u0(w, corpus__pick(w, 100000), 5);
        corpus__s(w, "</lat><lon>"); corpus__u(w, corpus__pick(w, 180)); corpus__c(w, '.'); corpus__u0(w, corpus__pick(w, 100000), 5);
        corpus__s(w, "</lon><timestamp>"); corpus__stamp(w);
        corpus__s(w, "</timestamp></geoloc>");
        break;
    }
    corpus__s(w, "</"); corpus__s(w, ev); corpus__s(w, "item>");
    corpus__s(w, "</"); corpus__s(w, ev); corpus__s(w, "items>");
    corpus__s(w, "</"); corpus__s(w, ev); corpus__s(w, "event>");
    if (corpus__pct(w, 20)) {
        corpus__xmlns(w, "addresses", "http://jabber.org/protocol/address");
        corpus__s(w, "><address");
        corpus__attr(w, "type", "replyto");
        corpus__jid_attr(w, "jid", 1);
        corpus__s(w, "/></addresses>");
    }
    corpus__s(w, "</message>");
}

static void corpus__roster_item(corpus__w *w)
{
    static const char *const subs[] = { "both", "both", "both", "to", "from", "none" };
    uint32_t g, ng = corpus__pick(w, 4);
    corpus__s(w, "<item");
    corpus__jid_attr(w, "jid", 0);
    if (corpus__pct(w, 80)) { corpus__aopen(w, "name"); corpus__s(w, CORPUS__ANY(w, corpus__nicks)); corpus__q(w); }
    corpus__attr(w, "subscription", CORPUS__ANY(w, subs));
    if (corpus__pct(w, 5)) corpus__attr(w, "ask", "subscribe");
    if (!ng) { corpus__s(w, "/>"); return; }
    corpus__c(w, '>');
    for (g = 0; g < ng; g++) { corpus__s(w, "<group>"); corpus__s(w, CORPUS__ANY(w, corpus__groups)); corpus__s(w, "</group>"); }
    corpus__s(w, "</item>");
}

static void corpus__roster(corpus__w *w, size_t start)
{
    int push = corpus__pct(w, 50);
    uint32_t i, n = push ? 1 : 20 + corpus__pick(w, 100);
    corpus__s(w, "<iq");
    corpus__me_attr(w, "to");
    corpus__attr(w, "type", push ? "set" : "result");
    corpus__id_attr(w, "id");
    corpus__s(w, "><query");
    corpus__attr(w, "xmlns", "jabber:iq:roster");
    corpus__aopen(w, "ver"); corpus__s(w, "ver"); corpus__u(w, corpus__pick(w, 100000)); corpus__q(w);
    corpus__c(w, '>');
    for (i = 0; i < n && w->n - start < 14000; i++) corpus__roster_item(w);   /* < 16 KiB */
    corpus__s(w, "</query></iq>");
}

static void corpus__disco(corpus__w *w)
{
    uint32_t i, n = 10 + corpus__pick(w, CORPUS__N(corpus__features) - 10);
    uint32_t first = corpus__pick(w, CORPUS__N(corpus__features));
    corpus__s(w, "<iq");
    corpus__jid_attr(w, "from", 1);
    corpus__me_attr(w, "to");
    corpus__attr(w, "type", "result");
    corpus__id_attr(w, "id");
    corpus__s(w, "><query");
    corpus__attr(w, "xmlns", "http://jabber.org/protocol/disco#info");
    corpus__aopen(w, "node"); corpus__s(w, CORPUS__ANY(w, corpus__caps_nodes)); corpus__c(w, '#');
    corpus__rand(w, corpus__b64, 27); corpus__c(w, '='); corpus__q(w);
    corpus__s(w, "><identity");
    corpus__attr(w, "category", "client");
    corpus__attr(w, "type", corpus__pct(w, 50) ? "pc" : "phone");
    corpus__aopen(w, "name"); corpus__s(w, CORPUS__ANY(w, corpus__clients)); corpus__q(w);
    corpus__lang_attr(w);
    corpus__s(w, "/>");
    for (i = 0; i < n; i++) {   /* distinct features, in a rotating order */
        corpus__s(w, "<feature var=");
        corpus__q(w);
        corpus__s(w, corpus__features[(first + i) % CORPUS__N(corpus__features)]);
        corpus__q(w);
        corpus__s(w, "/>");
    }
    corpus__s(w, "</query></iq>");
}

static void corpus__ping(corpus__w *w)
{
    corpus__s(w, "<iq");
    corpus__aopen(w, "from"); corpus__s(w, "example.com"); corpus__q(w);
    corpus__me_attr(w, "to");
    corpus__id_attr(w, "id");
    corpus__attr(w, "type", "get");
    corpus__s(w, "><ping");
    corpus__attr(w, "xmlns", "urn:xmpp:ping");
    corpus__s(w, "/></iq>");
}

static void corpus__sm(corpus__w *w)
{
    uint32_t r = corpus__pick(w, 3);
    if (r == 0) { corpus__xmlns(w, "r", "urn:xmpp:sm:3"); corpus__s(w, "/>"); return; }
    if (r == 1) { corpus__xmlns(w, "a", "urn:xmpp:sm:3"); }
    else { corpus__s(w, "<sm:a"); corpus__attr(w, "xmlns:sm", "urn:xmpp:sm:3"); }
    corpus__aopen(w, "h"); corpus__u(w, corpus__pick(w, 100000)); corpus__q(w);
    corpus__s(w, "/>");
}

static void corpus__stanza(corpus__w *w, size_t start)
{
    uint32_t r = corpus__pick(w, 1000);
    w->q = corpus__pct(w, 20) ? '"' : '\'';
    if (r < 330) corpus__chat(w, 0);
    else if (r < 420) corpus__chatstate(w);
    else if (r < 480) corpus__forwarded(w);
    else if (r < 680) corpus__presence(w);
    else if (r < 800) corpus__muc_presence(w);
    else if (r < 900) corpus__pep(w);
    else if (r < 915) corpus__roster(w, start);
    else if (r < 935) corpus__disco(w);
    else if (r < 960) corpus__ping(w);
    else corpus__sm(w);
}

static size_t corpus_make(char *out, size_t cap, size_t target, uint32_t seed)
{
    static const char head[] =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        "xmlns:stream='http://etherx.jabber.org/streams' from='example.com' "
        "id='6b1d3f0e-3b8c-4a4e-9a57-0c2f7e5d9a11' to='me@example.com' version='1.0' xml:lang='en'>"
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
        "<sm xmlns='urn:xmpp:sm:3'/><csi xmlns='urn:xmpp:csi:0'/>"
        "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://prosody.im' "
        "ver='vGcbnqvQvlGdqcTqV1pgqbaSkVo='/></stream:features>";
    static const char tail[] = "</stream:stream>";
    corpus__w w;
    if (cap < sizeof head - 1 + sizeof tail - 1) return 0;
    w.p = out;
    w.cap = cap - (sizeof tail - 1);   /* the tail always fits */
    w.n = 0;
    w.over = 0;
    w.s = seed ? seed : 0x9E3779B9u;
    w.q = '\'';
    corpus__put(&w, head, sizeof head - 1);
    while (w.n < target) {
        size_t start = w.n;
        if (corpus__pct(&w, 5))   /* a white space keepalive */
            corpus__s(&w, corpus__pct(&w, 50) ? " " : corpus__pct(&w, 50) ? "\n" : "\r\n\t ");
        corpus__stanza(&w, start);
        if (w.over) { w.n = start; break; }   /* it did not fit: drop it, close the stream */
    }
    w.over = 0;
    w.cap += sizeof tail - 1;
    corpus__put(&w, tail, sizeof tail - 1);
    return w.n;
}

#endif /* CORPUS_H */
