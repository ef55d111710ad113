/* Invariants every parsed parameter view must satisfy, shared by the fuzz targets in this
 * directory (header-only so each target stays one .c file). A broken invariant aborts, which
 * libFuzzer and the replay driver both report as a crash. Not a test framework: only checks. */
#ifndef GRANTD_FUZZ_CHECK_H
#define GRANTD_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/params.h"

#include "fuzz_assert.h"

static inline size_t fuzz_occurrences(const struct grantd_params *p, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < p->count; i++)
        n += strcmp(p->items[i].name, name) == 0;
    return n;
}

/* grantd_params_get on name agrees with a direct count of its occurrences. */
static inline void fuzz_check_get(const struct grantd_params *p, const char *name)
{
    const char *v = "sentinel";
    grantd_rc rc = grantd_params_get(p, name, &v);
    size_t n = fuzz_occurrences(p, name);
    if (n > 1) {
        FUZZ_CHECK(rc == GRANTD_EREPEATED);
        return;
    }
    if (n == 0) {
        FUZZ_CHECK(rc == GRANTD_ENOTFOUND);
        return;
    }
    const char *only = NULL;
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->items[i].name, name) == 0)
            only = p->items[i].value;
    FUZZ_CHECK(rc == (only[0] ? GRANTD_OK : GRANTD_ENOTFOUND));
    if (rc == GRANTD_OK)
        FUZZ_CHECK(v == only);
}

/* The shape of any successfully parsed view, its lookups and first_repeated. */
static inline void fuzz_check_params(const struct grantd_params *p,
                                     const struct grantd_parse_limits *lim)
{
    FUZZ_CHECK(p->count <= lim->max_params);
    FUZZ_CHECK(p->count == 0 || p->items != NULL);
    const char *first_rep = NULL;
    for (size_t i = 0; i < p->count; i++) {
        const struct grantd_param *it = &p->items[i];
        FUZZ_CHECK(it->name != NULL && it->value != NULL);
        FUZZ_CHECK(it->name[0] != '\0');
        FUZZ_CHECK(strlen(it->name) <= lim->max_name_len);
        FUZZ_CHECK(strlen(it->value) <= lim->max_value_len);
        if (!first_rep && fuzz_occurrences(p, it->name) > 1)
            first_rep = it->name;
        fuzz_check_get(p, it->name);
    }
    const char *r = grantd_params_first_repeated(p);
    FUZZ_CHECK((r == NULL) == (first_rep == NULL));
    if (r)
        FUZZ_CHECK(strcmp(r, first_rep) == 0);
}

/* A failed parse leaves the view empty. */
static inline void fuzz_check_empty(const struct grantd_params *p)
{
    FUZZ_CHECK(p->items == NULL && p->count == 0);
}

/* The parameters of a token and an authorization request, looked up whatever was parsed. */
static inline void fuzz_check_oauth_names(const struct grantd_params *p)
{
    static const char *const names[] = {
        "grant_type", "code", "redirect_uri", "client_id", "client_secret", "scope", "state",
        "response_type", "code_challenge", "code_challenge_method", "code_verifier",
        "refresh_token", "nonce", "", "grantd_session", "grantd_csrf"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        fuzz_check_get(p, names[i]);
}

/* Appends s percent-encoded (everything but unreserved characters) at out[*o]. */
static inline void fuzz_urlencode(const char *s, char *out, size_t *o)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
            strchr("-._~", *c)) {
            out[(*o)++] = (char)*c;
        } else {
            out[(*o)++] = '%';
            out[(*o)++] = hex[*c >> 4];
            out[(*o)++] = hex[*c & 15];
        }
    }
}

/* The frame of a body parser's fuzz target (form, JSON): parses data with parse under the
 * default limits; on success checks the common invariants and then the target's own (ok),
 * on failure that the refusal is one of the codes it may give (refused) with a reason and
 * an empty view; then the OAuth names, whatever the outcome. */
typedef grantd_rc (*fuzz_body_parser)(struct grantd_arena *a, const char *s, size_t len,
                                      const struct grantd_parse_limits *lim,
                                      struct grantd_params *out, const char **why);

static inline void fuzz_body(const uint8_t *data, size_t size, fuzz_body_parser parse,
                             void (*ok)(struct grantd_arena *a, const char *s, size_t size,
                                        const struct grantd_params *p,
                                        const struct grantd_parse_limits *lim),
                             int (*refused)(grantd_rc rc))
{
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_parse_limits lim;
    grantd_parse_limits_default(&lim);
    struct grantd_params p;
    const char *why = "unset";
    const char *s = (const char *)data;
    grantd_rc rc = parse(a, s, size, &lim, &p, &why);
    if (rc == GRANTD_OK) {
        FUZZ_CHECK(why == NULL);
        fuzz_check_params(&p, &lim);
        ok(a, s, size, &p, &lim);
    } else {
        FUZZ_CHECK(refused(rc));
        FUZZ_CHECK(why != NULL && why[0] != '\0');
        fuzz_check_empty(&p);
    }
    fuzz_check_oauth_names(&p);
    grantd_arena_free(a);
}

#endif
