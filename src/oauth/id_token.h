/* OpenID Connect ID tokens (Core 1.0 §2, §3.1.3.6, §12.2): minted at the token endpoint
 * for a grant that includes the openid scope, and read back when a relying party hands one
 * to /authorize or the end-session endpoint as id_token_hint.
 *
 * An ID token is a JWS (typ "JWT") signed by the issuer's keyring with the client's
 * registered algorithm (id_token_signed_response_alg; RS256 when none, which OpenID Connect
 * requires every provider to offer). Not here: the user's profile claims, which the code
 * flow hands out at /userinfo (Core 1.0 §5.4), and the access token (token_issue.c). */
#ifndef GRANTD_OAUTH_ID_TOKEN_H
#define GRANTD_OAUTH_ID_TOKEN_H

#include "http/request.h"
#include "store/store.h"

/* What an ID token says besides the issuer and the times. */
struct grantd_id_token {
    const struct grantd_client *client; /* aud, and the signing algorithm */
    const char *sub;                    /* the user's id */
    int64_t auth_time;                  /* when the user signed in; 0: left out */
    const char *nonce;                  /* the authorization request's; NULL: left out */
    const char *access_token;           /* issued beside it: at_hash; NULL: left out */
};

/* 1 when the space-separated scope grants openid. */
int grantd_scope_openid(const char *scope);

/* The signed ID token of t, issued at now and valid for ttl seconds, in the request arena.
 * GRANTD_EINVAL when a string is not UTF-8; the keyring's codes otherwise. */
GRANTD_MUST_USE grantd_rc grantd_id_token_mint(struct grantd_request *req,
                                               const struct grantd_id_token *t, int64_t now,
                                               int64_t ttl, const char **out);

/* An id_token_hint, read. */
struct grantd_id_token_hint {
    const char *sub;
    const char *aud;          /* space-separated audiences */
    int64_t exp, iat;
    int expired;              /* refused only for its age: genuine, but too old */
};

/* Reads jws as an ID token this issuer signed with a key it still publishes: iss this
 * issuer, a sub, an aud, an exp. A relying party keeps the ID token it got at sign-in, so
 * one that has expired is still a hint (RP-Initiated Logout 1.0 §2 asks providers to take
 * them), but not beyond lifetimes.session after its exp: no session it could name is alive
 * then (GRANTD_EREFUSED with out->expired set). GRANTD_EREFUSED with *why (English, for
 * error_description) when it is no such token; other codes are internal failures. */
GRANTD_MUST_USE grantd_rc grantd_id_token_hint_read(struct grantd_request *req, const char *jws,
                                                    int64_t now,
                                                    struct grantd_id_token_hint *out,
                                                    const char **why);

/* 1 when client_id is among the hint's audiences. */
int grantd_id_token_hint_for(const struct grantd_id_token_hint *h, const char *client_id);

#endif
