/* A tiny HTML writer that escapes by context, for the pages in ui/pages.c.
 *
 * There are exactly three ways to put bytes into a page:
 *   - grantd_html_lit:  markup written by us. It is a macro that only compiles with a string
 *                       literal, so a runtime value can never reach the page unescaped.
 *                       (One caller writes grantd_html_markup_n directly: ui/layout.c, for
 *                       the theme's stylesheet, which ui/theme.c builds from literal rules
 *                       and #rrggbb colours only, and the constant copy script.)
 *   - grantd_html_text: a value in text content (between tags). & < > " ' are escaped.
 *   - grantd_html_attr: a whole attribute ` name="value"`, always double-quoted, with the
 *                       same set plus ` (old IE treated it as a quote) and CR/LF escaped.
 * There is no way to write a value inside <script> or <style>, into a URL scheme position,
 * or into an unquoted attribute: the pages never need it, so the writer does not offer it.
 *
 * Bytes above 0x7F pass through untouched: the page is served as UTF-8, and a browser's
 * UTF-8 decoder never lets a malformed sequence swallow the ASCII byte after it, so escaping
 * the ASCII specials is enough even for invalid input.
 *
 * The writer builds into a capped buffer (core/buf.h). Errors are sticky: after the first
 * append that would pass the cap every later call does nothing, and grantd_html_finish
 * reports GRANTD_ETOOBIG, so a page function can write straight through and check once.
 * This module is not: the page layout, the headers, or the CSP (see ui/layout.h). */
#ifndef GRANTD_UI_HTML_H
#define GRANTD_UI_HTML_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/mem.h"

/* The largest page grantd renders. The biggest value on any page is the `request` hidden
 * field (a raw query string, bounded by the connection memory limit of 32 KiB), which can
 * grow six-fold when every byte is a quote; this leaves room for that. */
#define GRANTD_HTML_MAX (256u * 1024u)

struct grantd_html {
    struct grantd_buf buf;
    grantd_rc rc;  /* GRANTD_OK until an append fails; then stays failed */
};

/* An empty page capped at max bytes. Release with grantd_html_free (always, also after
 * grantd_html_finish). */
void grantd_html_init(struct grantd_html *h, size_t max);
void grantd_html_free(struct grantd_html *h);

/* Trusted markup: n bytes that are part of grantd's own templates. Only for compile-time
 * constants; call it through grantd_html_lit, which refuses anything but a literal. */
void grantd_html_markup_n(struct grantd_html *h, const char *s, size_t n);
#define grantd_html_lit(h, lit) grantd_html_markup_n((h), "" lit "", sizeof(lit) - 1)

/* s (NULL is the empty string) escaped for text content. */
void grantd_html_text(struct grantd_html *h, const char *s);

/* ` name="value"`: value (NULL is the empty string) escaped for a double-quoted attribute.
 * name must be a literal (enforced by the macro). */
void grantd_html_attr_n(struct grantd_html *h, const char *name, size_t name_len,
                        const char *value);
#define grantd_html_attr(h, name, value) \
    grantd_html_attr_n((h), "" name "", sizeof(name) - 1, (value))

/* A decimal integer as text (digits and a sign need no escaping). */
void grantd_html_int(struct grantd_html *h, long long v);

/* Copies the page into arena (NUL-terminated) and returns its length in *len.
 * GRANTD_ETOOBIG if any append went over the cap; then *out is NULL and *len 0. */
GRANTD_MUST_USE grantd_rc grantd_html_finish(struct grantd_html *h, struct grantd_arena *arena,
                                             const char **out, size_t *len);

#endif
