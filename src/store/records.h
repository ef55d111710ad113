/* The records the store keeps (struct grantd_client, struct grantd_token, ...) and their
 * enums, as the operations of store.h take and return them. Strings and blobs of a record
 * the store returns live in the caller's arena (store.h, "Ownership"). Split from store.h,
 * which includes this header: callers include store.h.
 *
 * Not here: the operations and their contracts (store.h), SQL (the drivers). */
#ifndef GRANTD_STORE_RECORDS_H
#define GRANTD_STORE_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto.h"

/* Grant types a client may use (bit set). */
enum grantd_grant {
    GRANTD_GRANT_AUTHORIZATION_CODE = 1u << 0,
    GRANTD_GRANT_REFRESH_TOKEN = 1u << 1,
    GRANTD_GRANT_CLIENT_CREDENTIALS = 1u << 2,
};

struct grantd_tenant {
    int64_t id;
    const char *name;
    const char *issuer;  /* may be NULL: the server's configured issuer applies */
    const char *profile; /* configuration text over the server's (a profile); may be NULL */
    int64_t created_at;              /* unix seconds; tenant_put: required (> 0) */
};

/* Per-client options (bit set, stored with the client). */
enum grantd_client_flag {
    GRANTD_CLIENT_ALLOW_PLAIN_PKCE = 1u << 0,     /* code_challenge_method=plain accepted */
    GRANTD_CLIENT_ALWAYS_CONSENT = 1u << 1,       /* never skip the consent page */
    GRANTD_CLIENT_REDIRECT_WILDCARD = 1u << 2,    /* registered URIs may hold one '*' */
    GRANTD_CLIENT_INTROSPECT_ANY = 1u << 3,       /* may introspect any token of its tenant */
    GRANTD_CLIENT_JWT_ACCESS = 1u << 4,           /* access tokens are JWTs (RFC 9068) */
    /* registered with token_endpoint_auth_method client_secret_post (the admin API's RFC
     * 7591 member; informational: a confidential client may use either method) */
    GRANTD_CLIENT_SECRET_POST = 1u << 5,
};

#define GRANTD_TTL_NEVER (-1)

struct grantd_client {
    int64_t tenant;
    const char *id;                  /* client_id */
    const char *name;
    int is_public;                   /* no secret; authenticates with "none" + PKCE */
    unsigned char secret_hash[GRANTD_SHA256_LEN]; /* HMAC-SHA256(store hash key, secret) */
    const char *const *redirect_uris;
    size_t redirect_uri_count;
    const char *scope;               /* allowed scopes, space-separated; "" for none */
    unsigned grants;                 /* enum grantd_grant bits */
    unsigned flags;                  /* enum grantd_client_flag bits */
    /* Per-client lifetimes in seconds; 0 = the server's default. refresh_ttl may also be
     * GRANTD_TTL_NEVER (refresh tokens of this client never expire). */
    int64_t code_ttl, access_ttl, refresh_ttl;
    int disabled;
    /* unix seconds; client_put: created_at required (> 0), updated_at 0 means created_at */
    int64_t created_at, updated_at;
    /* Self-contained access tokens (client-credentials JWTs, which grantd does not store)
     * issued at or before this time (unix microseconds) are dead: set when the client is
     * created (client_put: required, > 0), disabled and enabled again. */
    int64_t tokens_after;
    /* The APIs (RFC 8707 resource indicators: absolute URIs) the client may ask tokens for,
     * space-separated; NULL or "" for none (its tokens are for the issuer alone). */
    const char *resources;
    /* The secret before the last rotation with an overlap (client_rotate_secret): it still
     * authenticates the client until prev_secret_until (unix seconds, exclusive); 0 when
     * there is none. Never set by client_put; client_set_secret clears it. */
    unsigned char prev_secret_hash[GRANTD_SHA256_LEN];
    int64_t prev_secret_until;
    /* The developer console (issue 13 item 2): the user id of the developer who created the
     * client there, written by client_put; NULL for a client made anywhere else, which no
     * console shows. client_update leaves it. */
    const char *owner;
    /* OpenID Connect (issue 14), both written by client_put and client_update (schema
     * version 17): where RP-Initiated Logout 1.0 may send the user back after logout
     * (absolute URIs, the rules of redirect URIs, exact match), and the algorithm of the
     * client's ID tokens (Dynamic Client Registration 1.0 §2 id_token_signed_response_alg:
     * "RS256" or "ES256"). */
    const char *post_logout_redirect_uris; /* space-separated, NULL/"" none */
    const char *id_token_alg;              /* NULL = RS256 */
};

/* An admin API key (the admin listener's /v1/tenants API). Only the keyed hash of the key's
 * text is stored (grantd_store_hash_secret, as client secrets). */
