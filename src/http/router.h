/* The static route table: (method, path) -> handler. */
#ifndef GRANTD_HTTP_ROUTER_H
#define GRANTD_HTTP_ROUTER_H

#include "http/request.h"

/* The handler for method and path, or NULL. When the path exists for other methods only,
 * *allow is set to their list ("GET, HEAD") so the caller can answer 405; else NULL.
 * *slow is 1 for handlers that must run on a worker thread (password hashing). */
grantd_handler_fn grantd_router_find(const char *method, const char *path, const char **allow,
                                     int *slow);

#endif
