/* The route table: (method, path) -> handler, with a profile's extra paths. */
#ifndef GRANTD_HTTP_ROUTER_H
#define GRANTD_HTTP_ROUTER_H

#include <stddef.h>

#include "core/config.h"
#include "http/request.h"

/* The handler for method and path (a standard path, or one profile p adds; p may be NULL),
 * or NULL. When the path exists for other methods only, *allow is set to their list
 * ("GET, HEAD") so the caller can answer 405; else NULL. *slow is 1 for handlers that must
 * run on a worker thread (password hashing). */
grantd_handler_fn grantd_router_find(const struct grantd_profile *p, const char *method,
                                     const char *path, const char **allow, int *slow);

/* The issuer a request to host (the Host header, may be NULL) and path is for: among those
 * whose prefix starts path at a '/' boundary and whose host is NULL or host (case aside),
 * the longest prefix, a host-specific one before one for any host; NULL when none. *rest
 * is path without the prefix ("/" when nothing is left). */
const struct grantd_issuer *grantd_router_issuer(const struct grantd_app *app, const char *host,
                                                 const char *path, const char **rest);

/* GRANTD_ECONFIG (err says which) when a profile path is a standard path or is given to two
 * endpoints. */
GRANTD_MUST_USE grantd_rc grantd_router_check_profile(const struct grantd_profile *p, char *err,
                                                      size_t errlen);

#endif
