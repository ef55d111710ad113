/* The admin API (docs/admin-api.md, docs/admin-api.yaml): JSON under /v1/tenants on the
 * admin listener, for a provider's back office and automation. One route row
 * (oauth/routes.c, a prefix row) hands every /v1/tenants... request to
 * grantd_admin_api_endpoint, which authenticates the admin key and routes the rest through
 * its own table (api.c).
 *
 * Admin keys (`grantd admin-key create`) are "grantd_ak_" followed by 43 base64url
 * characters (32 random bytes); only their keyed hash is stored. */
#ifndef GRANTD_ADMIN_API_H
#define GRANTD_ADMIN_API_H

#include <jansson.h>

#include "core/crypto.h"
#include "core/error.h"
#include "http/request.h"
#include "store/store.h"

#define GRANTD_API_KEY_PREFIX "grantd_ak_"
#define GRANTD_API_KEY_LEN 64 /* the key's text with its NUL, with room to spare */

/* Every request under /v1/tenants (any method), on the admin listener. */
void grantd_admin_api_endpoint(struct grantd_request *req, struct grantd_response *resp);

/* A space-separated list (a client's resources, a scope) as a JSON array of its words;
 * NULL is an empty list. Shared with the CLI's --json output. */
json_t *grantd_api_words_json(const char *list);
/* A client's grant bits as the array of their names (RFC 7591 grant_types). */
json_t *grantd_api_grants_json(unsigned grants);

/* A client registered at /register as RFC 7591 §3.2.1 answers it: client_id, the client
 * metadata as stored (client_name, redirect_uris, grant_types, response_types, scope,
 * token_endpoint_auth_method), client_id_issued_at, client_secret_expires_at (confidential
 * clients), client_secret when given (shown once), and the informational members of
 * metadata (a JSON object's text, as struct grantd_registration keeps it). json.c. */
json_t *grantd_api_registration_json(const struct grantd_client *c, const char *secret,
                                     const char *metadata);

/* A fresh admin key's text into text and its keyed hash (the store's) into hash. */
GRANTD_MUST_USE grantd_rc grantd_api_key_new(struct grantd_store *s,
                                             char text[GRANTD_API_KEY_LEN],
                                             unsigned char hash[GRANTD_SHA256_LEN]);

#endif
