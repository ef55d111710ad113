/* The storage-driver interface (sqlite3_vfs / curl vtls style).
 *
 * A driver is a versioned table of domain-level operations; each operation is one
 * transaction inside the driver, uses prepared statements with bound parameters, and never
 * sees HTTP. Every row belongs to a tenant (an issuer); tenant 1, "default", exists after
 * migration. Operations are safe to call from several threads at once on one store.
 *
 * Ownership: operations that return records fill caller-provided structs whose strings are
 * allocated in the caller's arena (a request arena in the server, a command arena in the
 * CLI), so nothing returned needs freeing on its own.
 *
 * Storage keys: codes, tokens and sessions are found by a 32-byte key (the hash, id_hash and
 * old_hash members and parameters below) that src/token/opaque.h makes from the credential:
 * 8 ordering bytes (the issuing time in microseconds, big-endian, so new rows append to an
 * ordered index) followed by the first 24 bytes of the SHA-256 of the credential's text. It
 * is not the SHA-256 of the credential, and the store never sees the credential itself: a
 * driver keeps the 32 bytes as they are and compares them whole.
 *
 * Time: the caller supplies every time an operation stamps or compares (the server's
 * injected clock, the CLI's clock), never the driver's own clock, so that several servers on
 * one database, whose clocks differ, agree with what they wrote. Times are unix seconds
 * (parameters named now, records' *_at members), except tokens_after and the now_us that
 * sets it, which are unix microseconds (the resolution of the JWT ids it is compared with).
 * A record's created_at is the caller's too: 0 is refused with GRANTD_EINVAL.
 *
 * Changes: the database keeps a change sequence that every write that may change or remove a record
 * someone may have read moves forward, in the same transaction, so that another process that sees
 * the sequence move sees the write too. Writes that move it: every operation but
 * token_put/token_put_async (unless a token is revoked at insert: a self-contained token's
 * revocation row, which turns a verdict someone may have cached from good to revoked), code_put,
 * code_consume (a replay changes nothing: the caller revokes), refresh_rotate (it changes
 * a refresh token, which nothing caches: the token cache keeps access tokens only, and the
 * refresh grant reads the store; a sequence moved by every rotation would be one row that
 * every rotation of every instance waits on), session_put, session_delete,
 * purge_expired, revocations_purge (a reader of the feed learns of a purge from the floor),
 * admin_key_put and admin_key_revoke (admin keys are read from the store at every use, never
 * cached), registration_token_put and registration_rotate without a client (the same holds for
 * initial access tokens and registrations). Those only add records (and nothing may cache that a
 * record is absent but a self-contained token's), change codes and sessions (which are read from
 * the store at each use and never cached: single use and logout are decided there), or remove what
 * expired (refused by its reader either way). Readers follow it with change_seq and change_wait
 * (src/store/watch.c runs the server's watcher).
 *
 * Errors: GRANTD_ENOTFOUND for a missing record, GRANTD_EEXIST for a taken unique key,
 * GRANTD_EBUSY when the database stays locked past the busy timeout or is unreachable (or,
 * with PostgreSQL, a transaction still fails with a serialization failure or a deadlock
 * after the driver's retries),
 * GRANTD_ESTORE for any other backend failure, GRANTD_ESCHEMA when the database was
 * migrated by a newer grantd that this one cannot run with (store/schema.h). A failed
 * operation changes nothing.
 *
 * Argument checks: the wrappers (grantd_store_*, store.c, store_check.h) answer GRANTD_EINVAL
 * before any driver is called, so a driver may assume what they check and checks only what
 * depends on its storage (a token's family, a unit on this thread). Per operation:
 * - non-NULL: tenant_find name; client_get, client_delete, client_set_disabled id;
 *   client_set_secret, client_rotate_secret id and hash; client_list_owned owner, out, count;
 *   user_find, user_set_disabled username; user_set_password username, password_hash;
 *   user_get id; session_get id_hash, out; session_delete id_hash; consent_get user_id,
 *   client_id, out; consent_list user_id, out, count; consent_revoke user_id, client_id;
 *   code_consume, code_consume_async, token_get hash, out; token_revoke hash;
 *   token_revoke_family family; key_list out, count; key_retire kid; admin_key_find hash;
 *   admin_key_revoke id; registration_token_find hash; registration_get id; purge_expired,
 *   revocations_purge deleted; revocations_floor out; revocations_since a, out, count,
 *   next_cursor (after >= 0, limit > 0);
 * - records: tenant_put name (not empty), created_at; client_put id, name, created_at,
 *   tokens_after, every redirect URI, lifetimes 0 or positive (refresh_ttl also
 *   GRANTD_TTL_NEVER); client_update the same but created_at and tokens_after; user_put id,
 *   username, password_hash, created_at; user_update id, username; session_put created_at;
 *   consent_put user_id, client_id, created_at; code_put client_id, user_id, family,
 *   created_at, a PKCE challenge with its method; token_put(_async), refresh_rotate(_async)
 *   at least one token, all of one tenant (refresh_rotate's) and family, each an access or
 *   refresh token with client_id and created_at; refresh_rotate(_async) old_hash, a successor
 *   when successor_len (< 2^31); key_put, key_rotate kid, alg, public_jwk, private_sealed
 *   (1 byte to < 2^31), created_at (key_rotate: next of tenant, next->retire_at 0, retire_at > 0);
 *   admin_key_put id, name, created_at, tenant >= 0; registration_token_put id, tenant > 0,
 *   created_at, expires_at >= 0; registration_put a client as client_put, registration_rotate
 *   as client_update (or none), either of the registration's tenant and client id; audit_end
 *   at, tenant >= 0, actor kind, action, target kind, target id (else rc EINVAL goes to the
 *   driver, which undoes the unit); audit_list tenant >= 0, a target kind with its id and a
 *   tenant (*out and *count are NULL and 0 before the driver runs);
 * - times: now and now_us are positive in client_set_disabled, client_update, user_update,
 *   consent_revoke, key_retire, admin_key_revoke, registration_put, registration_rotate,
 *   refresh_rotate.
 */
