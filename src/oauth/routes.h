/* The route table of the protocol layer: every endpoint grantd serves under an issuer. */
#ifndef GRANTD_OAUTH_ROUTES_H
#define GRANTD_OAUTH_ROUTES_H

#include "http/router.h"

/* Handed to the server at start (struct grantd_app.routes), and read by discovery
 * (metadata.c) for the endpoint URLs it publishes. */
extern const struct grantd_routes grantd_oauth_routes;
/* The admin listener's table (struct grantd_app.admin_routes): /check and its error bodies. */
extern const struct grantd_routes grantd_oauth_admin_routes;

#endif
