/* Signing keys and JWT access tokens (RFC 7517, RFC 7519, RFC 9068).
 *
 * The keyring is the server's in-memory view of a tenant's keys: the private parts are
 * unsealed once with the master key (keys.master_key, $GRANTD_MASTER_KEY, or the key file
 * beside the SQLite database, created 0600 on first start), the JWKS document is rendered
 * once per change, and the store is re-read at most every keys.reload seconds so that a
 * `grantd key rotate` in another process is picked up. Thread-safe. */
#ifndef GRANTD_TOKEN_KEYS_H
#define GRANTD_TOKEN_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/error.h"
#include "core/mem.h"
#include "store/store.h"

struct grantd_keyring;

/* Loads the master key and the tenant's keys; when none of them can sign at now, generates
 * one (cfg->keys.alg, active from now) and stores it. Every published key must open with the
 * master key: GRANTD_ECRYPTO otherwise (a changed GRANTD_MASTER_KEY), store errors as the
 * store reports them. err gets a one-line reason on failure. Free with grantd_keyring_free
 * once no thread uses the keyring any more (after the server has stopped). */
GRANTD_MUST_USE grantd_rc grantd_keyring_open(struct grantd_store *s,
                                              const struct grantd_config *cfg, int64_t tenant,
                                              int64_t now, struct grantd_keyring **out,
                                              char *err, size_t errlen);
/* The same, loading the keys (and generating the first) on first use instead: for the
 * tenants of a server with many, which then start in the time it takes to read the master
 * key. cfg must outlive the keyring. A first load that fails is logged and retried by the
 * next call; meanwhile jwks answers NULL and sign and verify GRANTD_ESTORE. */
GRANTD_MUST_USE grantd_rc grantd_keyring_open_lazy(struct grantd_store *s,
                                                   const struct grantd_config *cfg,
                                                   int64_t tenant, struct grantd_keyring **out,
                                                   char *err, size_t errlen);
void grantd_keyring_free(struct grantd_keyring *kr);

/* The JWKS document ({"keys":[...]}: every key whose retire_at is 0 or after now, including
 * keys published ahead of signing) as JSON text copied into the arena. Never blocks: the
 * keys are re-read from the store at most every keys.reload seconds by whichever caller
 * comes first, while the others keep using the previous snapshot. */
const char *grantd_keyring_jwks(struct grantd_keyring *kr, struct grantd_arena *a, int64_t now);
/* (NULL only when a lazy keyring could not load its keys.) */

/* The claims of an RFC 9068 access token. */
struct grantd_jwt_claims {
    const char *iss, *sub, *client_id, *scope;
    const char *aud;          /* space-separated: one audience or several (an array) */
    const char *jti;          /* unique id (random) */
    int64_t iat, exp;
    int64_t nbf;              /* read by grantd_keyring_verify (0: absent); never signed */
};

/* How far in the future a verified token's iat or nbf may be (seconds): clocks of instances
 * sharing the keys differ by about this much at most. */
#define GRANTD_JWT_SKEW_S 60

/* Signs claims with the signing key at now of the chain of cfg->keys.alg (the newest
 * published key of that alg whose active_from <= now; when that chain has none, the newest
 * of any alg: a server whose keys.alg was changed signs on until it is rotated): header
 * {"typ":"at+jwt","alg":...,"kid":...}, ES256 signatures in JWS R||S form.
 * aud is left out when NULL, scope when NULL or empty. *out is the compact JWS in the arena.
 * GRANTD_EINVAL when iss, sub, client_id or jti is NULL or a string is not UTF-8,
 * GRANTD_ENOTFOUND when no key can sign at now, GRANTD_ECRYPTO when OpenSSL fails.
 * Thread-safe; costs about one ECDSA P-256 signature (~20 µs). */
