/* The generic layer of the store: driver selection by URL scheme and version, the wrapper of
 * every operation (argument checks, fault hook, GRANTD_ENOTSUP or a fallback when the driver
 * has no such operation, the process's generation after writes that move the change
 * sequence), and helpers shared by every driver's callers. Not here: any SQL (the drivers),
 * the checks of whole records (store_check.c), following other processes' changes
 * (watch.c). */
#include "store/store.h"
#include "store/store_check.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/metrics.h"

extern const struct grantd_store_driver grantd_sqlite_driver;
extern const struct grantd_store_driver grantd_pg_driver;
extern const struct grantd_store_driver grantd_postgresql_driver;

static const struct grantd_store_driver *const drivers[] = {
    &grantd_sqlite_driver,
    &grantd_pg_driver,
    &grantd_postgresql_driver,
};

grantd_rc grantd_store_open_driver(const struct grantd_store_driver *d, const char *target,
                                   struct grantd_store **out, char *err, size_t errlen)
{
    if (d->version < GRANTD_STORE_API_MIN) {
        snprintf(err, errlen,
                 "storage driver '%s' implements store API version %d; this grantd needs "
                 "version %d or newer",
                 d->scheme, d->version, GRANTD_STORE_API_MIN);
        return GRANTD_EINVAL;
    }
    if (!d->open || !d->close) {
        snprintf(err, errlen, "storage driver '%s' cannot open or close a store", d->scheme);
        return GRANTD_EINVAL;
    }
    grantd_rc rc = d->open(target, out, err, errlen);
    if (rc == GRANTD_OK) {
        static atomic_uint_least64_t handles;
        (*out)->driver = d;
        uint64_t start = (atomic_fetch_add(&handles, 1) + 1) << 40;
        atomic_store(&(*out)->generation, start);
        atomic_store(&(*out)->client_generation, start);
    }
    return rc;
}

grantd_rc grantd_store_open(const char *url, struct grantd_store **out, char *err, size_t errlen)
{
    const char *colon = strchr(url, ':');
    if (!colon) {
        snprintf(err, errlen, "database URL '%s' has no scheme (expected sqlite:PATH)", url);
        return GRANTD_EINVAL;
    }
    size_t scheme_len = (size_t)(colon - url);
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        const struct grantd_store_driver *d = drivers[i];
        if (strlen(d->scheme) == scheme_len && strncmp(url, d->scheme, scheme_len) == 0)
            return grantd_store_open_driver(d, colon + 1, out, err, errlen);
    }
    snprintf(err, errlen,
             "unsupported database scheme '%.*s' (supported: sqlite, postgres, postgresql)",
             (int)scheme_len, url);
    return GRANTD_EINVAL;
}

uint64_t grantd_store_generation(struct grantd_store *s)
{
    return atomic_load(&s->generation);
}

uint64_t grantd_store_client_generation(struct grantd_store *s)
{
    return atomic_load(&s->client_generation);
}

void grantd_store_changed(struct grantd_store *s)
{
    atomic_fetch_add(&s->client_generation, 1);
    atomic_fetch_add(&s->generation, 1);
}

void grantd_store_close(struct grantd_store *s)
{
    if (s)
        s->driver->close(s);
}

grantd_rc grantd_store_hash_secret(struct grantd_store *s, const char *secret,
                                   unsigned char out[GRANTD_SHA256_LEN])
{
    unsigned char key[GRANTD_SHA256_LEN];
    grantd_rc rc = s->driver->hash_key(s, key);
    if (rc != GRANTD_OK)
        return rc;
    grantd_hmac_sha256(key, sizeof(key), secret, strlen(secret), out);
    return GRANTD_OK;
}

/* After a write: moves the generation of s on when the driver answered moves_on (the result
 * of a write that moved the change sequence), the client generation too unless the write
 * left clients alone (tokens_only), and returns rc. */
static grantd_rc written(struct grantd_store *s, grantd_rc moves_on, int tokens_only,
                         grantd_rc rc)
{
    if (rc == moves_on && tokens_only)
        atomic_fetch_add(&s->generation, 1);
    else if (rc == moves_on)
        grantd_store_changed(s);
    return rc;
}

