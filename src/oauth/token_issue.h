/* Minting, storing and answering the tokens of a successful grant (RFC 6749 §5.1).
 *
 * Access tokens are opaque (256-bit random) or, for clients created with
 * --access-token-format jwt, RFC 9068 JWTs signed by the keyring; only a storage key of the
 * token text is stored (token/opaque.h), so introspection and revocation treat both alike.
 *
 * Except one kind: a JWT access token from client credentials is self-contained. It has no
 * user, no refresh token and no family to revoke it with, so there is nothing a row would
 * add that its signed claims and its client's record do not say: grantd stores nothing when
 * it issues one, and answers at once (the token endpoint's fastest path: a write per token
 * cost a quarter of the rate, bench/README.md). Introspection checks it by its signature,
 * its exp, its client (enabled, and tokens_after before its issuing time) and a revocation
 * row, which only /revoke writes (src/oauth/introspect.c). Its jti says what it is
 * (GRANTD_JTI_SELF_PREFIX). */
#ifndef GRANTD_OAUTH_TOKEN_ISSUE_H
#define GRANTD_OAUTH_TOKEN_ISSUE_H

#include "http/request.h"
#include "store/store.h"

/* Every string here, and the client's id, must live as long as the request (request arena
 * or static): the tokens point at them until a deferred store write has finished. The
 * grants pass arena strings (client from the client cache's arena copy, code fields from
 * code_consume, scope and family minted into the arena). */
struct grantd_token_grant {
    const struct grantd_client *client;
    const char *user_id;      /* NULL for client_credentials */
    const char *account;      /* the user's account, for cfg->account_member; may be NULL */
    const char *scope;        /* granted to the access token, space-joined */
    const char *refresh_scope; /* for the refresh token; NULL = scope */
    const char *audience;     /* RFC 8707 resources the access token is for, space-joined;
                               * NULL or "" = the issuer (a JWT's aud is then its URL) */
    const char *refresh_audience; /* the refresh token's granted resources; NULL = audience */
    const char *family;
    int with_refresh;         /* issue a refresh token too */
    int new_family;           /* family was minted for this grant (client credentials) */
    /* OpenID Connect: when scope grants openid to a user, the answer carries an ID token
     * (oauth/id_token.h) saying auth_time (also kept on the refresh token, for the ID
     * tokens of later refreshes) and nonce (NULL: none; only the code's). */
    int64_t auth_time;
    const char *nonce;
};

/* Tokens ready to be stored, and the JSON answer that hands them out. */
struct grantd_issued {
    struct grantd_token tokens[2];
    size_t count;             /* 1 or 2 */
    const char *id_token;     /* the ID token handed out beside them; NULL: none */
    const char *body;         /* the answer's JSON text, in the request arena */
    size_t body_len;
};

/* Mints the tokens of g (nothing stored yet). */
GRANTD_MUST_USE grantd_rc grantd_token_prepare(struct grantd_request *req,
                                               const struct grantd_token_grant *g,
                                               struct grantd_issued *out);

/* Writes the 200 answer. */
void grantd_issued_respond(struct grantd_request *req, struct grantd_response *resp,
                           struct grantd_issued *out);

/* prepare + token_put (one transaction) + the answer: 200 with the tokens; the internal
 * error for a store failure. When the family was revoked meanwhile (nothing stored):
 * invalid_grant with conflict_why, or, with conflict_why NULL, still the 200: for a grant the
 * request had already won (a redeemed code), whose tokens a concurrent replay revoked before
 * they were stored. They were issued, then revoked; being absent from the store, every check
 * refuses them. When the store can write asynchronously the answer is deferred
 * (grantd_response_defer): the handler must return without touching resp. */
void grantd_token_issue(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_token_grant *g, const char *conflict_why);

/* The lifetimes that apply to client (its own, else the server's), in seconds; refresh 0 =
 * never expires. */
int64_t grantd_client_access_ttl(const struct grantd_request *req, const struct grantd_client *c);
int64_t grantd_client_refresh_ttl(const struct grantd_request *req,
                                  const struct grantd_client *c);
int64_t grantd_client_code_ttl(const struct grantd_request *req, const struct grantd_client *c);

/* A new random family id (arena string). */
GRANTD_MUST_USE grantd_rc grantd_family_new(struct grantd_request *req, const char **out);

#endif
