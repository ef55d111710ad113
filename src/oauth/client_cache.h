/* The client cache: client lookups on the token, introspection and revocation paths must not
 * hit the database on every request (DESIGN.md, Performance approach).
 *
 * An entry lives GRANTD_CLIENT_CACHE_TTL_MS; after that the next lookup re-reads the client,
 * so a change made by `grantd client ...` in another process (disable, rotate-secret,
 * delete) is seen within that time. Disabling also revokes every token of the client in the
 * store at once, so no token stays usable meanwhile; only issuing to a just-disabled client
 * is possible within the TTL window. Thread-safe. */
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