struct grantd_admin_key {
    const char *id;                  /* public identifier, for listing and revoking */
    const char *name;                /* who or what holds it */
    int64_t tenant;                  /* the one tenant it may see; 0 = every tenant */
    unsigned char hash[GRANTD_SHA256_LEN];
    int64_t created_at;              /* admin_key_put: required (> 0) */
    int64_t revoked_at;              /* 0 = live */
};

struct grantd_user {
    int64_t tenant;
    const char *id;                  /* stable subject identifier */
    const char *username;
    const char *account;             /* may be NULL */
    const char *email;               /* may be NULL */
    const char *password_hash;       /* argon2id encoded string */
    int disabled;
    int developer;                   /* may register applications in the developer console
                                      * (issue 13 item 2); user_put and user_update write it */
    /* OpenID Connect standard claims (Core §5.1), each NULL when unset; user_put and
     * user_update write them. preferred_username NULL means the username. address is
     * the formatted text of §5.1.1. */
    const char *name, *given_name, *family_name, *preferred_username, *phone_number,
        *locale, *address;
    int email_verified, phone_number_verified;
    /* unix seconds; user_put: created_at required (> 0), updated_at 0 means created_at */
    int64_t created_at, updated_at;
};

/* A browser session. The cookie carries a random id; only its storage key is stored. A
 * session exists before login (user_id NULL) so the login form can carry a CSRF token bound
 * to it. */
struct grantd_session {
    int64_t tenant;
    unsigned char id_hash[GRANTD_SHA256_LEN];
    const char *user_id;             /* NULL until login */
    int64_t auth_time;               /* when the user logged in; 0 before */
    int64_t created_at, expires_at;  /* session_put: created_at required (> 0) */
    /* The SHA-256 of the authorization request the login was made for (has_login_for 1):
     * a request demanding a fresh login (prompt=login, max_age) accepts this one. */
    unsigned char login_for[GRANTD_SHA256_LEN];
    int has_login_for;
};

/* A remembered consent: the user granted client these scopes. */
struct grantd_consent {
    int64_t tenant;
    const char *user_id, *client_id;
    const char *scope;               /* space-separated, may be "" */
    int64_t created_at;              /* consent_put: required (> 0) */
};

/* An authorization code. Only its storage key is stored. The row outlives redemption
 * (used = 1) until it expires, so a second redemption can be detected and the family
 * revoked. */
struct grantd_code {
    int64_t tenant;
    unsigned char hash[GRANTD_SHA256_LEN];
    const char *client_id, *user_id;
    const char *redirect_uri;        /* as sent to /authorize; NULL when it was omitted */
    const char *scope;               /* granted scopes, space-separated, may be "" */
    const char *code_challenge;      /* NULL without PKCE */
    const char *code_challenge_method; /* "S256" or "plain"; NULL without PKCE */
    const char *family;              /* id shared by every token this code leads to */
    int64_t auth_time, created_at, expires_at; /* code_put: created_at required (> 0) */
    int used, revoked;
    /* The resources (RFC 8707) the authorization request named, space-separated; NULL or
     * "" for none. The token request may select a subset. */
    const char *resources;
    /* OpenID Connect: the authorization request's nonce, repeated in the ID token; NULL
     * when it sent none. */
    const char *nonce;
};

enum grantd_token_kind { GRANTD_TOKEN_ACCESS = 1, GRANTD_TOKEN_REFRESH = 2 };

/* An opaque access or refresh token (or a revoked self-contained JWT, keyed by its jti).
 * Only its storage key is stored. */
struct grantd_token {
    int64_t tenant;
    unsigned char hash[GRANTD_SHA256_LEN];
    enum grantd_token_kind kind;
    const char *client_id;
    const char *user_id;             /* NULL for client_credentials */
    const char *scope;               /* space-separated, may be "" */
    const char *family;              /* the authorization it descends from */
    int64_t created_at;              /* token_put: required (> 0) */
    int64_t expires_at;              /* 0 = never */
    int revoked;
    /* refresh tokens only: set once by refresh_rotate */
    int64_t rotated_at;              /* 0 = not rotated (still the live member) */
    int64_t grace_until;             /* a replay before this time gets the successor */
    const unsigned char *successor;  /* sealed successor pair (see refresh_rotate); NULL */
    size_t successor_len;
    /* token_put only: the caller minted `family` for this very put (a fresh random id), so
     * it cannot be among the revoked families and the store skips that lookup */
    int family_is_new;
    /* The resources (RFC 8707) the token is for, space-separated; NULL or "" for none. An
     * access token's audience; a refresh token's granted set, of which each refresh may
     * select a subset. */
    const char *audience;
    /* Refresh tokens: when the user signed in for the grant (an ID token minted on refresh
     * carries it); 0 for none. */
    int64_t auth_time;
};

