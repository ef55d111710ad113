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

struct grantd_app {
    const struct grantd_config *cfg;
    struct grantd_store *store;
    const char *issuer;                 /* resolved issuer URL, no trailing slash */
    struct grantd_parse_limits limits;  /* from cfg->limits */
    int64_t (*now)(void);               /* unix seconds */
    struct grantd_keyring *keyring;     /* signing keys of the default tenant */
};


#endif
