/* The context-escaping HTML writer (see html.h). Escaping copies runs of safe bytes in one
 * append and replaces each special byte with a fixed character reference. */
#include "ui/html.h"

#include <stdio.h>
#include <string.h>

enum html_context { HTML_TEXT, HTML_ATTR };

/* The reference for byte c in context ctx, or NULL when c is written as is. */
static const char *html_entity(unsigned char c, enum html_context ctx)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: break;
    }
    if (ctx != HTML_ATTR)
        return NULL;
    switch (c) {
    case '`': return "&#96;";
    /* the parser turns a raw CR or CRLF into LF before it sees the attribute; a reference
     * keeps the value byte for byte */
    case '\r': return "&#13;";
    case '\n': return "&#10;";
    default: return NULL;
    }
}

void grantd_html_init(struct grantd_html *h, size_t max)
{
    grantd_buf_init(&h->buf, max);
    h->rc = GRANTD_OK;
}

void grantd_html_free(struct grantd_html *h)
{
    grantd_buf_free(&h->buf);
}

void grantd_html_markup_n(struct grantd_html *h, const char *s, size_t n)
{
    if (h->rc != GRANTD_OK || n == 0)
        return;
    h->rc = grantd_buf_append(&h->buf, s, n);
}

static void html_escape(struct grantd_html *h, const char *s, enum html_context ctx)
{
    if (!s)
        return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *ent = html_entity((unsigned char)*p, ctx);
        if (!ent)
            continue;
        grantd_html_markup_n(h, run, (size_t)(p - run));
        grantd_html_markup_n(h, ent, strlen(ent));
        run = p + 1;
    }
    grantd_html_markup_n(h, run, strlen(run));
}

void grantd_html_text(struct grantd_html *h, const char *s)
{
    html_escape(h, s, HTML_TEXT);
}

void grantd_html_attr_n(struct grantd_html *h, const char *name, size_t name_len,
                        const char *value)
{
    grantd_html_lit(h, " ");
    grantd_html_markup_n(h, name, name_len);
    grantd_html_lit(h, "=\"");
    html_escape(h, value, HTML_ATTR);
    grantd_html_lit(h, "\"");
}

void grantd_html_int(struct grantd_html *h, long long v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%lld", v);
    grantd_html_markup_n(h, tmp, (size_t)n);
}

grantd_rc grantd_html_finish(struct grantd_html *h, struct grantd_arena *arena, const char **out,
                             size_t *len)
{
    *out = NULL;
    *len = 0;
    if (h->rc != GRANTD_OK)
        return h->rc;
    *out = grantd_arena_strndup(arena, h->buf.data ? h->buf.data : "", h->buf.len);
    *len = h->buf.len;
    return GRANTD_OK;
}
