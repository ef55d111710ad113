/* Finding the token a client or resource server presents, whatever its kind: a stored one
 * (opaque, or a JWT stored under its key) by its storage key, a self-contained one
 * (a client-credentials JWT, stored nowhere: token_issue.h) by its signature. Used by
 * introspection, revocation and bearer checks. */
#ifndef GRANTD_OAUTH_TOKEN_FIND_H
#define GRANTD_OAUTH_TOKEN_FIND_H

#include "http/request.h"
#include "oauth/client_auth.h"
#include "oauth/errors.h"
#include "oauth/token_cache.h"

enum grantd_token_where {
    GRANTD_TOKEN_ABSENT,         /* none of ours (or purged) */
    GRANTD_TOKEN_STORED,         /* a stored record, including a self-contained token's
                                  * revocation row */
    GRANTD_TOKEN_SELF_CONTAINED, /* a self-contained token with no row: never revoked */
};

/* The facts of the token text and where they came from. Stored records come from the token
 * cache when cache is 1 (introspection), else from the store (what it holds now: revocation,
 * bearer checks; then user_ok and username are not filled in). A self-contained token's
 * facts come from its signed claims and its client's record: token.hash is the key its
 * revocation row would have, family its jti, revoked set when its client is disabled or has
 * been re-enabled or re-created since it was issued (tokens_after), user_ok 1. A
 * self-contained token whose client is gone is ABSENT, and so is one signed with our key
 * whose claims are not what this issuer writes: another iss, a sub that is not its client,
 * an aud that is neither the issuer nor a resource of its client, an iat or nbf to come
 * (grantd_keyring_verify). With cache, a self-contained token's facts are kept in the token
 * cache until the store's generation moves (its revocation row, a change of its client or of
 * the keys: token_cache.h). Expiry is the caller's to check.
 * *is_jwt (may be NULL) tells whether text has a JWT's shape. Store failures are returned
 * as the store reports them. */
GRANTD_MUST_USE grantd_rc grantd_token_find(struct grantd_request *req, const char *text,
                                            int cache, struct grantd_token_facts *f,
                                            enum grantd_token_where *where, int *is_jwt);

/* What /introspect and /revoke learn about the token a client asked about. */
struct grantd_token_request {
    struct grantd_client_auth auth;  /* the authenticated caller */
    struct grantd_token_facts f;     /* the token's facts, when found */
    enum grantd_token_where found;
    int is_jwt;
};

/* For /introspect and /revoke: checks the body (grantd_oauth_body_check), authenticates the
 * caller and finds the token of the `token` parameter (grantd_token_find with cache) into
 * *out. GRANTD_EREFUSED with *no for a bad body, a failed authentication or a missing token
 * parameter; other codes are internal failures. */
GRANTD_MUST_USE grantd_rc grantd_token_find_requested(struct grantd_request *req, int cache,
                                                      struct grantd_token_request *out,
                                                      struct grantd_refusal *no);

#endif