#ifndef GRANTD_STORE_STORE_H
#define GRANTD_STORE_STORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/crypto.h"
#include "core/error.h"
#include "core/mem.h"

/* Versions of the driver interface (struct grantd_store_driver below). Operations are only
 * ever appended to the end of the struct, under a comment "version N" naming the version
 * that added them; a driver sets .version to the newest version whose operations it has
 * (it may leave any of them NULL: the wrapper then answers GRANTD_ENOTSUP).
 * grantd_store_open refuses a driver older than GRANTD_STORE_API_MIN, the oldest set this
 * grantd cannot run without, and accepts any newer one. */
#define GRANTD_STORE_API_VERSION 6 /* the newest set: this header's */
#define GRANTD_STORE_API_MIN 2     /* the oldest a driver may declare */
#define GRANTD_DEFAULT_TENANT 1

/* change_wait notices a commit of any process within this many milliseconds (the SQLite
 * driver polls that often; the PostgreSQL driver, woken by NOTIFY, answers sooner). */
#define GRANTD_STORE_CHANGE_POLL_MS 20
/* Within this time of a commit every running grantd server has dropped the cached records
 * the write may have changed (its watcher: the poll, its turn, a margin for a loaded
 * machine); what a CLI command waits after a change before it returns, so that "when the
 * command returns, every running server answers with the change" holds. */
#define GRANTD_STORE_CHANGE_BOUND_MS 100

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

struct grantd_store; /* a driver's instance; its first member is the driver pointer */

struct grantd_store_driver {
    int version;        /* the newest version of this struct the driver implements */
    const char *scheme; /* URL scheme: "sqlite", "postgres", "postgresql" */

    /* ---- version 2 ----
     * The whole table. Version 1 (grantd before the multi-instance work) had the same
     * operations with other signatures, and client_disable beside client_set_disabled: its
     * drivers are refused. */

    /* target is the URL without "scheme:". err receives a one-line reason on failure. */
    grantd_rc (*open)(const char *target, struct grantd_store **out, char *err, size_t errlen);
    void (*close)(struct grantd_store *s);
    /* Brings the schema to the newest version; *from and *to report the versions. Idempotent.
     * What it creates (the default tenant) is stamped with now. A newer database is never
     * migrated (store/schema.h): GRANTD_OK with *from = *to = its version when this grantd
     * may run on it, else GRANTD_ESCHEMA with *to = the version it needs. */
    grantd_rc (*migrate)(struct grantd_store *s, int64_t now, int *from, int *to);
    /* GRANTD_OK when the database answers and is migrated (readiness). */
    grantd_rc (*ping)(struct grantd_store *s);
    /* The store-wide random key for keyed hashes of secrets, created at migration. */
    grantd_rc (*hash_key)(struct grantd_store *s, unsigned char out[GRANTD_SHA256_LEN]);

    grantd_rc (*tenant_get)(struct grantd_store *s, struct grantd_arena *a, int64_t id,
                            struct grantd_tenant *out);
    grantd_rc (*tenant_find)(struct grantd_store *s, struct grantd_arena *a, const char *name,
                             struct grantd_tenant *out);
    /* Every tenant, by id (the default tenant first). */
    grantd_rc (*tenant_list)(struct grantd_store *s, struct grantd_arena *a,
                             struct grantd_tenant **out, size_t *count);