#define NEVER GRANTD_RC_COUNT /* moves_on of reads and of writes that leave the sequence */

/* Every wrapper: the fault hook, then the driver's operation, or GRANTD_ENOTSUP when the
 * driver has none; after it, the generation moves when the driver answered moves_on_. An
 * operation of version N > GRANTD_STORE_API_MIN is a member a driver built against an older
 * header does not even have, so its wrapper names its version and never reads the member of
 * an older driver; operations of the oldest version every accepted driver has use
 * STORE_CALL (reads, and writes that do not move the change sequence), STORE_WRITE
 * (writes that do) and STORE_WRITE_TOKENS (writes that do but change no client: tokens,
 * users, consents, keys; the client cache keeps its entries over them). */
#define STORE_OP(version_, moves_on_, tokens_only_, s, op, ...)                                    \
    do {                                                                                           \
        if ((s)->fault) {                                                                          \
            grantd_rc fault_rc_ = (s)->fault((s), #op);                                            \
            if (fault_rc_ != GRANTD_OK)                                                            \
                return fault_rc_;                                                                  \
        }                                                                                          \
        if ((s)->driver->version < (version_) || !(s)->driver->op)                                 \
            return GRANTD_ENOTSUP;                                                                 \
        int64_t t0_ = grantd_metrics_now_us(); /* the op's latency, core/metrics.h */              \
        grantd_rc op_rc_ = (s)->driver->op(__VA_ARGS__);                                           \
        grantd_metrics_store_op(#op, grantd_metrics_now_us() - t0_);                               \
        return written((s), (moves_on_), tokens_only_, op_rc_);                                    \
    } while (0)

/* Before the wrapper's call: its argument checks (store_check.h), the same for every driver,
 * which may assume them (store.h, "Argument checks"). */
#define CHECK(ok_)                                                                             \
    do {                                                                                       \
        if (!(ok_))                                                                            \
            return GRANTD_EINVAL;                                                              \
    } while (0)

#define STORE_CALL(s, op, ...) STORE_OP(GRANTD_STORE_API_MIN, NEVER, 0, s, op, __VA_ARGS__)
#define STORE_WRITE(s, op, ...) STORE_OP(GRANTD_STORE_API_MIN, GRANTD_OK, 0, s, op, __VA_ARGS__)
#define STORE_WRITE_TOKENS(s, op, ...)                                                         \
    STORE_OP(GRANTD_STORE_API_MIN, GRANTD_OK, 1, s, op, __VA_ARGS__)

grantd_rc grantd_store_migrate(struct grantd_store *s, int64_t now, int *from, int *to)
{
    STORE_CALL(s, migrate, s, now, from, to);
}

grantd_rc grantd_store_ping(struct grantd_store *s)
{
    STORE_CALL(s, ping, s);
}

grantd_rc grantd_store_hash_key(struct grantd_store *s, unsigned char out[GRANTD_SHA256_LEN])
{
    STORE_CALL(s, hash_key, s, out);
}

grantd_rc grantd_store_tenant_get(struct grantd_store *s, struct grantd_arena *a, int64_t id,
                                  struct grantd_tenant *out)
{
    STORE_CALL(s, tenant_get, s, a, id, out);
}

grantd_rc grantd_store_tenant_find(struct grantd_store *s, struct grantd_arena *a, const char *name,
                                   struct grantd_tenant *out)
{
    CHECK(name);
    STORE_CALL(s, tenant_find, s, a, name, out);
}

grantd_rc grantd_store_tenant_list(struct grantd_store *s, struct grantd_arena *a,
                                   struct grantd_tenant **out, size_t *count)
{
    STORE_CALL(s, tenant_list, s, a, out, count);
}

grantd_rc grantd_store_client_put(struct grantd_store *s, const struct grantd_client *c)
{
    CHECK(store__client_put_ok(c));
    STORE_WRITE(s, client_put, s, c);
}

grantd_rc grantd_store_client_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                  const char *id, struct grantd_client *out)
{
    CHECK(id);
    STORE_CALL(s, client_get, s, a, tenant, id, out);
}

grantd_rc grantd_store_client_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                   struct grantd_client **out, size_t *count)
{
    STORE_CALL(s, client_list, s, a, tenant, out, count);
}

