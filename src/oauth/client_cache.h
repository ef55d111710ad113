/* The client cache: client lookups on the token, introspection and revocation paths must not
 * hit the database on every request (docs/architecture.md, Performance).
 *
 * An entry is used while the store's client generation (store.h) is the one read before it
 * was fetched: a change to a client made by this process moves it at once, one made by another
 * (`grantd client disable`, rotate-secret, delete, or another grantd instance on the same
 * database) within GRANTD_STORE_CHANGE_BOUND_MS through the server's watcher
 * (store/watch.h), and the CLI commands wait that bound out before they return
 * (grantd_admin_wait_caches). GRANTD_CLIENT_CACHE_TTL_MS is only a safety net behind that.
 * Thread-safe. */
#ifndef GRANTD_OAUTH_CLIENT_CACHE_H
#define GRANTD_OAUTH_CLIENT_CACHE_H

#include "http/request.h"
#include "store/store.h"

#define GRANTD_CLIENT_CACHE_TTL_MS 60000
#define GRANTD_CLIENT_CACHE_MAX 4096   /* entries; the table is emptied when full */

/* The client (copied into the request arena) by id, from the cache or the store.
 * GRANTD_ENOTFOUND when no such client; other codes are store failures. */
GRANTD_MUST_USE grantd_rc grantd_client_cache_get(struct grantd_request *req, const char *id,
                                                  struct grantd_client *out);

#endif
