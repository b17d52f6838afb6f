/* treecmp.h - two stanza trees (>>stanza) equal node by node: names, namespaces,
   attributes in order, text (each node's, and each element's joined view), children.
   For the tests and the fuzz target that round-trip trees. Include after xmpp.h. */
#ifndef TREECMP_H
#define TREECMP_H
#include <string.h>

static int same_tree(const xmpp_node *a, const xmpp_node *b)
{
    size_t i;
    if (!a || !b) return a == b;
    if (xmpp_node_is_text(a) != xmpp_node_is_text(b)) return 0;
    if (xmpp_node_is_text(a)) {
        xmpp_str x = xmpp_node_text(a), y = xmpp_node_text(b);
        return x.n == y.n && memcmp(x.p, y.p, x.n) == 0;
    }
    {
        xmpp_str x = xmpp_node_name(a), y = xmpp_node_name(b), u = xmpp_node_ns(a), v = xmpp_node_ns(b);
        if (x.n != y.n || memcmp(x.p, y.p, x.n) || u.n != v.n || (u.n && memcmp(u.p, v.p, u.n))) return 0;
    }
    if (xmpp_node_attr_count(a) != xmpp_node_attr_count(b)) return 0;
    for (i = 0; i < xmpp_node_attr_count(a); i++) {
        xmpp_str n1, n2, s1, s2, v1, v2;
        if (!xmpp_node_attr_at(a, i, &s1, &n1, &v1) || !xmpp_node_attr_at(b, i, &s2, &n2, &v2)) return 0;
        if (n1.n != n2.n || memcmp(n1.p, n2.p, n1.n) || s1.n != s2.n || (s1.n && memcmp(s1.p, s2.p, s1.n)) ||
            v1.n != v2.n || (v1.n && memcmp(v1.p, v2.p, v1.n)))
            return 0;
    }
    /* text joined the same way, and the children one by one */
    {
        xmpp_str x = xmpp_node_text(a), y = xmpp_node_text(b);
        if ((x.p == NULL) != (y.p == NULL) || x.n != y.n || (x.n && memcmp(x.p, y.p, x.n))) return 0;
    }
    for (a = xmpp_node_first(a), b = xmpp_node_first(b); a || b; a = xmpp_node_next(a), b = xmpp_node_next(b))
        if (!same_tree(a, b)) return 0;
    return 1;
}
#endif
