/* The admin API's request bodies: pure parsers of untrusted JSON into the records the store
 * keeps (fuzzed by tests/fuzz/fuzz_admin_body.c). No I/O, no store, no randomness: each one
 * is a function of (bytes, base record) into an arena.
 *
 * A client body uses RFC 7591's member names (client_name, redirect_uris, grant_types,
 * response_types, scope, token_endpoint_auth_method), OpenID Connect's
 * (post_logout_redirect_uris, id_token_signed_response_alg; null clears them) plus grantd's
 * own (client_id on create; redirect_uri_wildcard, allow_plain_pkce, always_consent,
 * introspect_any, access_token_format, code_ttl, access_ttl, refresh_ttl;
 * allow_insecure_redirect, which is not stored but lets this body register http://
 * redirect URIs on any host). The rules
 * are the CLI's (admin/rules.h, oauth/redirect_uri.h). Members the server sets
 * (client_secret, disabled, created_at...) are read-only; any other member is unknown. Both
 * are refused, never ignored: the caller answers 400 with *why and stores nothing.
 *
 * An update is a JSON merge (RFC 7396) over the stored record: the members given replace
 * theirs, null resets a lifetime to the server's default (or clears a user's account or
 * email), and the result is checked as a whole.
 *
 * A registration body (RFC 7591, /register) goes through the same member table in a mode
 * of its own: grantd_api_register_parse below.
 *
 * Not here: ids and secrets (the handlers generate them), HTTP, the store. */
#ifndef GRANTD_ADMIN_BODY_H
#define GRANTD_ADMIN_BODY_H

#include <stddef.h>

#include "core/error.h"
#include "core/mem.h"
#include "store/store.h"

#define GRANTD_API_OVERLAP_MAX (30 * 24 * 3600) /* a rotated secret's overlap, seconds */

/* A client body into *c. For a create (update 0) *c holds no client yet: it is filled
 * from the body, with the defaults of `grantd client create` (grants authorization_code and
 * refresh_token, a confidential client, the server's lifetimes); c->id is NULL unless the
 * body names a client_id. For an update, *c is the stored client (its strings may stay
 * pointed to) and gets the body merged in. Strings taken from the body are copied into a.
 * GRANTD_OK, or GRANTD_EINVAL with *why (arena or static) a sentence naming the member. */
GRANTD_MUST_USE grantd_rc grantd_api_client_parse(struct grantd_arena *a, const char *body,
                                                  size_t len, int update,
                                                  struct grantd_client *c, const char **why);

/* What a registration body holds besides the client (grantd_api_register_parse). */
struct grantd_api_registration {
    const char *const *allowed; /* in: the members accepted, NULL-terminated (the issuer's
                                   registration.metadata); NULL: GRANTD_REGISTRATION_MEMBERS */
    const char *client_id;      /* out: the body's client_id (RFC 7592 PUT), or NULL */
    const char *client_secret;  /* out: the body's client_secret (RFC 7592 PUT), or NULL */
    const char *metadata;       /* out: the informational members (client_uri, logo_uri,
                                   contacts, tos_uri, policy_uri) as a JSON object's text */
    const char *error;          /* out, on GRANTD_EINVAL: the RFC 7591 §3.2.2 error code,
                                   invalid_redirect_uri or invalid_client_metadata */
};

/* A registration body (RFC 7591 §2 at POST /register; RFC 7592 §2.2 at PUT, which replaces
 * everything) into a zeroed *c, with RFC 7591's defaults (grant_types authorization_code,
 * token_endpoint_auth_method client_secret_basic; client_name optional, redirect_uris
 * required with the authorization_code grant) and the same rules as the admin API's create
 * (redirect URIs under oauth/redirect_uri.h's registration rules, never insecure ones).
 * The members are RFC 7591's (only those r->allowed lists); a member grantd does not know
 * is ignored, one it knows but does not accept here is refused. c->id is left NULL; scope
 * is checked against the issuer by the caller. Strings are copied into a. GRANTD_OK, or
 * GRANTD_EINVAL with *why and r->error. */
GRANTD_MUST_USE grantd_rc grantd_api_register_parse(struct grantd_arena *a, const char *body,
                                                    size_t len,
                                                    struct grantd_api_registration *r,
                                                    struct grantd_client *c, const char **why);

/* 1 when a registration under r (its allowed list) accepts the member name: an RFC 7592
 * PUT replaces what registration may set, and leaves the rest as it is. */
int grantd_api_registration_accepts(const struct grantd_api_registration *r, const char *name);

/* A user body into *u (username, account, email, developer (a boolean: may use the developer
 * console); on create also password, required, into
 * *password, arena). As above: create fills a zeroed *u, update merges into the stored one.
 * password may be NULL for an update (a password is set with its own request). */
GRANTD_MUST_USE grantd_rc grantd_api_user_parse(struct grantd_arena *a, const char *body,
                                                size_t len, int update, struct grantd_user *u,
                                                const char **password, const char **why);

/* The body of a password change, {"password": "..."}, into *password (arena). */
GRANTD_MUST_USE grantd_rc grantd_api_password_parse(struct grantd_arena *a, const char *body,
                                                    size_t len, const char **password,
                                                    const char **why);

/* The body of a secret rotation, empty or {"overlap": SECONDS} (0..GRANTD_API_OVERLAP_MAX),
 * into *overlap (0 when absent). */
GRANTD_MUST_USE grantd_rc grantd_api_overlap_parse(struct grantd_arena *a, const char *body,
                                                   size_t len, int64_t *overlap,
                                                   const char **why);

/* The body of a key rotation, empty or {"alg": "ES256" | "RS256"}, into *alg (a static
 * string; NULL when absent: the issuer's keys.alg). */
GRANTD_MUST_USE grantd_rc grantd_api_alg_parse(struct grantd_arena *a, const char *body,
                                               size_t len, const char **alg, const char **why);

/* The body of an initial access token's creation (dynamic client registration), empty or
 * {"expires_in": SECONDS (1..GRANTD_API_IAT_EXPIRES_MAX), "uses": N (0: no limit, up to
 * GRANTD_API_IAT_USES_MAX)} into *expires_in (0 when absent: never) and *uses (1 when
 * absent). The same ranges as `grantd registration-token create`. */
#define GRANTD_API_IAT_EXPIRES_MAX (366LL * 24 * 3600)
#define GRANTD_API_IAT_USES_MAX 1000000LL
GRANTD_MUST_USE grantd_rc grantd_api_registration_token_parse(struct grantd_arena *a,
                                                              const char *body, size_t len,
                                                              int64_t *expires_in,
                                                              int64_t *uses,
                                                              const char **why);

#endif