    grantd_rc (*client_put)(struct grantd_store *s, const struct grantd_client *c);
    grantd_rc (*client_get)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                            const char *id, struct grantd_client *out);
    /* All clients of a tenant ordered by created_at, id. */
    grantd_rc (*client_list)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                             struct grantd_client **out, size_t *count);
    /* Enables (disabled 0) or disables (1) a client in one transaction, stamped with now_us
     * (unix microseconds): updated_at = now_us / 1000000 and tokens_after = now_us either
     * way, so no self-contained token issued before the change is alive after it (struct
     * grantd_client). Disabling also revokes everything the client was granted: every token
     * of the client (their families marked revoked, so a token_put or refresh_rotate still
     * in flight for them is refused), its unused codes, its consents; so a client enabled
     * again starts with no live grant. GRANTD_ENOTFOUND when absent; GRANTD_EINVAL when
     * now_us <= 0. */
    grantd_rc (*client_set_disabled)(struct grantd_store *s, int64_t tenant, const char *id,
                                     int disabled, int64_t now_us);
    /* Replaces the secret's hash (is_public stays as it is) and forgets any previous secret
     * (struct grantd_client, prev_secret_until); updated_at = now. */
    grantd_rc (*client_set_secret)(struct grantd_store *s, int64_t tenant, const char *id,
                                   const unsigned char hash[GRANTD_SHA256_LEN], int64_t now);
    /* Deletes a client (its redirect URIs with it) after revoking, in the same transaction,
     * everything client_set_disabled(1) revokes (stamped with the store's clock): no grant
     * outlives its client, and the revocation feed lists its families and the client.
     * GRANTD_ENOTFOUND when absent. */
    grantd_rc (*client_delete)(struct grantd_store *s, int64_t tenant, const char *id);

    grantd_rc (*user_put)(struct grantd_store *s, const struct grantd_user *u);
    grantd_rc (*user_find)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           const char *username, struct grantd_user *out);
    grantd_rc (*user_list)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           struct grantd_user **out, size_t *count);
    /* The two updates of a user by username; updated_at = now. */
    grantd_rc (*user_set_password)(struct grantd_store *s, int64_t tenant, const char *username,
                                   const char *password_hash, int64_t now);
    grantd_rc (*user_set_disabled)(struct grantd_store *s, int64_t tenant, const char *username,
                                   int disabled, int64_t now);

    /* Adds tenant t (its name, issuer, profile and created_at; issuer and profile may be
     * NULL; the store picks the id); *id_out receives its id. GRANTD_EEXIST when the name is
     * taken. */
    grantd_rc (*tenant_put)(struct grantd_store *s, const struct grantd_tenant *t,
                            int64_t *id_out);

    /* A user by its id (subject). */
    grantd_rc (*user_get)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                          const char *id, struct grantd_user *out);

    /* Inserts a session (GRANTD_EEXIST if the hash is taken). */
    grantd_rc (*session_put)(struct grantd_store *s, const struct grantd_session *sess);
    /* A session by id hash; GRANTD_ENOTFOUND when absent or expired at now. */
    grantd_rc (*session_get)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                             const unsigned char id_hash[GRANTD_SHA256_LEN], int64_t now,
                             struct grantd_session *out);
    /* Deletes a session; deleting an absent one is GRANTD_OK. */
    grantd_rc (*session_delete)(struct grantd_store *s, int64_t tenant,
                                const unsigned char id_hash[GRANTD_SHA256_LEN]);

    /* The remembered consent of user for client; GRANTD_ENOTFOUND when none. */
    grantd_rc (*consent_get)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                             const char *user_id, const char *client_id,
                             struct grantd_consent *out);
    /* Inserts or replaces the consent of (tenant, user, client). */
    grantd_rc (*consent_put)(struct grantd_store *s, const struct grantd_consent *c);

    /* Inserts a code (used and revoked are ignored: a new code is neither). */
    grantd_rc (*code_put)(struct grantd_store *s, const struct grantd_code *code);
    /* Redeems a code, atomically: if the code is unused it is marked used and returned
     * (GRANTD_OK; of concurrent redemptions, in any number of processes, exactly one gets
     * it); if it was used already nothing changes and GRANTD_EREPLAYED is returned with *out
     * filled, so the caller can revoke the code's family (token_revoke_family) when the
     * replay would otherwise have succeeded (OAuth 2.1 §7.5.2: a replay with wrong
     * parameters must not let anyone who holds a leaked code revoke its user's tokens);
     * GRANTD_ENOTFOUND when no such code exists. Expiry and binding are the caller's checks
     * (out->expires_at, client, redirect URI, verifier). now is unused since version 6. */
    grantd_rc (*code_consume)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                              const unsigned char hash[GRANTD_SHA256_LEN], int64_t now,
                              struct grantd_code *out);

    /* Inserts tokens (all of one family) in one transaction. If a code of that family has
     * been revoked (it was replayed meanwhile) nothing is inserted and GRANTD_ECONFLICT is
     * returned: tokens can never outlive the revocation of their code. A batch with a token
     * revoked at insert (a self-contained token's revocation row) moves the change sequence
     * in the same transaction; other batches do not. */
    grantd_rc (*token_put)(struct grantd_store *s, const struct grantd_token *tokens,
                           size_t count);
    /* A token by hash, revoked or expired ones included (the caller decides). */
    grantd_rc (*token_get)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           const unsigned char hash[GRANTD_SHA256_LEN],
                           struct grantd_token *out);
    /* Revokes every token of a family (GRANTD_OK when none), and marks the family revoked
     * at now so that a later token_put or refresh_rotate for it is refused
     * (GRANTD_ECONFLICT) for at least a day after now (purge_expired). */
    grantd_rc (*token_revoke_family)(struct grantd_store *s, int64_t tenant, const char *family,
                                     int64_t now);

    /* Rotates the refresh token old_hash, atomically (compare-and-swap): only when it is
     * still live (not rotated, not revoked, family not revoked) it is marked rotated_at = now,
     * grace_until and the sealed successor (may be NULL/0) are stored on it, and the new
     * tokens (same family) are inserted, all in one transaction. GRANTD_ECONFLICT when it was
     * no longer live (another request rotated it first, or it was revoked): nothing changes,
     * and the caller re-reads it with token_get. GRANTD_ENOTFOUND when absent. */
    grantd_rc (*refresh_rotate)(struct grantd_store *s, int64_t tenant,
                                const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now,
                                int64_t grace_until, const unsigned char *successor,
                                size_t successor_len, const struct grantd_token *tokens,
                                size_t count);
    /* Revokes one token. GRANTD_ENOTFOUND when absent. */
    grantd_rc (*token_revoke)(struct grantd_store *s, int64_t tenant,
                              const unsigned char hash[GRANTD_SHA256_LEN]);
    /* Deletes sessions, codes and tokens that expired before `before` (never-expiring refresh
     * tokens stay), and forgets family revocations older than a day before now once nothing
     * can need them; *deleted gets the count of sessions, codes and tokens. */
    grantd_rc (*purge_expired)(struct grantd_store *s, int64_t before, int64_t now,
                               size_t *deleted);

    /* Inserts a key: a tenant's first one of its alg, or a key that is not current
     * (retire_at set). GRANTD_EEXIST when the tenant has a key with that kid, or when k is
     * current (retire_at 0) and the tenant has a current key of k's alg already: of two
     * servers creating a fresh tenant's first key at once, one succeeds and the other reads
     * the keys again. */
    grantd_rc (*key_put)(struct grantd_store *s, const struct grantd_key *k);
    /* All keys of a tenant, oldest first. */
    grantd_rc (*key_list)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                          struct grantd_key **out, size_t *count);
    /* Rotation, in one transaction: every current key of tenant (retire_at 0) of next's alg gets
     * retire_at, and next (of tenant, current: retire_at 0) is inserted; keys of other algs are
     * untouched. A tenant has at most one current key per alg whatever runs at once: of concurrent
     * rotations each retires the key the one before it added. GRANTD_EEXIST when next's kid is
     * taken, GRANTD_EINVAL when next is not current or of another tenant; then nothing changes. */
    grantd_rc (*key_rotate)(struct grantd_store *s, int64_t tenant, const struct grantd_key *next,
                            int64_t retire_at);

    /* token_put without blocking the caller: queues the write and returns; done(arg, rc)
     * is called exactly once with token_put's result, on a thread of the driver's (or on
     * the caller's, before token_put_async returns). tokens and the strings they point to
     * must stay valid until then. May be NULL: callers then use token_put. This is what
     * lets a driver commit the tokens of many requests in one transaction without an I/O
     * thread per waiting request. */
    void (*token_put_async)(struct grantd_store *s, const struct grantd_token *tokens,
                            size_t count, void (*done)(void *arg, grantd_rc rc), void *arg);

    /* The change sequence now (see "Changes" at the top): 0 on a new database, then only
     * ever larger. */
    grantd_rc (*change_seq)(struct grantd_store *s, uint64_t *out);
    /* Waits until the change sequence is past after, or until timeout_ms passed; *out gets
     * the sequence then (> after unless the time ran out). Sees the commits of every process
     * on the database within GRANTD_STORE_CHANGE_POLL_MS. May be NULL: the wrapper then
     * polls change_seq every GRANTD_STORE_CHANGE_POLL_MS. */
    grantd_rc (*change_wait)(struct grantd_store *s, uint64_t after, int timeout_ms,
                             uint64_t *out);

    /* ---- version 3 ---- */

    /* The revocation feed: up to limit events of tenant with a cursor above after, oldest first,
     * into an arena array (*count 0 when none). *next_cursor gets the cursor to ask after next
     * time: the last returned event's, else after. Every operation that revokes or disables appends
     * its events in its own transaction, so a failed write appends none: token_revoke (a token,
     * once), token_put of a revoked row (a token), token_revoke_family (a replayed code's too,
     * since version 6) and client_set_disabled (a family each time a family
     * becomes revoked, never twice, then a token for each access token of the family alive at that
     * time), client_set_disabled(1) (a client), user_set_disabled(1) (a user), each only when the
     * record goes from enabled to disabled. */
    grantd_rc (*revocations_since)(struct grantd_store *s, struct grantd_arena *a,
                                   int64_t tenant, int64_t after, size_t limit,
                                   struct grantd_revocation **out, size_t *count,
                                   int64_t *next_cursor);

    /* ---- version 4 ----
     * No new operation: the records gained the RFC 8707 lists, grantd_client.resources,
     * grantd_code.resources and grantd_token.audience, which client_put, code_put,
     * token_put, token_put_async and refresh_rotate store and client_get, client_list,
     * code_consume and token_get return ("" when none was stored). A driver of an older
     * version, which zeroes the records it fills, returns them NULL: no resource, so every
     * resource request is refused (invalid_target), never widened. */

    /* token_revoke with the caller's time: the token's feed event has at = now. */
    grantd_rc (*token_revoke_at)(struct grantd_store *s, int64_t tenant,
                                 const unsigned char hash[GRANTD_SHA256_LEN], int64_t now);
    /* Retires key kid of tenant at now (a compromised key: unpublished and refused from
     * now on): its retire_at becomes now when it was later. GRANTD_OK, nothing changed,
     * when it was retired already; GRANTD_ECONFLICT when it is the tenant's current key
     * (retire_at 0: rotate first); GRANTD_ENOTFOUND when the tenant has no such kid. Every
     * write that moves a key's retire_at to an earlier non-zero time (this, key_rotate)
     * appends a "key" event with at = the new retire_at in its transaction. */
    grantd_rc (*key_retire)(struct grantd_store *s, int64_t tenant, const char *kid,
                            int64_t now);
    /* The feed's floor: every event with a cursor at or below it has been purged (0: none
     * ever was). A reader whose cursor is below it may have missed events. */
    grantd_rc (*revocations_floor)(struct grantd_store *s, int64_t *out);
    /* Purges, in one transaction, every event up to the newest one stamped before `before`
     * (at > 0; cursors grow with time), raising the floor to it; *deleted gets the count. */
    grantd_rc (*revocations_purge)(struct grantd_store *s, int64_t before, size_t *deleted);

    /* The admin API. */
    /* Replaces what an update may change of the existing client c->tenant/c->id, in one
     * transaction: name, is_public, scope, grants, flags, the three lifetimes, the
     * resources, the redirect URIs (the list as given, in order), the post-logout redirect
     * URIs and the ID token algorithm; updated_at = now. The secret, disabled,
     * created_at and tokens_after stay. GRANTD_ENOTFOUND when absent. */
    grantd_rc (*client_update)(struct grantd_store *s, const struct grantd_client *c,
                               int64_t now);
    /* Replaces the secret's hash with hash and keeps the one it replaces as the previous
     * secret until prev_until (unix seconds; 0: the old secret stops at once, as with
     * client_set_secret); updated_at = now. GRANTD_ENOTFOUND when absent. */
    grantd_rc (*client_rotate_secret)(struct grantd_store *s, int64_t tenant, const char *id,
                                      const unsigned char hash[GRANTD_SHA256_LEN],
                                      int64_t prev_until, int64_t now);
    /* Replaces the username, account, email (NULL: none), developer flag and claims of the existing
     * user u->tenant/u->id; updated_at = now. GRANTD_ENOTFOUND when absent, GRANTD_EEXIST when the
     * username is another user's. */
    grantd_rc (*user_update)(struct grantd_store *s, const struct grantd_user *u, int64_t now);
    /* Inserts an admin key (GRANTD_EEXIST when its id or hash is taken; GRANTD_ENOTFOUND
     * when its tenant does not exist). */
    grantd_rc (*admin_key_put)(struct grantd_store *s, const struct grantd_admin_key *k);
    /* The admin key whose hash is hash, revoked or not (the caller decides);
     * GRANTD_ENOTFOUND when none. */
    grantd_rc (*admin_key_find)(struct grantd_store *s, struct grantd_arena *a,
                                const unsigned char hash[GRANTD_SHA256_LEN],
                                struct grantd_admin_key *out);
    /* Every admin key, oldest first (revoked ones included). */
    grantd_rc (*admin_key_list)(struct grantd_store *s, struct grantd_arena *a,
                                struct grantd_admin_key **out, size_t *count);
    /* Revokes the admin key id at now (a revoked key stays revoked; revoking it again is
     * GRANTD_OK). GRANTD_ENOTFOUND when absent. */
    grantd_rc (*admin_key_revoke)(struct grantd_store *s, const char *id, int64_t now);

    /* Dynamic client registration (issue 13 item 3; struct grantd_registration). */
    /* Inserts an initial access token (GRANTD_EEXIST when its id or hash is taken,
     * GRANTD_ENOTFOUND when its tenant does not exist). Moves no change sequence: read
     * from the store at every use, cached nowhere. */
    grantd_rc (*registration_token_put)(struct grantd_store *s,
                                        const struct grantd_registration_token *t);
    /* The initial access token of tenant whose hash is hash, used up or expired or not (the
     * caller decides; registration_put decides again, atomically); GRANTD_ENOTFOUND when
     * there is none. */
    grantd_rc (*registration_token_find)(struct grantd_store *s, struct grantd_arena *a,
                                         int64_t tenant,
                                         const unsigned char hash[GRANTD_SHA256_LEN],
                                         struct grantd_registration_token *out);
    /* Inserts client c (as client_put) and its registration r (r->tenant and r->client_id
     * are c's) in one transaction. When iat is not NULL it is the hash of an initial access
     * token of c's tenant, and one of its uses is taken in the same transaction:
     * GRANTD_ECONFLICT, nothing stored, when it is unknown, expired at now or used up. */
    grantd_rc (*registration_put)(struct grantd_store *s, const struct grantd_client *c,
                                  const struct grantd_registration *r,
                                  const unsigned char *iat, int64_t now);
    /* The registration of client id of tenant; GRANTD_ENOTFOUND when the client is absent
     * or was not registered at /register. */
    grantd_rc (*registration_get)(struct grantd_store *s, struct grantd_arena *a,
                                  int64_t tenant, const char *id,
                                  struct grantd_registration *out);
    /* Rotates a registration access token: r's token_hash and metadata replace the stored
     * ones of r->tenant/r->client_id only while the stored hash is old_hash (compare and
     * swap: GRANTD_ECONFLICT otherwise, and when there is no such registration); when c is
     * not NULL (the same client) it is updated as client_update does, in the same
     * transaction. Moves the change sequence only with c (registrations themselves are
     * read from the store at every use and cached nowhere, as are initial access tokens;
     * registration_put moves it: it adds a client). */
    grantd_rc (*registration_rotate)(struct grantd_store *s, const struct grantd_client *c,
                                     const struct grantd_registration *r,
                                     const unsigned char old_hash[GRANTD_SHA256_LEN],
                                     int64_t now);

    /* The audit trail (issue 13 item 6). A change and its audit entry are one transaction:
     * audit_begin opens it for the calling thread, every write operation that thread calls
     * until audit_end runs inside it (each still all or nothing: a failed one leaves no
     * trace and its result is returned as ever), and audit_end(e, rc) appends e and commits
     * when rc is GRANTD_OK, or undoes everything since audit_begin otherwise, so a change
     * is never stored without its entry nor an entry without its change. Returns rc, or
     * the failure of the append or the commit (then nothing was stored). Writes of other
     * threads wait meanwhile: do between the two only the writes of one change (no network,
     * no long computation). Every audit_begin that returned GRANTD_OK needs its audit_end
     * on the same thread; one that failed needs none. audit_end moves the change sequence
     * when any write between moved it; the entry alone does not. */
    grantd_rc (*audit_begin)(struct grantd_store *s);
    grantd_rc (*audit_end)(struct grantd_store *s, const struct grantd_audit *e, grantd_rc rc);
    /* Entries as q says (struct grantd_audit_query) into an arena array; *count 0 when
     * none. The entries of one target newest first are one index range. */
    grantd_rc (*audit_list)(struct grantd_store *s, struct grantd_arena *a,
                            const struct grantd_audit_query *q, struct grantd_audit **out,
                            size_t *count);

    /* Issue 13 item 4, the end user's account page. */
    /* Every remembered consent of user_id, newest first (created_at, then client id), into
     * an arena array (*count 0 when none). */
    grantd_rc (*consent_list)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                              const char *user_id, struct grantd_consent **out,
                              size_t *count);
    /* Withdraws what user_id granted client_id, in one transaction: deletes the consent,
     * marks revoked at now every family of the user's tokens and codes of that client (so
     * each of those tokens, JWT rows included, reads revoked, and a token_put or
     * refresh_rotate in flight for them is refused; the feed gets a family event each and a
     * token event for each live access token, as token_revoke_family), and revokes the
     * user's unused codes of the client. Nothing of another user or client changes.
     * GRANTD_ENOTFOUND, nothing changed, when there is no such consent. */
    grantd_rc (*consent_revoke)(struct grantd_store *s, int64_t tenant, const char *user_id,
                                const char *client_id, int64_t now);

    /* Issue 13 item 2, the developer console. */
    /* The clients whose owner is owner (a user id), oldest first, as client_list answers
     * them, into an arena array (*count 0 when none); one index range. */
    grantd_rc (*client_list_owned)(struct grantd_store *s, struct grantd_arena *a,
                                   int64_t tenant, const char *owner,
                                   struct grantd_client **out, size_t *count);

    /* ---- version 5 ---- */

    /* Writes a consistent copy of the whole database, as one snapshot, into the file path,
     * which must be missing or empty (the caller creates it empty with the mode it wants,
     * and renames it into place): `grantd backup`. Other connections and processes go on
     * reading and writing while it runs. err gets a one-line reason on failure. May be
     * NULL (a server database such as PostgreSQL has its own tools: pg_dump). */
    grantd_rc (*backup)(struct grantd_store *s, const char *path, char *err, size_t errlen);

    /* ---- version 6 ---- */

    /* code_consume without blocking the caller: queues the redemption and returns;
     * done(arg, rc) is called exactly once with code_consume's result and *out filled as
     * code_consume fills it, on a thread of the driver's (or on the caller's, before
     * code_consume_async returns). a, hash and out must stay valid until then, and nothing
     * else may use a meanwhile. May be NULL: callers then use code_consume. This is what
     * lets a driver commit the redemptions of many requests in one transaction (one flush)
     * with every single-use guarantee of code_consume. */
    void (*code_consume_async)(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                               const unsigned char hash[GRANTD_SHA256_LEN], int64_t now,
                               struct grantd_code *out, void (*done)(void *arg, grantd_rc rc),
                               void *arg);
    /* refresh_rotate without blocking the caller, in the same way: done(arg, rc) gets
     * refresh_rotate's result once. old_hash, successor, tokens and what they point to must
     * stay valid until then. May be NULL: callers then use refresh_rotate. */
    void (*refresh_rotate_async)(struct grantd_store *s, int64_t tenant,
                                 const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now,
                                 int64_t grace_until, const unsigned char *successor,
                                 size_t successor_len, const struct grantd_token *tokens,
                                 size_t count, void (*done)(void *arg, grantd_rc rc),
                                 void *arg);
};

