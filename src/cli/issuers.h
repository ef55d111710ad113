/* The issuers `grantd serve` answers for: the default tenant (the configured issuer) and
 * every tenant of the store (`grantd tenant create`), each with its settings (the server's
 * with its profile applied) and its keyring; and, while serving, the tenants created since
 * the start (by this process or another): read again when the store's generation moved and
 * published to the app as a new issuer set (struct grantd_issuer_set, http/app.h).
 *
 * Not here: routing a request to its issuer (http/router.c), the change watcher that moves
 * the generation for other processes' commits (store/watch.c). Private to src/cli. */
#ifndef GRANTD_CLI_ISSUERS_H
#define GRANTD_CLI_ISSUERS_H

#include <stddef.h>

#include "core/config.h"
#include "http/app.h"
#include "store/store.h"

struct grantd_served;

/* How often the follower looks at the store's generation, and the least time between two
 * reads of the tenant list: a tenant is served within GRANTD_STORE_CHANGE_POLL_MS (the
 * watcher) + GRANTD_SERVED_RELOAD_MS + one read of its commit, under
 * GRANTD_STORE_CHANGE_BOUND_MS, the wait of `grantd tenant create`. */
#define GRANTD_SERVED_TICK_MS 10
#define GRANTD_SERVED_RELOAD_MS 50

/* Reads the tenants, applies their profiles, checks their paths and opens their keyrings
 * (the first start of a tenant generates its first key). GRANTD_ECONFIG for a bad profile or
 * two issuers with one prefix and host, other codes as the store or keyring reports them;
 * err says which tenant. Free with grantd_served_free. */
GRANTD_MUST_USE grantd_rc grantd_served_open(struct grantd_store *store,
                                             const struct grantd_config *cfg,
                                             struct grantd_served **out, char *err,
                                             size_t errlen);

/* Fixes every issuer URL once the default one is known (it may name the port the kernel
 * picked): a tenant with a path prefix lives under it. Then publishes the issuers to app
 * (grantd_app_issuers), before any worker thread can read them. */
void grantd_served_publish(struct grantd_served *s, const char *default_url,
                           struct grantd_app *app);

/* Starts the follower thread (after grantd_served_publish): when the store's generation
 * moved, at most every GRANTD_SERVED_RELOAD_MS, it reads the tenants and publishes a set with
 * the new ones appended (logged `tenant_added`; one with a bad profile or a taken path is
 * logged `tenant_skipped` once and left out). GRANTD_ESTORE when no thread starts. */
GRANTD_MUST_USE grantd_rc grantd_served_follow(struct grantd_served *s);

/* Reads the tenants once and publishes the new ones (what the follower does on its turn). */
void grantd_served_reload(struct grantd_served *s);

/* Stops the follower, then frees every issuer and every set ever published: only once no
 * request runs (after grantd_server_stop). */
void grantd_served_free(struct grantd_served *s);

#endif