grantd_rc grantd_store_client_set_disabled(struct grantd_store *s, int64_t tenant, const char *id,
                                           int disabled, int64_t now_us)
{
    CHECK(id && now_us > 0);
    STORE_WRITE(s, client_set_disabled, s, tenant, id, disabled, now_us);
}

grantd_rc grantd_store_client_set_secret(struct grantd_store *s, int64_t tenant, const char *id,
                                         const unsigned char *hash, int64_t now)
{
    CHECK(id && hash);
    STORE_WRITE(s, client_set_secret, s, tenant, id, hash, now);
}

grantd_rc grantd_store_client_delete(struct grantd_store *s, int64_t tenant, const char *id)
{
    CHECK(id);
    STORE_WRITE(s, client_delete, s, tenant, id);
}

grantd_rc grantd_store_user_put(struct grantd_store *s, const struct grantd_user *u)
{
    CHECK(u && u->id && u->username && u->password_hash && u->created_at > 0);
    STORE_WRITE_TOKENS(s, user_put, s, u);
}

grantd_rc grantd_store_user_find(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                 const char *username, struct grantd_user *out)
{
    CHECK(username);
    STORE_CALL(s, user_find, s, a, tenant, username, out);
}

grantd_rc grantd_store_user_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                 struct grantd_user **out, size_t *count)
{
    STORE_CALL(s, user_list, s, a, tenant, out, count);
}

grantd_rc grantd_store_user_set_password(struct grantd_store *s, int64_t tenant,
                                         const char *username, const char *password_hash,
                                         int64_t now)
{
    CHECK(username && password_hash);
    STORE_WRITE_TOKENS(s, user_set_password, s, tenant, username, password_hash, now);
}

grantd_rc grantd_store_user_set_disabled(struct grantd_store *s, int64_t tenant,
                                         const char *username, int disabled, int64_t now)
{
    CHECK(username);
    STORE_WRITE_TOKENS(s, user_set_disabled, s, tenant, username, disabled, now);
}

grantd_rc grantd_store_tenant_put(struct grantd_store *s, const struct grantd_tenant *t,
                                  int64_t *id_out)
{
    CHECK(t && t->name && *t->name && t->created_at > 0);
    STORE_WRITE(s, tenant_put, s, t, id_out);
}

grantd_rc grantd_store_user_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                const char *id, struct grantd_user *out)
{
    CHECK(id);
    STORE_CALL(s, user_get, s, a, tenant, id, out);
}

grantd_rc grantd_store_session_put(struct grantd_store *s, const struct grantd_session *sess)
{
    CHECK(sess && sess->created_at > 0);
    STORE_CALL(s, session_put, s, sess);
}

grantd_rc grantd_store_session_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                   const unsigned char id_hash[GRANTD_SHA256_LEN], int64_t now,
                                   struct grantd_session *out)
{
    CHECK(id_hash && out);
    STORE_CALL(s, session_get, s, a, tenant, id_hash, now, out);
}

grantd_rc grantd_store_session_delete(struct grantd_store *s, int64_t tenant,
                                      const unsigned char id_hash[GRANTD_SHA256_LEN])
{
    CHECK(id_hash);
    STORE_CALL(s, session_delete, s, tenant, id_hash);
}

grantd_rc grantd_store_consent_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                   const char *user_id, const char *client_id,
                                   struct grantd_consent *out)
{
    CHECK(user_id && client_id && out);
    STORE_CALL(s, consent_get, s, a, tenant, user_id, client_id, out);
}

grantd_rc grantd_store_consent_put(struct grantd_store *s, const struct grantd_consent *c)
{
    CHECK(c && c->user_id && c->client_id && c->created_at > 0);
    STORE_WRITE_TOKENS(s, consent_put, s, c);
}

grantd_rc grantd_store_code_put(struct grantd_store *s, const struct grantd_code *code)
{
    CHECK(store__code_ok(code));
    STORE_CALL(s, code_put, s, code);
}

grantd_rc grantd_store_code_consume(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                    const unsigned char hash[GRANTD_SHA256_LEN], int64_t now,
                                    struct grantd_code *out)
{
    CHECK(hash && out);
    STORE_CALL(s, code_consume, s, a, tenant, hash, now, out); /* moves no change sequence */
}

