struct node { int v; struct node *next; };
struct node *node(struct node *n, int k) { while (n && k-- > 0) { n->v += k; n = n->next; } if (n) n->v *= 3; return n ? n->next : n; }
struct node *node2(struct node *n, int k) { while (n && k-- > 0) { n->v += k; n = n->next; } if (n) n->v *= 3; return n ? n->next : n; }
