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
 * initial access tokens and registrations), limit_add and limit_clear (rate-limit counters,
 * read from the store at each use). Those only add records (and nothing may cache that a
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
#include "store/records.h"

/* Versions of the driver interface (struct grantd_store_driver below). Operations are only
 * ever appended to the end of the struct, under a comment "version N" naming the version
 * that added them; a driver sets .version to the newest version whose operations it has
 * (it may leave any of them NULL: the wrapper then answers GRANTD_ENOTSUP).
 * grantd_store_open refuses a driver older than GRANTD_STORE_API_MIN, the oldest set this
 * grantd cannot run without, and accepts any newer one. */
#define GRANTD_STORE_API_VERSION 7 /* the newest set: this header's */
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
     * can need them; *deleted gets the count of sessions, codes and tokens. With version 7
     * it also deletes the rate-limit counters whose window ended before `before`. */
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

    /* ---- version 7 ---- */

    /* Issue 16, rate limits (oauth/ratelimit.c): counters shared by every process on the
     * database, one per (tenant, key); key is the caller's text (1..GRANTD_LIMIT_KEY_MAX
     * bytes, e.g. a kind and a hash of what is limited). A counter's window opens at the
     * first event counted while none is open and lasts window seconds (> 0); from its end on
     * the counter is 0 and the next event opens a new one. Neither operation moves the
     * change sequence or the store's generations: counting is not a change of a record.
     *
     * limit_add counts add events (>= 0) at now, atomically: concurrent adds of any process
     * each see the others' (no count is lost, and each gets a different count). *out is
     * the counter after the add (for add 0: as it stands; nothing is written then). */
    grantd_rc (*limit_add)(struct grantd_store *s, int64_t tenant, const char *key,
                           int64_t add, int64_t window, int64_t now, struct grantd_limit *out);
    /* Forgets key's counter (a correct password after failures); GRANTD_OK when there was
     * none. Windows that ended go with purge_expired (every counter whose window ended
     * before its `before`), also in a driver that leaves this NULL. */
    grantd_rc (*limit_clear)(struct grantd_store *s, int64_t tenant, const char *key);
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

/* Rate-limit counters (version 7): limit_add and limit_clear. GRANTD_EINVAL for a key that
 * is NULL, empty or longer than GRANTD_LIMIT_KEY_MAX, add < 0, window <= 0 or now <= 0. */
GRANTD_MUST_USE grantd_rc grantd_store_limit_add(struct grantd_store *s, int64_t tenant,
                                                 const char *key, int64_t add, int64_t window,
                                                 int64_t now, struct grantd_limit *out);
GRANTD_MUST_USE grantd_rc grantd_store_limit_clear(struct grantd_store *s, int64_t tenant,
                                                   const char *key);

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