int grantd_store_consumes_async(const struct grantd_store *s)
{
    return s->driver->version >= 6 && s->driver->code_consume_async != NULL;
}

void grantd_store_code_consume_async(struct grantd_store *s, struct grantd_arena *a,
                                     int64_t tenant, const unsigned char hash[GRANTD_SHA256_LEN],
                                     int64_t now, struct grantd_code *out,
                                     void (*done)(void *arg, grantd_rc rc), void *arg)
{
    if (!grantd_store_consumes_async(s) || !hash || !out) {
        done(arg, grantd_store_code_consume(s, a, tenant, hash, now, out));
        return;
    }
    grantd_rc rc = s->fault ? s->fault(s, "code_consume") : GRANTD_OK;
    if (rc != GRANTD_OK) {
        done(arg, rc);
        return;
    }
    s->driver->code_consume_async(s, a, tenant, hash, now, out, done, arg);
}

int grantd_store_rotates_async(const struct grantd_store *s)
{
    return s->driver->version >= 6 && s->driver->refresh_rotate_async != NULL;
}

void grantd_store_refresh_rotate_async(struct grantd_store *s, int64_t tenant,
                                       const unsigned char old_hash[GRANTD_SHA256_LEN],
                                       int64_t now, int64_t grace_until,
                                       const unsigned char *successor, size_t successor_len,
                                       const struct grantd_token *tokens, size_t count,
                                       void (*done)(void *arg, grantd_rc rc), void *arg)
{
    /* without the operation, or with invalid arguments (refused by the blocking wrapper's
     * check): the blocking one, on this thread */
    if (!grantd_store_rotates_async(s) ||
        !store__rotate_ok(tenant, old_hash, now, successor, successor_len, tokens, count)) {
        done(arg, grantd_store_refresh_rotate(s, tenant, old_hash, now, grace_until, successor,
                                              successor_len, tokens, count));
        return;
    }
    grantd_rc rc = s->fault ? s->fault(s, "refresh_rotate") : GRANTD_OK;
    if (rc != GRANTD_OK) {
        done(arg, rc);
        return;
    }
    /* moves no change sequence, as refresh_rotate */
    s->driver->refresh_rotate_async(s, tenant, old_hash, now, grace_until, successor,
                                    successor_len, tokens, count, done, arg);
}

/* 1 when a token of tokens is revoked at insert: such a put moves the change sequence
 * (store.h, token_put), so its wrapper moves the generation. */
static int revoked_row(const struct grantd_token *tokens, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (tokens[i].revoked)
            return 1;
    return 0;
}

grantd_rc grantd_store_token_put(struct grantd_store *s, const struct grantd_token *tokens,
                                 size_t count)
{
    CHECK(store__tokens_ok(tokens, count));
    STORE_OP(GRANTD_STORE_API_MIN, revoked_row(tokens, count) ? GRANTD_OK : NEVER, 1, s,
             token_put, s, tokens, count);
}

grantd_rc grantd_store_token_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                 const unsigned char hash[GRANTD_SHA256_LEN],
                                 struct grantd_token *out)
{
    CHECK(hash && out);
    STORE_CALL(s, token_get, s, a, tenant, hash, out);
}

grantd_rc grantd_store_token_revoke_family(struct grantd_store *s, int64_t tenant,
                                           const char *family, int64_t now)
{
    CHECK(family);
    STORE_WRITE_TOKENS(s, token_revoke_family, s, tenant, family, now);
}

grantd_rc grantd_store_refresh_rotate(struct grantd_store *s, int64_t tenant,
                                      const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now,
                                      int64_t grace_until, const unsigned char *successor,
                                      size_t successor_len, const struct grantd_token *tokens,
                                      size_t count)
{
    CHECK(store__rotate_ok(tenant, old_hash, now, successor, successor_len, tokens, count));
    STORE_CALL(s, refresh_rotate, s, tenant, old_hash, now, grace_until, successor,
               successor_len, tokens, count); /* moves no change sequence (store.h) */
}

