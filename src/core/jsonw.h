/* Writing JSON text of a known shape without building a tree: for the answers on the hot
 * paths (token responses, JWT claims), where jansson's tree, UTF-8 re-validation and
 * escaping of a 700-byte token cost several µs a request.
 *
 * Two passes over the same code: with buf NULL the writer only counts, then the caller
 * allocates len bytes (+1 for a NUL) and writes again. A string that is not valid UTF-8
 * sets bad (and stops that string); the caller refuses the text then. */
#ifndef GRANTD_CORE_JSONW_H
#define GRANTD_CORE_JSONW_H

#include <stddef.h>
#include <stdint.h>

struct grantd_jsonw {
    char *buf;   /* NULL: measure only */
    size_t len;  /* bytes written (or that would be) */
    int bad;     /* a string was not valid UTF-8 */
};

/* n bytes as they are (structure: braces, commas, "name":). */
void grantd_jsonw_raw(struct grantd_jsonw *w, const char *s, size_t n);
/* s as a JSON string literal: quotes, backslashes and control characters escaped, UTF-8
 * checked (overlong forms, surrogates and code points above U+10FFFF are invalid). */
void grantd_jsonw_str(struct grantd_jsonw *w, const char *s);
/* The same for the len bytes at s (no NUL needed). */
void grantd_jsonw_strn(struct grantd_jsonw *w, const char *s, size_t len);
void grantd_jsonw_int(struct grantd_jsonw *w, int64_t v);
/* ,"name": (or {"name": when first) then a string or an integer value. name is written as
 * is: a literal that needs no escaping. */
void grantd_jsonw_member_str(struct grantd_jsonw *w, int first, const char *name,
                             const char *value);
void grantd_jsonw_member_int(struct grantd_jsonw *w, int first, const char *name, int64_t value);
/* ,"name": then the space-separated list: a string when it has one item, an array of
 * strings when it has several (a JWT's aud, RFC 7519 §4.1.3). */
void grantd_jsonw_member_list(struct grantd_jsonw *w, int first, const char *name,
                              const char *list);

#endif