struct grantd_store {
    const struct grantd_store_driver *driver;
    /* The process's view of the change sequence: moved at once by the wrapper of every
     * write of this process that moves the sequence (drivers never touch it), and by the
     * watcher (src/store/watch.c) when another process moved it. Caches of stored records
     * keep the value they read before fetching and drop entries once it moved on
     * (oauth/token_cache.c, oauth/client_cache.c). grantd_store_open starts it at a value no
     * other handle of the process had, so entries of a closed store never match a new one
     * at the same address. */
    atomic_uint_least64_t generation;
    /* The same for the client cache: moved with the generation, except by writes of this
     * process that change no client (a refresh rotation, a revocation, a user or key
     * change), so that a busy refresh grant does not empty the client cache of the token
     * endpoint at every request. The watcher moves both, for this process's own writes too,
     * at most once a poll (GRANTD_STORE_CHANGE_POLL_MS). */
    atomic_uint_least64_t client_generation;
    /* Tests only: when set, every wrapper calls it first with the operation's name, and a
     * result other than GRANTD_OK is returned instead of running the operation. */
    grantd_rc (*fault)(struct grantd_store *s, const char *op);
};

/* The current generation of s (see above). */
uint64_t grantd_store_generation(struct grantd_store *s);
/* The client generation of s (see above). */
uint64_t grantd_store_client_generation(struct grantd_store *s);
/* Moves both generations of s on: every cache entry read before is dropped. */
void grantd_store_changed(struct grantd_store *s);