grantd_rc grantd_store_token_revoke(struct grantd_store *s, int64_t tenant,
                                    const unsigned char hash[GRANTD_SHA256_LEN], int64_t now)
{
    CHECK(hash);
    if (s->driver->version >= 4 && s->driver->token_revoke_at)
        STORE_OP(4, GRANTD_OK, 1, s, token_revoke_at, s, tenant, hash, now);
    STORE_WRITE_TOKENS(s, token_revoke, s, tenant, hash);
}

grantd_rc grantd_store_purge_expired(struct grantd_store *s, int64_t before, int64_t now,
                                     size_t *deleted)
{
    CHECK(deleted);
    STORE_CALL(s, purge_expired, s, before, now, deleted);
}

grantd_rc grantd_store_key_put(struct grantd_store *s, const struct grantd_key *k)
{
    CHECK(store__key_ok(k));
    STORE_WRITE_TOKENS(s, key_put, s, k);
}

grantd_rc grantd_store_key_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                struct grantd_key **out, size_t *count)
{
    CHECK(out && count);
    STORE_CALL(s, key_list, s, a, tenant, out, count);
}

grantd_rc grantd_store_key_rotate(struct grantd_store *s, int64_t tenant,
                                  const struct grantd_key *next, int64_t retire_at)
{
    CHECK(store__key_ok(next) && next->tenant == tenant && next->retire_at == 0 && retire_at > 0);
    STORE_WRITE_TOKENS(s, key_rotate, s, tenant, next, retire_at);
}

grantd_rc grantd_store_change_seq(struct grantd_store *s, uint64_t *out)
{
    STORE_CALL(s, change_seq, s, out);
}

/* change_wait's fallback for a driver without it: change_seq every poll interval. */
static grantd_rc poll_change_seq(struct grantd_store *s, uint64_t after, int timeout_ms,
                                 uint64_t *out)
{
    grantd_rc rc;
    int waited = 0;
    while ((rc = grantd_store_change_seq(s, out)) == GRANTD_OK && *out <= after &&
           waited < timeout_ms) {
        int step = timeout_ms - waited < GRANTD_STORE_CHANGE_POLL_MS
                       ? timeout_ms - waited
                       : GRANTD_STORE_CHANGE_POLL_MS;
        usleep((useconds_t)step * 1000);
        waited += step;
    }
    return rc;
}

grantd_rc grantd_store_change_wait(struct grantd_store *s, uint64_t after, int timeout_ms,
                                   uint64_t *out)
{
    if (s->driver->change_seq && !s->driver->change_wait)
        return poll_change_seq(s, after, timeout_ms, out);
    STORE_CALL(s, change_wait, s, after, timeout_ms, out);
}

int grantd_store_puts_async(const struct grantd_store *s)
{
    return s->driver->token_put_async != NULL;
}

void grantd_store_token_put_async(struct grantd_store *s, const struct grantd_token *tokens,
                                  size_t count, void (*done)(void *arg, grantd_rc rc), void *arg)
{
    if (!store__tokens_ok(tokens, count)) {
        done(arg, GRANTD_EINVAL);
        return;
    }
    if (revoked_row(tokens, count)) {
        /* through the wrapper above, which moves the generation */
        done(arg, grantd_store_token_put(s, tokens, count));
        return;
    }
    grantd_rc rc = s->fault ? s->fault(s, "token_put") : GRANTD_OK;
    if (rc == GRANTD_OK && s->driver->token_put_async) {
        s->driver->token_put_async(s, tokens, count, done, arg);
        return;
    }
    if (rc == GRANTD_OK)
        rc = grantd_store_token_put(s, tokens, count);
    done(arg, rc);
}

grantd_rc grantd_store_key_retire(struct grantd_store *s, int64_t tenant, const char *kid,
                                  int64_t now)
{
    CHECK(kid && now > 0);
    STORE_OP(4, GRANTD_OK, 1, s, key_retire, s, tenant, kid, now);
}

grantd_rc grantd_store_revocations_floor(struct grantd_store *s, int64_t *out)
{
    CHECK(out);
    STORE_OP(4, NEVER, 0, s, revocations_floor, s, out);
}

grantd_rc grantd_store_revocations_purge(struct grantd_store *s, int64_t before, size_t *deleted)
{
    CHECK(deleted);
    STORE_OP(4, NEVER, 0, s, revocations_purge, s, before, deleted);
}

