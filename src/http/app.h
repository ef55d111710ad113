/* The context every handler receives first: configuration, store, clock and randomness.
 * Injecting the clock keeps tests deterministic (a test can move time past a code's life). */
#ifndef GRANTD_HTTP_APP_H
#define GRANTD_HTTP_APP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/config.h"
#include "http/params.h"

struct grantd_store;
struct grantd_keyring;
struct grantd_routes;
struct grantd_feed_waiter;

/* One issuer: a tenant of the store with its own URL, settings and keys. Every request is
 * answered for exactly one (req->iss), and nothing of another issuer is ever accepted. */
struct grantd_issuer {
    int64_t tenant;                     /* the store's tenant id */
    const char *url;                    /* issuer identifier, no trailing slash */
    const char *prefix;                 /* path its endpoints are under: "" or "/admin" */
    const char *host;                   /* Host it answers ("test.apruve.com"); NULL: any */
    const struct grantd_config *cfg;    /* the server's settings with this issuer's profile */
    struct grantd_keyring *keyring;     /* its signing keys; NULL: no JWTs */
};

/* The issuers served, as published: the default tenant's first. A set is replaced whole when
 * tenants are added while serving (cli/issuers.c); a replaced set and its issuers stay valid
 * until the server stops, so a request keeps req->iss, a pointer into its set, to its end. */
struct grantd_issuer_set {
    const struct grantd_issuer *issuers;
    size_t count;
};

struct grantd_app {
    const struct grantd_config *cfg;    /* the server's settings (listen, limits, ...) */
    struct grantd_store *store;
    struct grantd_parse_limits limits;  /* from cfg->limits */
    int64_t (*now)(void);               /* unix seconds */
    /* the issuers (read with grantd_app_issuers); replaced while requests run */
    _Atomic(const struct grantd_issuer_set *) issuer_set;
    const struct grantd_routes *routes; /* the endpoints (the protocol layer's table) */
    const struct grantd_routes *admin_routes; /* the admin listener's endpoints (/check) */
    struct grantd_feed_waiter *feed_waiter; /* long-polls of the revocation feed; NULL: none */
};

/* The parser limits of a server with settings cfg (struct grantd_app.limits): the caps of
 * cfg->limits, and the login and consent forms' hidden "request" field (oauth/authorize.c),
 * which carries the authorization request's query: as long as a request target may be, its
 * parameters each under max_value_len, checked again when it is validated. For the server
 * and for every in-process app of the tests, so that they parse as it does. */
static inline void grantd_app_parse_limits(struct grantd_parse_limits *lim,
                                           const struct grantd_config *cfg)
{
    lim->max_params = cfg->limits.max_params;
    lim->max_name_len = cfg->limits.max_param_name;
    lim->max_value_len = cfg->limits.max_param_value;
    lim->carrier_name = "request";
    lim->carrier_len = cfg->limits.header_bytes;
}

/* The issuers of the set published now, and their number in *count: one load, so that both
 * come from one set. Never empty once serving (the default issuer). */
static inline const struct grantd_issuer *grantd_app_issuers(const struct grantd_app *app,
                                                             size_t *count)
{
    const struct grantd_issuer_set *set = atomic_load_explicit(
        (_Atomic(const struct grantd_issuer_set *) *)&app->issuer_set, memory_order_acquire);
    *count = set ? set->count : 0;
    return set ? set->issuers : NULL;
}

#endif