/* ---- The operations, for callers ----
 *
 * Callers never reach through s->driver: each operation has a wrapper with the driver's
 * signature and meaning (above). A wrapper answers GRANTD_ENOTSUP when the driver leaves the
 * operation NULL (or falls back, where the operation says so), and runs the store's fault
 * hook first (tests inject failures there). The wrapper of a write that moves the change
 * sequence moves the store's generation once the write succeeded. */

GRANTD_MUST_USE grantd_rc grantd_store_migrate(struct grantd_store *s, int64_t now, int *from,
                                               int *to);
GRANTD_MUST_USE grantd_rc grantd_store_ping(struct grantd_store *s);
GRANTD_MUST_USE grantd_rc grantd_store_hash_key(struct grantd_store *s,
                                                unsigned char out[GRANTD_SHA256_LEN]);
GRANTD_MUST_USE grantd_rc grantd_store_tenant_get(struct grantd_store *s, struct grantd_arena *a,
                                                  int64_t id, struct grantd_tenant *out);
GRANTD_MUST_USE grantd_rc grantd_store_tenant_find(struct grantd_store *s, struct grantd_arena *a,
                                                   const char *name, struct grantd_tenant *out);
GRANTD_MUST_USE grantd_rc grantd_store_tenant_list(struct grantd_store *s, struct grantd_arena *a,
                                                   struct grantd_tenant **out, size_t *count);