grantd_rc grantd_store_revocations_since(struct grantd_store *s, struct grantd_arena *a,
                                         int64_t tenant, int64_t after, size_t limit,
                                         struct grantd_revocation **out, size_t *count,
                                         int64_t *next_cursor)
{
    CHECK(a && out && count && next_cursor && after >= 0 && limit > 0);
    STORE_OP(3, NEVER, 0, s, revocations_since, s, a, tenant, after, limit, out, count,
             next_cursor);
}

/* ---- version 4: the admin API ---- */

grantd_rc grantd_store_client_update(struct grantd_store *s, const struct grantd_client *c,
                                     int64_t now)
{
    CHECK(store__client_update_ok(c, now));
    STORE_OP(4, GRANTD_OK, 0, s, client_update, s, c, now);
}

grantd_rc grantd_store_client_rotate_secret(struct grantd_store *s, int64_t tenant,
                                            const char *id, const unsigned char *hash,
                                            int64_t prev_until, int64_t now)
{
    CHECK(id && hash);
    STORE_OP(4, GRANTD_OK, 0, s, client_rotate_secret, s, tenant, id, hash, prev_until, now);
}

grantd_rc grantd_store_user_update(struct grantd_store *s, const struct grantd_user *u,
                                   int64_t now)
{
    CHECK(u && u->id && u->username && now > 0);
    STORE_OP(4, GRANTD_OK, 1, s, user_update, s, u, now);
}

grantd_rc grantd_store_admin_key_put(struct grantd_store *s, const struct grantd_admin_key *k)
{
    CHECK(k && k->id && k->name && k->created_at > 0 && k->tenant >= 0);
    STORE_OP(4, NEVER, 0, s, admin_key_put, s, k);
}

grantd_rc grantd_store_admin_key_find(struct grantd_store *s, struct grantd_arena *a,
                                      const unsigned char *hash, struct grantd_admin_key *out)
{
    CHECK(hash);
    STORE_OP(4, NEVER, 0, s, admin_key_find, s, a, hash, out);
}

grantd_rc grantd_store_admin_key_list(struct grantd_store *s, struct grantd_arena *a,
                                      struct grantd_admin_key **out, size_t *count)
{
    STORE_OP(4, NEVER, 0, s, admin_key_list, s, a, out, count);
}

grantd_rc grantd_store_admin_key_revoke(struct grantd_store *s, const char *id, int64_t now)
{
    CHECK(id && now > 0);
    STORE_OP(4, NEVER, 0, s, admin_key_revoke, s, id, now);
}

/* ---- dynamic client registration (issue 13 item 3) ---- */

grantd_rc grantd_store_registration_token_put(struct grantd_store *s,
                                              const struct grantd_registration_token *t)
{
    CHECK(t && t->id && t->tenant > 0 && t->created_at > 0 && t->expires_at >= 0);
    STORE_OP(4, NEVER, 0, s, registration_token_put, s, t);
}

grantd_rc grantd_store_registration_token_find(struct grantd_store *s, struct grantd_arena *a,
                                               int64_t tenant, const unsigned char *hash,
                                               struct grantd_registration_token *out)
{
    CHECK(hash);
    STORE_OP(4, NEVER, 0, s, registration_token_find, s, a, tenant, hash, out);
}

grantd_rc grantd_store_registration_put(struct grantd_store *s, const struct grantd_client *c,
                                        const struct grantd_registration *r,
                                        const unsigned char *iat, int64_t now)
{
    CHECK(store__registration_put_ok(c, r, now));
    STORE_OP(4, GRANTD_OK, 0, s, registration_put, s, c, r, iat, now);
}

grantd_rc grantd_store_registration_get(struct grantd_store *s, struct grantd_arena *a,
                                        int64_t tenant, const char *id,
                                        struct grantd_registration *out)
{
    CHECK(id);
    STORE_OP(4, NEVER, 0, s, registration_get, s, a, tenant, id, out);
}

