/* The client cache: client lookups on the token, introspection and revocation paths must not
 * hit the database on every request (docs/architecture.md, Performance approach).
 *
 * An entry lives GRANTD_CLIENT_CACHE_TTL_MS; after that the next lookup re-reads the client,
 * so a change made by `grantd client ...` in another process (disable, rotate-secret,
 * delete) is seen within that time. Disabling also revokes every stored token of the client
 * at once; its self-contained tokens (token_issue.h), which only the client's record can end,
 * stay usable within that window, as does issuing to it. The CLI commands wait the window out
 * before they return (grantd_admin_wait_caches). Thread-safe. */
#ifndef GRANTD_OAUTH_CLIENT_CACHE_H
#define GRANTD_OAUTH_CLIENT_CACHE_H

#include "http/request.h"
#include "store/store.h"

#define GRANTD_CLIENT_CACHE_TTL_MS 1000
#define GRANTD_CLIENT_CACHE_MAX 4096   /* entries; the table is emptied when full */

/* The client (copied into the request arena) by id, from the cache or the store.
 * GRANTD_ENOTFOUND when no such client; other codes are store failures. */
GRANTD_MUST_USE grantd_rc grantd_client_cache_get(struct grantd_request *req, const char *id,
                                                  struct grantd_client *out);

#endif