GRANTD_MUST_USE grantd_rc grantd_store_client_put(struct grantd_store *s,
                                                  const struct grantd_client *c);
GRANTD_MUST_USE grantd_rc grantd_store_client_get(struct grantd_store *s, struct grantd_arena *a,
                                                  int64_t tenant, const char *id,
                                                  struct grantd_client *out);
GRANTD_MUST_USE grantd_rc grantd_store_client_list(struct grantd_store *s, struct grantd_arena *a,
                                                   int64_t tenant, struct grantd_client **out,
                                                   size_t *count);
GRANTD_MUST_USE grantd_rc grantd_store_client_set_disabled(struct grantd_store *s, int64_t tenant,
                                                           const char *id, int disabled,
                                                           int64_t now_us);
GRANTD_MUST_USE grantd_rc grantd_store_client_set_secret(struct grantd_store *s, int64_t tenant,
                                                         const char *id,
                                                         const unsigned char *hash, int64_t now);
GRANTD_MUST_USE grantd_rc grantd_store_client_delete(struct grantd_store *s, int64_t tenant,
                                                     const char *id);
GRANTD_MUST_USE grantd_rc grantd_store_user_put(struct grantd_store *s,
                                                const struct grantd_user *u);
GRANTD_MUST_USE grantd_rc grantd_store_user_find(struct grantd_store *s, struct grantd_arena *a,
                                                 int64_t tenant, const char *username,
                                                 struct grantd_user *out);
GRANTD_MUST_USE grantd_rc grantd_store_user_list(struct grantd_store *s, struct grantd_arena *a,
                                                 int64_t tenant, struct grantd_user **out,
                                                 size_t *count);
GRANTD_MUST_USE grantd_rc grantd_store_user_set_password(struct grantd_store *s, int64_t tenant,
                                                         const char *username,
                                                         const char *password_hash,
                                                         int64_t now);
GRANTD_MUST_USE grantd_rc grantd_store_user_set_disabled(struct grantd_store *s, int64_t tenant,
                                                         const char *username, int disabled,
                                                         int64_t now);