GRANTD_MUST_USE grantd_rc grantd_keyring_sign(struct grantd_keyring *kr, struct grantd_arena *a,
                                              int64_t now, const struct grantd_jwt_claims *c,
                                              const char **out);

/* 0 when jws has the JWS header of a key of this keyring retired at now (retire_at passed,
 * or no longer published), 1 otherwise (a published key's header, or not this keyring's JWS
 * at all, or the keys cannot be read). No signature is checked: for a token found in the
 * store by its whole text, which only this server can have issued. Thread-safe. */
int grantd_keyring_header_live(struct grantd_keyring *kr, int64_t now, const char *jws);
/* The store generation kr's keys were last read under (grantd_store_generation): a verdict
 * reached with kr may be cached under a generation only when it is this one; after a key
 * change kr's next reload can wait a moment (KEYS_CHANGE_RELOAD_MS), and a verdict cached
 * meanwhile under the new generation would outlive the change. */
uint64_t grantd_keyring_generation(struct grantd_keyring *kr);

/* The claims of a token this keyring signed with a key still published at now (found by its
 * JWS header, which names the key), strings in the arena. GRANTD_EINVAL for any other text:
 * not a JWS, another issuer's, forged or altered, signed by a key retired since, or whose
 * iat or nbf lies more than GRANTD_JWT_SKEW_S after now (a signature is not a reason to
 * believe the claims: the key may have signed them elsewhere). Whether the token is still
 * live (exp, revocation) and whether iss and aud are right are the caller's to decide (the
 * keyring does not know its issuer's URL). Thread-safe. */
GRANTD_MUST_USE grantd_rc grantd_keyring_verify(struct grantd_keyring *kr,
                                                struct grantd_arena *a, int64_t now,
                                                const char *jws, struct grantd_jwt_claims *out);

/* Signs payload (a JSON object's text, UTF-8) as a compact JWS with the key of alg ("ES256" or
 * "RS256") that signs at now; protected header {"alg":ALG,"kid":KID,"typ":TYP} (typ left out
 * when NULL). When the tenant has no key of alg that signs at now, one is generated, stored
 * (published and active from now) and used: an issuer publishes an RS256 key beside its
 * ES256 one the first time OpenID Connect needs it. Concurrent first uses (threads, and
 * processes on one database) end with keys that all verify; never two generations inside
 * one process for one alg at once. GRANTD_EINVAL for an unknown alg or a payload that is
 * not UTF-8 JSON text; GRANTD_ECRYPTO; store codes. *out in the arena. Thread-safe. */
GRANTD_MUST_USE grantd_rc grantd_keyring_sign_jws(struct grantd_keyring *kr, struct grantd_arena *a,
                                                  int64_t now, const char *alg, const char *typ,
                                                  const char *payload, const char **out);
/* The payload (JSON text, arena) and header typ (NULL when absent) of a compact JWS signed by
 * a key of this keyring still published at now (found by the header's kid; the header's alg
 * must be that key's). GRANTD_EINVAL for anything else (not a JWS, unknown or retired kid,
 * alg mismatch, bad signature). Expiry and claims are the caller's. Thread-safe. */
GRANTD_MUST_USE grantd_rc grantd_keyring_verify_jws(struct grantd_keyring *kr,
                                                    struct grantd_arena *a, int64_t now,
                                                    const char *jws, const char **payload,
                                                    const char **typ);

/* For the CLI: adds a new key (alg "ES256" or "RS256"; NULL = cfg->keys.alg) that is
 * published now and signs from now + cfg->keys.publish_ahead (from now when no key of alg
 * signs now: there is nothing to wait for); every current key of alg (retire_at 0; the other
 * alg's chain is untouched) stops signing then and
 * stays published until its last token expires: retire_at = that time + max_access_ttl, the
 * longest access-token lifetime of the server and its clients.
 * *kid_out (arena) gets the new key's id. Refuses (GRANTD_ECRYPTO, nothing written) when the
 * configured master key does not open the published keys, since the server could not open
 * the new key either. GRANTD_EINVAL for an unknown alg. err gets a one-line reason. */