/* A signing key. The private part is sealed (AES-256-GCM under the master key) by
 * src/token/keys.c; the store keeps bytes. */
struct grantd_key {
    int64_t tenant;
    const char *kid;
    const char *alg;                 /* "ES256" or "RS256" */
    const char *public_jwk;          /* the JWK (JSON text) published in /jwks.json */
    const unsigned char *private_sealed;
    size_t private_sealed_len;
    int64_t created_at;              /* key_put: required (> 0) */
    int64_t active_from;             /* signs from this time (published before it) */
    int64_t retire_at;               /* 0 = current; else unpublished after this time */
};

/* One event of the revocation feed (revocations_since). kind is "token", "family",
 * "client", "user" or "key"; subject names what died: for a token the lowercase hex of the
 * first 24 bytes of the SHA-256 of its text (bytes 9..32 of its storage key: a verifier
 * holding the token can compute it; a revoked JWT's row is keyed by its jti, so the subject is
 * computed from the jti's text), for a family its id, for a client its client_id, for a user
 * its user id, for a key its kid. at is the revocation's time (the caller's now; for a key
 * its retire_at, which a rotation sets ahead), 0 when the operation that revoked was given
 * none (token_revoke, before token_revoke_at). */
struct grantd_revocation {
    int64_t cursor; /* > 0; larger for every later event */
    int64_t tenant;
    const char *kind, *subject;
    int64_t at;
};

/* Dynamic client registration (issue 13 item 3): a client registered at /register (RFC
 * 7591) has one, naming the keyed hash (grantd_store_hash_secret) of its current
 * registration access token (RFC 7592; the token itself is never stored) and the
 * informational metadata it registered (client_uri, logo_uri, contacts, tos_uri,
 * policy_uri) as the text of a JSON object ("{}" for none). */
struct grantd_registration {
    int64_t tenant;
    const char *client_id;
    unsigned char token_hash[GRANTD_SHA256_LEN];
    const char *metadata;
};

/* An initial access token (RFC 7591 §3): what /register requires of an issuer whose
 * registration.mode is token. Only its keyed hash is stored. */
struct grantd_registration_token {
    const char *id;
    int64_t tenant;
    unsigned char hash[GRANTD_SHA256_LEN];
    int64_t expires_at;                   /* unix seconds, exclusive; 0: never */
    int64_t uses_left;                    /* registrations it may still make; -1: no limit */
    int64_t created_at;                   /* registration_token_put: required (> 0) */
};

/* One entry of the audit trail: a change to a client, user, signing key or admin key, who
 * made it and when. Entries are only ever appended (audit_end); nothing updates or deletes
 * one. details is a small JSON object naming what changed (member names, a kid, an
 * overlap), never a secret, a hash or a password. */
struct grantd_audit {
    int64_t seq;              /* set by the store: > 0, larger for every later entry */
    int64_t tenant;           /* the tenant changed; 0 for an admin key of every tenant */
    int64_t at;               /* unix seconds (the caller's now); audit_end: required > 0 */
    const char *actor_kind;   /* "admin_key", "developer", "cli" or "system" */
    const char *actor_id;     /* the admin key's id, the developer's user id, the OS user's
                               * uid (decimal) for cli; may be NULL (system) */
    const char *actor_name;   /* the admin key's name, the developer's username, the OS
                               * user's login name; may be NULL */
    const char *action;       /* "client.create", "user.password", "key.rotate", ... */
    const char *target_kind;  /* "client", "user", "key" or "admin_key" */
    const char *target_id;    /* the client_id, user id, kid or admin key id */
    const char *details;      /* JSON object text; NULL or "" for none */
};

/* What audit_list returns: the entries of tenant (0: of every tenant, tenant 0's too), of
 * one target when target_kind and target_id are set, stamped at or after since (0: any),
 * up to limit of them. Oldest first from after (seq > after), or, with newest_first, newest
 * first from before (seq < before; 0: from the newest). */
struct grantd_audit_query {
    int64_t tenant;
    const char *target_kind, *target_id;
    int64_t since;
    int64_t after, before;
    int newest_first;
    size_t limit;
};

/* A rate-limit counter (limit_add, version 7): the events counted under one key in its
 * window, which opened at since and ends at since + the window the caller gave. */
struct grantd_limit {
    int64_t count; /* events in the open window, those of this call included; 0: none open */
    int64_t since; /* when the window opened (unix seconds); 0 when none is open */
    int64_t prev;  /* when the latest event before this call was counted; 0: none in the
                    * window (a window this call opened has none) */
};
#define GRANTD_LIMIT_KEY_MAX 128 /* bytes of a limit key */

#endif
