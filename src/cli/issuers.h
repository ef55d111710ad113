/* The issuers `grantd serve` answers for: the default tenant (the configured issuer) and
 * every tenant of the store (`grantd tenant create`), each with its settings (the server's
 * with its profile applied) and its keyring. Private to src/cli. */
#ifndef GRANTD_CLI_ISSUERS_H
#define GRANTD_CLI_ISSUERS_H

#include <stddef.h>

#include "core/config.h"
#include "http/app.h"
#include "store/store.h"

struct grantd_served;

/* Reads the tenants, applies their profiles, checks their paths and opens their keyrings
 * (the first start of a tenant generates its first key). GRANTD_ECONFIG for a bad profile or
 * two issuers with one prefix and host, other codes as the store or keyring reports them;
 * err says which tenant. Free with grantd_served_free. */
GRANTD_MUST_USE grantd_rc grantd_served_open(struct grantd_store *store,
                                             const struct grantd_config *cfg,
                                             struct grantd_served **out, char *err,
                                             size_t errlen);

/* Fixes every issuer URL once the default one is known (it may name the port the kernel
 * picked): a tenant with a path prefix lives under it. *issuers and *count are what
 * struct grantd_app takes, valid until grantd_served_free. */
void grantd_served_resolve(struct grantd_served *s, const char *default_url,
                           const struct grantd_issuer **issuers, size_t *count);

void grantd_served_free(struct grantd_served *s);

#endif