GRANTD_MUST_USE grantd_rc grantd_keys_rotate(struct grantd_store *s,
                                             const struct grantd_config *cfg, int64_t tenant,
                                             const char *alg, int64_t now,
                                             int64_t max_access_ttl, struct grantd_arena *a,
                                             const char **kid_out, char *err, size_t errlen);
/* grantd_keys_rotate recording audit's entry (its actor, action, at and details; tenant and
 * target set here: the new kid) in the same transaction as the rotation (store.h,
 * audit_begin). The key is generated before that transaction opens. */
GRANTD_MUST_USE grantd_rc grantd_keys_rotate_audited(struct grantd_store *s,
                                                     const struct grantd_config *cfg,
                                                     int64_t tenant, const char *alg,
                                                     int64_t now, int64_t max_access_ttl,
                                                     const struct grantd_audit *audit,
                                                     struct grantd_arena *a,
                                                     const char **kid_out, char *err,
                                                     size_t errlen);

/* Revokes key kid of tenant at now (a key that leaked): it is no longer published and every
 * token it signed is refused (the store's key_retire: a "key" event in the revocation feed).
 * When it is the current key of its alg or signs now, a new key of its alg (active from now)
 * is made and stored in the same transaction, so that the alg's chain is never without a
 * signer; any other current key of that alg (published ahead, never signed) retires with
 * it. *new_kid (arena) gets the new key's kid, NULL when none was needed; *already is 1
 * (GRANTD_OK, nothing written) when the key was retired already. audit (may be NULL): its
 * entry in the same transaction, target the revoked kid. GRANTD_ENOTFOUND for an unknown
 * kid; GRANTD_ECRYPTO when the master key does not open the keys. err: a one-line reason. */
GRANTD_MUST_USE grantd_rc grantd_keys_revoke(struct grantd_store *s,
                                             const struct grantd_config *cfg, int64_t tenant,
                                             const char *kid, int64_t now,
                                             const struct grantd_audit *audit,
                                             struct grantd_arena *a, const char **new_kid,
                                             int *already, char *err, size_t errlen);

/* For `grantd doctor`: GRANTD_OK when the configured master key opens every published key of
 * tenant at now (*published: how many; none is GRANTD_OK without loading the master key).
 * Loading may create the SQLite key file when it is missing: the caller checks for it
 * first. GRANTD_ECRYPTO (a key that does not open), GRANTD_ECONFIG or GRANTD_EIO (no master
 * key), store codes; err: a one-line reason. */
GRANTD_MUST_USE grantd_rc grantd_keys_check_master(struct grantd_store *s,
                                                   const struct grantd_config *cfg,
                                                   int64_t tenant, int64_t now,
                                                   struct grantd_arena *a, size_t *published,
                                                   char *err, size_t errlen);

/* The state of key i of list (a tenant's keys, as key_list gives them) at now, within the
 * chain of its alg: "next" (published, signs from active_from, later), "active" (the key of
 * its alg that signs now),
 * "retiring" (no longer signs, still published until retire_at) or "retired" (past
 * retire_at: no longer published). The rule the keyring signs by: the newest active_from,
 * then a current key over a superseded one, then the later retire_at, then the later in
 * the list. For `grantd key list` and the admin API. */
const char *grantd_keys_state(const struct grantd_key *list, size_t n, size_t i, int64_t now);

/* The longest access-token lifetime of tenant: cfg's (lifetimes.access_token) or a longer
 * one of a client's own; the max_access_ttl of grantd_keys_rotate. Records read into a. */
GRANTD_MUST_USE grantd_rc grantd_keys_max_access_ttl(struct grantd_store *s,
                                                     struct grantd_arena *a,
                                                     const struct grantd_config *cfg,
                                                     int64_t tenant, int64_t *out);

#endif