GRANTD_MUST_USE grantd_rc grantd_store_tenant_put(struct grantd_store *s,
                                                  const struct grantd_tenant *t, int64_t *id_out);
GRANTD_MUST_USE grantd_rc grantd_store_user_get(struct grantd_store *s, struct grantd_arena *a,
                                                int64_t tenant, const char *id,
                                                struct grantd_user *out);
GRANTD_MUST_USE grantd_rc grantd_store_session_put(struct grantd_store *s,
                                                   const struct grantd_session *sess);
GRANTD_MUST_USE grantd_rc grantd_store_session_get(struct grantd_store *s, struct grantd_arena *a,
                                                   int64_t tenant,
                                                   const unsigned char id_hash[GRANTD_SHA256_LEN],
                                                   int64_t now, struct grantd_session *out);
GRANTD_MUST_USE grantd_rc grantd_store_session_delete(struct grantd_store *s, int64_t tenant,
        const unsigned char id_hash[GRANTD_SHA256_LEN]);
GRANTD_MUST_USE grantd_rc grantd_store_consent_get(struct grantd_store *s, struct grantd_arena *a,
                                                   int64_t tenant, const char *user_id,
                                                   const char *client_id,
                                                   struct grantd_consent *out);
GRANTD_MUST_USE grantd_rc grantd_store_consent_put(struct grantd_store *s,
                                                   const struct grantd_consent *c);
GRANTD_MUST_USE grantd_rc grantd_store_code_put(struct grantd_store *s,
                                                const struct grantd_code *code);
GRANTD_MUST_USE grantd_rc grantd_store_code_consume(struct grantd_store *s, struct grantd_arena *a,
                                                    int64_t tenant,
                                                    const unsigned char hash[GRANTD_SHA256_LEN],
                                                    int64_t now, struct grantd_code *out);
GRANTD_MUST_USE grantd_rc grantd_store_token_put(struct grantd_store *s,
                                                 const struct grantd_token *tokens, size_t count);
GRANTD_MUST_USE grantd_rc grantd_store_token_get(struct grantd_store *s, struct grantd_arena *a,
                                                 int64_t tenant,
                                                 const unsigned char hash[GRANTD_SHA256_LEN],
                                                 struct grantd_token *out);
GRANTD_MUST_USE grantd_rc grantd_store_token_revoke_family(struct grantd_store *s, int64_t tenant,
                                                           const char *family, int64_t now);
GRANTD_MUST_USE grantd_rc grantd_store_refresh_rotate(struct grantd_store *s, int64_t tenant,
        const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now, int64_t grace_until,
                                                      const unsigned char *successor,
                                                      size_t successor_len,
                                                      const struct grantd_token *tokens,
                                                      size_t count);
/* token_revoke_at when the driver has it, else token_revoke (the event's at is then 0). */
GRANTD_MUST_USE grantd_rc grantd_store_token_revoke(struct grantd_store *s, int64_t tenant,
                                                    const unsigned char hash[GRANTD_SHA256_LEN],
                                                    int64_t now);
GRANTD_MUST_USE grantd_rc grantd_store_purge_expired(struct grantd_store *s, int64_t before,
                                                     int64_t now, size_t *deleted);
GRANTD_MUST_USE grantd_rc grantd_store_key_put(struct grantd_store *s, const struct grantd_key *k);
GRANTD_MUST_USE grantd_rc grantd_store_key_list(struct grantd_store *s, struct grantd_arena *a,
                                                int64_t tenant, struct grantd_key **out,
                                                size_t *count);
GRANTD_MUST_USE grantd_rc grantd_store_key_rotate(struct grantd_store *s, int64_t tenant,
                                                  const struct grantd_key *next,
                                                  int64_t retire_at);

GRANTD_MUST_USE grantd_rc grantd_store_change_seq(struct grantd_store *s, uint64_t *out);
GRANTD_MUST_USE grantd_rc grantd_store_revocations_since(struct grantd_store *s,
                                                         struct grantd_arena *a, int64_t tenant,
                                                         int64_t after, size_t limit,
                                                         struct grantd_revocation **out,
                                                         size_t *count, int64_t *next_cursor);
GRANTD_MUST_USE grantd_rc grantd_store_key_retire(struct grantd_store *s, int64_t tenant,
                                                  const char *kid, int64_t now);
GRANTD_MUST_USE grantd_rc grantd_store_revocations_floor(struct grantd_store *s, int64_t *out);
GRANTD_MUST_USE grantd_rc grantd_store_revocations_purge(struct grantd_store *s, int64_t before,
                                                        size_t *deleted);
GRANTD_MUST_USE grantd_rc grantd_store_change_wait(struct grantd_store *s, uint64_t after,
                                                   int timeout_ms, uint64_t *out);
GRANTD_MUST_USE grantd_rc grantd_store_client_update(struct grantd_store *s,
                                                     const struct grantd_client *c, int64_t now);
GRANTD_MUST_USE grantd_rc grantd_store_client_rotate_secret(struct grantd_store *s,
                                                            int64_t tenant, const char *id,
                                                            const unsigned char *hash,
                                                            int64_t prev_until, int64_t now);
GRANTD_MUST_USE grantd_rc grantd_store_user_update(struct grantd_store *s,
                                                   const struct grantd_user *u, int64_t now);
GRANTD_MUST_USE grantd_rc grantd_store_admin_key_put(struct grantd_store *s,
                                                     const struct grantd_admin_key *k);
GRANTD_MUST_USE grantd_rc grantd_store_admin_key_find(struct grantd_store *s,
                                                      struct grantd_arena *a,
                                                      const unsigned char *hash,
                                                      struct grantd_admin_key *out);
GRANTD_MUST_USE grantd_rc grantd_store_admin_key_list(struct grantd_store *s,
                                                      struct grantd_arena *a,
                                                      struct grantd_admin_key **out,
                                                      size_t *count);
