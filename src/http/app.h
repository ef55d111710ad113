/* The context every handler receives first: configuration, store, clock and randomness.
 * Injecting the clock keeps tests deterministic (a test can move time past a code's life). */
#ifndef GRANTD_HTTP_APP_H
#define GRANTD_HTTP_APP_H

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

struct grantd_app {
    const struct grantd_config *cfg;    /* the server's settings (listen, limits, ...) */
    struct grantd_store *store;
    struct grantd_parse_limits limits;  /* from cfg->limits */
    int64_t (*now)(void);               /* unix seconds */
    const struct grantd_issuer *issuers; /* the default tenant's first */
    size_t issuer_count;
    const struct grantd_routes *routes; /* the endpoints (the protocol layer's table) */
    const struct grantd_routes *admin_routes; /* the admin listener's endpoints (/check) */
    struct grantd_feed_waiter *feed_waiter; /* long-polls of the revocation feed; NULL: none */
};


#endif