grantd_rc grantd_store_registration_rotate(struct grantd_store *s, const struct grantd_client *c,
                                           const struct grantd_registration *r,
                                           const unsigned char *old_hash, int64_t now)
{
    CHECK(store__registration_rotate_ok(c, r, old_hash, now));
    if (!c) /* the token alone: registrations are cached nowhere */
        STORE_OP(4, NEVER, 0, s, registration_rotate, s, c, r, old_hash, now);
    STORE_OP(4, GRANTD_OK, 0, s, registration_rotate, s, c, r, old_hash, now);
}

/* ---- the audit trail (issue 13 item 6) ---- */

grantd_rc grantd_store_audit_begin(struct grantd_store *s)
{
    STORE_OP(4, NEVER, 0, s, audit_begin, s);
}

/* Not STORE_OP: whatever the fault hook says, the driver's audit_end must run (it closes
 * what audit_begin opened); an injected failure is handed to it as rc, so it undoes. */
grantd_rc grantd_store_audit_end(struct grantd_store *s, const struct grantd_audit *e,
                                 grantd_rc rc)
{
    if (s->fault && rc == GRANTD_OK)
        rc = s->fault(s, "audit_end");
    if (rc == GRANTD_OK && !store__audit_ok(e))
        rc = GRANTD_EINVAL; /* handed on: the driver undoes the unit */
    if (s->driver->version < 4 || !s->driver->audit_end)
        return GRANTD_ENOTSUP;
    return written(s, GRANTD_OK, 0, s->driver->audit_end(s, e, rc));
}

grantd_rc grantd_store_audit_list(struct grantd_store *s, struct grantd_arena *a,
                                  const struct grantd_audit_query *q, struct grantd_audit **out,
                                  size_t *count)
{
    *out = NULL;
    *count = 0;
    CHECK(store__audit_query_ok(q));
    STORE_OP(4, NEVER, 0, s, audit_list, s, a, q, out, count);
}

/* ---- the developer console (issue 13 item 2) ---- */

grantd_rc grantd_store_client_list_owned(struct grantd_store *s, struct grantd_arena *a,
                                         int64_t tenant, const char *owner,
                                         struct grantd_client **out, size_t *count)
{
    CHECK(owner && out && count);
    STORE_OP(4, NEVER, 0, s, client_list_owned, s, a, tenant, owner, out, count);
}

/* ---- the account page (issue 13 item 4) ---- */

grantd_rc grantd_store_consent_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                    const char *user_id, struct grantd_consent **out,
                                    size_t *count)
{
    CHECK(user_id && out && count);
    STORE_OP(4, NEVER, 0, s, consent_list, s, a, tenant, user_id, out, count);
}

/* revokes tokens: the token cache must drop what it knew, the client cache may keep */
grantd_rc grantd_store_backup(struct grantd_store *s, const char *path, char *err,
                             size_t errlen)
{
    STORE_OP(5, NEVER, 0, s, backup, s, path, err, errlen);
}

static int limit_args_ok(const char *key, int64_t add, int64_t window, int64_t now)
{
    return key && *key && strlen(key) <= GRANTD_LIMIT_KEY_MAX && add >= 0 && window > 0 &&
           now > 0;
}

/* counters: no record anyone caches changes, so neither generation moves */
grantd_rc grantd_store_limit_add(struct grantd_store *s, int64_t tenant, const char *key,
                                 int64_t add, int64_t window, int64_t now,
                                 struct grantd_limit *out)
{
    if (!out || !limit_args_ok(key, add, window, now))
        return GRANTD_EINVAL;
    memset(out, 0, sizeof(*out));
    STORE_OP(7, NEVER, 0, s, limit_add, s, tenant, key, add, window, now, out);
}

grantd_rc grantd_store_limit_clear(struct grantd_store *s, int64_t tenant, const char *key)
{
    if (!limit_args_ok(key, 0, 1, 1))
        return GRANTD_EINVAL;
    STORE_OP(7, NEVER, 0, s, limit_clear, s, tenant, key);
}

grantd_rc grantd_store_consent_revoke(struct grantd_store *s, int64_t tenant, const char *user_id,
                                      const char *client_id, int64_t now)
{
    CHECK(user_id && client_id && now > 0);
    STORE_OP(4, GRANTD_OK, 1, s, consent_revoke, s, tenant, user_id, client_id, now);
}