GRANTD_MUST_USE grantd_rc grantd_store_admin_key_revoke(struct grantd_store *s, const char *id,
                                                        int64_t now);
/* The audit trail (the driver's audit_begin, audit_end, audit_list above). */
GRANTD_MUST_USE grantd_rc grantd_store_audit_begin(struct grantd_store *s);
GRANTD_MUST_USE grantd_rc grantd_store_audit_end(struct grantd_store *s,
                                                 const struct grantd_audit *e, grantd_rc rc);
GRANTD_MUST_USE grantd_rc grantd_store_audit_list(struct grantd_store *s, struct grantd_arena *a,
                                                  const struct grantd_audit_query *q,
                                                  struct grantd_audit **out, size_t *count);

GRANTD_MUST_USE grantd_rc
grantd_store_registration_token_put(struct grantd_store *s,
                                    const struct grantd_registration_token *t);
GRANTD_MUST_USE grantd_rc
grantd_store_registration_token_find(struct grantd_store *s, struct grantd_arena *a,
                                     int64_t tenant, const unsigned char *hash,
                                     struct grantd_registration_token *out);
GRANTD_MUST_USE grantd_rc grantd_store_registration_put(struct grantd_store *s,
                                                        const struct grantd_client *c,
                                                        const struct grantd_registration *r,
                                                        const unsigned char *iat, int64_t now);
GRANTD_MUST_USE grantd_rc grantd_store_registration_get(struct grantd_store *s,
                                                        struct grantd_arena *a, int64_t tenant,
                                                        const char *id,
                                                        struct grantd_registration *out);
GRANTD_MUST_USE grantd_rc grantd_store_registration_rotate(struct grantd_store *s,
                                                           const struct grantd_client *c,
                                                           const struct grantd_registration *r,
                                                           const unsigned char *old_hash,
                                                           int64_t now);

/* The developer console (issue 13 item 2): client_list_owned. */
GRANTD_MUST_USE grantd_rc grantd_store_client_list_owned(struct grantd_store *s,
                                                         struct grantd_arena *a, int64_t tenant,
                                                         const char *owner,
                                                         struct grantd_client **out,
                                                         size_t *count);

/* The account page (issue 13 item 4): consent_list and consent_revoke. */
GRANTD_MUST_USE grantd_rc grantd_store_consent_list(struct grantd_store *s, struct grantd_arena *a,
                                                    int64_t tenant, const char *user_id,
                                                    struct grantd_consent **out, size_t *count);
GRANTD_MUST_USE grantd_rc grantd_store_consent_revoke(struct grantd_store *s, int64_t tenant,
                                                      const char *user_id, const char *client_id,
                                                      int64_t now);

/* token_put without blocking (see token_put_async above); with a driver that has no
 * token_put_async, token_put runs on the calling thread and done is called before this
 * returns. */
/* 1 when the driver writes tokens asynchronously (token_put_async), so a caller that can wait
 * without holding its thread should; 0 when grantd_store_token_put_async would block. */
int grantd_store_puts_async(const struct grantd_store *s);
void grantd_store_token_put_async(struct grantd_store *s, const struct grantd_token *tokens,
                                  size_t count, void (*done)(void *arg, grantd_rc rc), void *arg);

/* code_consume without blocking (version 6: code_consume_async above); with a driver that
 * has none, code_consume runs on the calling thread and done is called before this returns.
 * grantd_store_consumes_async says which. */
int grantd_store_consumes_async(const struct grantd_store *s);
void grantd_store_code_consume_async(struct grantd_store *s, struct grantd_arena *a,
                                     int64_t tenant, const unsigned char hash[GRANTD_SHA256_LEN],
                                     int64_t now, struct grantd_code *out,
                                     void (*done)(void *arg, grantd_rc rc), void *arg);

/* refresh_rotate without blocking (version 6: refresh_rotate_async above); with a driver
 * that has none, refresh_rotate runs on the calling thread and done is called before this
 * returns. grantd_store_rotates_async says which. */
int grantd_store_rotates_async(const struct grantd_store *s);
void grantd_store_refresh_rotate_async(struct grantd_store *s, int64_t tenant,
                                       const unsigned char old_hash[GRANTD_SHA256_LEN],
                                       int64_t now, int64_t grace_until,
                                       const unsigned char *successor, size_t successor_len,
                                       const struct grantd_token *tokens, size_t count,
                                       void (*done)(void *arg, grantd_rc rc), void *arg);

/* `grantd backup` (version 5): backup. GRANTD_ENOTSUP when the driver has none. */
GRANTD_MUST_USE grantd_rc grantd_store_backup(struct grantd_store *s, const char *path,
                                              char *err, size_t errlen);

/* Opens the store named by url ("sqlite:PATH"; "sqlite::memory:" for a private in-memory
 * database; "postgres://user[:password]@host[:port]/db" or "postgresql://...") with the
 * driver of its scheme (grantd_store_open_driver). GRANTD_EINVAL for an unknown scheme (err
 * says so). */
GRANTD_MUST_USE grantd_rc grantd_store_open(const char *url, struct grantd_store **out,
                                            char *err, size_t errlen);
/* Opens target (the URL without "scheme:") with driver d: GRANTD_EINVAL, and err saying
 * which version d declares and which this grantd needs, when d->version is below
 * GRANTD_STORE_API_MIN; else d->open's result. The store's driver is d, and its generation
 * a value no other handle of the process had. err receives a one-line reason on failure. */
GRANTD_MUST_USE grantd_rc grantd_store_open_driver(const struct grantd_store_driver *d,
                                                   const char *target,
                                                   struct grantd_store **out, char *err,
                                                   size_t errlen);
void grantd_store_close(struct grantd_store *s);

/* HMAC-SHA256 of a client secret under the store's hash key. */
GRANTD_MUST_USE grantd_rc grantd_store_hash_secret(struct grantd_store *s, const char *secret,
                                                   unsigned char out[GRANTD_SHA256_LEN]);

#endif
