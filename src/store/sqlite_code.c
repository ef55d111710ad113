/* The SQLite driver's authorization codes and opaque tokens (struct grantd_store_driver in
 * store.h). Only the storage keys of codes and tokens (store.h) reach this file.
 *
 * Revocation of a family is one row in revoked_families (sqlite_schema.c, version 3): a
 * replayed code, a reused refresh token, token_revoke_family and disabling a client insert it;
 * token_put and refresh_rotate refuse its family; token_get reports each of its tokens as
 * revoked. So revoking costs one insert however many tokens the family has, and no index on
 * tokens by family is needed (each index on tokens costs a page write per token written).
 *
 * The pair that matters is code_consume and token_put. A replayed code must revoke what its
 * first redemption issued, but the first redemption inserts its tokens in a later
 * transaction than the one that consumed the code, so a replay can land in between:
 *
 *   code_consume: unused → used; used → GRANTD_EREPLAYED, nothing changed (the caller
 *   checks the replay's parameters and, when they would have redeemed the code, revokes its
 *   family with token_revoke_family).
 *   token_put: refuses (GRANTD_ECONFLICT) when the family is revoked, else inserts.
 *
 * Both run in write transactions (sqlite_writer.c), so they are serialised: if the
 * revocation runs first, token_put sees the revoked family and inserts nothing; if
 * token_put runs first, the revocation revokes the family its tokens belong to. Either way
 * no live token outlives the replay's revocation. refresh_rotate is a compare-and-swap in the same way: one UPDATE that
 * changes the old token only while it is live, and the new tokens only if it did.
 *
 * Not here: expiry and binding checks (client, redirect_uri, PKCE: the caller compares what
 * code_consume returns), minting, hashing and sealing (token/, core/seal), connections
 * (sqlite.c), the write path (sqlite_writer.c), the schema (sqlite_schema.c), removing
 * expired rows (sqlite_purge.c). */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* A family of tenant, and (to revoke it) the time it is revoked at. */
struct family {
    int64_t tenant;
    const char *family;
    int64_t now;
};

static int bind_family(sqlite3_stmt *st, const void *arg)
{
    const struct family *f = arg;
    int b = sqlite3_bind_int64(st, 1, f->tenant) | sqlite__bind_text(st, 2, f->family);
    if (sqlite3_bind_parameter_count(st) >= 3)
        b |= sqlite3_bind_int64(st, 3, f->now);
    return b;
}

static void found_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    *(int *)out = 1;
}

static const struct sq_query family_revoked = {SQ_FAMILY_REVOKED,
                                               "SELECT 1 FROM revoked_families "
                                               "WHERE tenant_id = ?1 AND family = ?2",
                                               bind_family, found_row, 0};
/* already revoked is fine */
static const struct sq_query family_revoke = {SQ_FAMILY_REVOKE,
                                              "INSERT OR IGNORE INTO revoked_families "
                                              "(tenant_id, family, revoked_at) "
                                              "VALUES (?1, ?2, ?3)",
                                              bind_family, NULL, 0};

/* GRANTD_ECONFLICT when (tenant, family) is revoked, inside the caller's transaction. */
static grantd_rc family_check(struct sq_conn *c, int64_t tenant, const char *family)
{
    struct family f = {tenant, family, 0};
    int found = 0;
    grantd_rc rc = sqlite__get(c, &family_revoked, &f, NULL, &found);
    return rc == GRANTD_OK ? GRANTD_ECONFLICT : rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
}

/* Marks f's family revoked (at f->now) inside the caller's transaction. */
static grantd_rc revoke_family(struct sq_conn *c, const struct family *f)
{
    return sqlite__run(c, &family_revoke, f);
}

/* ---- codes ---------------------------------------------------------------------------- */

#define CODE_COLUMNS                                                                           \
    "tenant_id, hash, client_id, user_id, redirect_uri, scope, code_challenge, "              \
    "code_challenge_method, family, auth_time, created_at, expires_at, resources, nonce"

static void code_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_code *k = out;
    memset(k, 0, sizeof(*k));
    k->tenant = sqlite3_column_int64(st, 0);
    sqlite__col_hash(st, 1, k->hash);
    k->client_id = sqlite__col_str(a, st, 2);
    k->user_id = sqlite__col_str(a, st, 3);
    k->redirect_uri = sqlite__col_str(a, st, 4);
    k->scope = sqlite__col_str(a, st, 5);
    k->code_challenge = sqlite__col_str(a, st, 6);
    k->code_challenge_method = sqlite__col_str(a, st, 7);
    k->family = sqlite__col_str(a, st, 8);
    k->auth_time = sqlite3_column_int64(st, 9);
    k->created_at = sqlite3_column_int64(st, 10);
    k->expires_at = sqlite3_column_int64(st, 11);
    k->resources = sqlite__col_str(a, st, 12);
    k->nonce = sqlite__col_str(a, st, 13);
    k->used = sqlite3_column_int(st, 14) != 0;
    k->revoked = sqlite3_column_int(st, 15) != 0;
}

static int bind_code(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_code *k = arg;
    struct sq_hash key = {k->tenant, k->hash};
    return sqlite__bind_hash_key(st, &key) | sqlite__bind_text(st, 3, k->client_id) |
           sqlite__bind_text(st, 4, k->user_id) | sqlite__bind_text(st, 5, k->redirect_uri) |
           sqlite__bind_text(st, 6, k->scope ? k->scope : "") |
           sqlite__bind_text(st, 7, k->code_challenge) |
           sqlite__bind_text(st, 8, k->code_challenge_method) |
           sqlite__bind_text(st, 9, k->family) | sqlite3_bind_int64(st, 10, k->auth_time) |
           sqlite3_bind_int64(st, 11, k->created_at) | sqlite3_bind_int64(st, 12, k->expires_at) |
           sqlite__bind_text(st, 13, k->resources ? k->resources : "") |
           sqlite__bind_text(st, 14, k->nonce);
}

static const struct sq_query code_put = {SQ_CODE_PUT,
                                         "INSERT INTO codes (" CODE_COLUMNS ") VALUES "
                                         "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                                         "?14)",
                                         bind_code, NULL, 0};
static const struct sq_query code_get = {SQ_CODE_GET,
                                         "SELECT " CODE_COLUMNS ", used, revoked FROM codes "
                                         "WHERE tenant_id = ?1 AND hash = ?2",
                                         sqlite__bind_hash_key, code_row, 0};
static const struct sq_query code_use = {SQ_CODE_USE,
                                         "UPDATE codes SET used = 1 "
                                         "WHERE tenant_id = ?1 AND hash = ?2",
                                         sqlite__bind_hash_key, NULL, SQ_ONE_ROW};

/* NULL scope is "". used and revoked start at 0 whatever k says. */
grantd_rc sqlite__code_put(struct grantd_store *s, const struct grantd_code *k)
{
    return sqlite__write_query(s, &code_put, k);
}

struct consume {
    struct grantd_arena *a;
    struct sq_hash key;
    int64_t now;
    struct grantd_code *out;
    int replay;
};

/* Inside the write transaction, so of two redemptions racing exactly one sees used = 0. A
 * replay changes nothing (the caller decides whether to revoke) and reports through
 * x->replay. */
static grantd_rc consume_tx(struct sq_conn *c, void *arg)
{
    struct consume *x = arg;
    grantd_rc rc = sqlite__get(c, &code_get, &x->key, x->a, x->out);
    if (rc != GRANTD_OK)
        return rc;
    x->replay = x->out->used;
    return x->replay ? GRANTD_OK : sqlite__run(c, &code_use, &x->key);
}

/* *out is the row (used = 1 now). */
grantd_rc sqlite__code_consume(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                               const unsigned char hash[GRANTD_SHA256_LEN], int64_t now,
                               struct grantd_code *out)
{
    struct consume x = {.a = a, .key = {tenant, hash}, .now = now, .out = out};
    grantd_rc rc = sqlite__write(s, consume_tx, &x);
    if (rc != GRANTD_OK)
        return rc;
    out->used = 1;
    return x.replay ? GRANTD_EREPLAYED : GRANTD_OK;
}

/* ---- tokens --------------------------------------------------------------------------- */

static void token_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_token *t = out;
    memset(t, 0, sizeof(*t));
    t->tenant = sqlite3_column_int64(st, 0);
    sqlite__col_hash(st, 1, t->hash);
    t->kind = (enum grantd_token_kind)sqlite3_column_int(st, 2);
    t->client_id = sqlite__col_str(a, st, 3);
    t->user_id = sqlite__col_str(a, st, 4);
    t->scope = sqlite__col_str(a, st, 5);
    t->family = sqlite__col_str(a, st, 6);
    t->created_at = sqlite3_column_int64(st, 7);
    t->expires_at = sqlite3_column_int64(st, 8);
    t->revoked = sqlite3_column_int(st, 9) != 0;
    t->rotated_at = sqlite3_column_int64(st, 10);
    t->grace_until = sqlite3_column_int64(st, 11);
    t->successor = sqlite__col_blob(a, st, 12, &t->successor_len);
    t->audience = sqlite__col_str(a, st, 13);
    t->auth_time = sqlite3_column_int64(st, 14);
}

/* The rotation columns start at 0 / NULL: a new token is not rotated. */
static int bind_token(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_token *t = arg;
    struct sq_hash key = {t->tenant, t->hash};
    return sqlite__bind_hash_key(st, &key) | sqlite3_bind_int(st, 3, (int)t->kind) |
           sqlite__bind_text(st, 4, t->client_id) | sqlite__bind_text(st, 5, t->user_id) |
           sqlite__bind_text(st, 6, t->scope ? t->scope : "") |
           sqlite__bind_text(st, 7, t->family) | sqlite3_bind_int64(st, 8, t->created_at) |
           sqlite3_bind_int64(st, 9, t->expires_at) |
           sqlite3_bind_int(st, 10, t->revoked ? 1 : 0) |
           sqlite__bind_text(st, 11, t->audience ? t->audience : "") |
           sqlite3_bind_int64(st, 12, t->auth_time);
}

/* revoked is the row's flag or its family's revocation (the top of this file). */
static const struct sq_query token_get = {
    SQ_TOKEN_GET,
    "SELECT t.tenant_id, t.hash, t.kind, t.client_id, t.user_id, t.scope, t.family, "
    "t.created_at, t.expires_at, t.revoked OR EXISTS (SELECT 1 FROM revoked_families r "
    "WHERE r.tenant_id = t.tenant_id AND r.family = t.family), t.rotated_at, t.grace_until, "
    "t.successor, t.audience, t.auth_time FROM tokens t WHERE t.tenant_id = ?1 AND t.hash = ?2",
    sqlite__bind_hash_key, token_row, 0};
static const struct sq_query token_put = {SQ_TOKEN_PUT,
                                          "INSERT INTO tokens (tenant_id, hash, kind, "
                                          "client_id, user_id, scope, family, created_at, "
                                          "expires_at, revoked, audience, auth_time) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                          "?11, ?12)",
                                          bind_token, NULL, 0};
static const struct sq_query token_revoke = {SQ_TOKEN_REVOKE,
                                             "UPDATE tokens SET revoked = 1 "
                                             "WHERE tenant_id = ?1 AND hash = ?2",
                                             sqlite__bind_hash_key, NULL, SQ_ONE_ROW | SQ_CHANGES};

/* Inserts the tokens without checking their family (the caller did). */
static grantd_rc insert_only(struct sq_conn *c, const struct grantd_token *tokens, size_t count)
{
    grantd_rc rc = GRANTD_OK;
    for (size_t i = 0; rc == GRANTD_OK && i < count; i++)
        rc = sqlite__run(c, &token_put, &tokens[i]);
    return rc;
}

/* Inserts tokens (validated by the caller) inside the caller's write transaction, after
 * checking that their family is not revoked (GRANTD_ECONFLICT). */
static grantd_rc insert_tokens(struct sq_conn *c, const struct grantd_token *tokens,
                               size_t count)
{
    grantd_rc rc = tokens[0].family_is_new
                       ? GRANTD_OK
                       : family_check(c, tokens[0].tenant, tokens[0].family);
    return rc == GRANTD_OK ? insert_only(c, tokens, count) : rc;
}

struct token_batch {
    const struct grantd_token *tokens;
    size_t count;
};

/* 1 when a token of the batch is revoked at insert. */
static int any_revoked(const struct token_batch *b)
{
    for (size_t i = 0; i < b->count; i++)
        if (b->tokens[i].revoked)
            return 1;
    return 0;
}

/* A revoked row (a self-contained token's revocation, revoke.c) moves the change sequence:
 * other processes may have cached that token's verdict as good (store.h, "Changes"). */
static grantd_rc token_put_tx(struct sq_conn *c, void *arg)
{
    const struct token_batch *b = arg;
    grantd_rc rc = insert_tokens(c, b->tokens, b->count);
    return rc == GRANTD_OK && any_revoked(b) ? sqlite__changed(c) : rc;
}

/* NULL scope is "". */
grantd_rc sqlite__token_put(struct grantd_store *s, const struct grantd_token *tokens,
                            size_t count)
{
    struct token_batch b = {tokens, count};
    return sqlite__write(s, token_put_tx, &b);
}

/* token_put's asynchronous form: the batch descriptor lives until the callback. */
struct token_put_async {
    struct token_batch b;
    void (*done)(void *arg, grantd_rc rc);
    void *arg;
};

static void token_put_async_done(void *arg, grantd_rc rc)
{
    struct token_put_async *t = arg;
    void (*done)(void *, grantd_rc) = t->done;
    void *done_arg = t->arg;
    free(t);
    done(done_arg, rc);
}

void sqlite__token_put_async(struct grantd_store *s, const struct grantd_token *tokens,
                             size_t count, void (*done)(void *arg, grantd_rc rc), void *arg)
{
    struct token_put_async *t = grantd_xcalloc(1, sizeof(*t));
    *t = (struct token_put_async){{tokens, count}, done, arg};
    sqlite__write_async(s, token_put_tx, &t->b, token_put_async_done, t);
}

/* Revoked and expired tokens are returned as they are; the caller decides. A read on the
 * calling thread's own connection. */
grantd_rc sqlite__token_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                            const unsigned char hash[GRANTD_SHA256_LEN],
                            struct grantd_token *out)
{
    struct sq_hash key = {tenant, hash};
    return sqlite__read(s, &token_get, &key, a, out);
}

static grantd_rc revoke_family_tx(struct sq_conn *c, void *arg)
{
    grantd_rc rc = revoke_family(c, arg);
    return rc == GRANTD_OK ? sqlite__changed(c) : rc;
}

/* One insert into revoked_families. A tenant that does not exist has no tokens: GRANTD_OK. */
grantd_rc sqlite__token_revoke_family(struct grantd_store *s, int64_t tenant, const char *family,
                                      int64_t now)
{
    struct family f = {tenant, family, now};
    grantd_rc rc = sqlite__write(s, revoke_family_tx, &f);
    return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc; /* ENOTFOUND: the tenant's foreign key */
}

/* Revoking a revoked token again is GRANTD_OK. */
grantd_rc sqlite__token_revoke(struct grantd_store *s, int64_t tenant,
                               const unsigned char hash[GRANTD_SHA256_LEN])
{
    struct sq_hash key = {tenant, hash};
    return sqlite__write_query(s, &token_revoke, &key);
}

struct stamped_revoke {
    struct sq_hash key;
    int64_t now;
};

static int bind_stamped(sqlite3_stmt *st, const void *arg)
{
    const struct stamped_revoke *r = arg;
    return sqlite__bind_hash_key(st, &r->key) | sqlite3_bind_int64(st, 3, r->now);
}

/* The feed event the revocation_token trigger (schema version 8) appended for this
 * revocation, if any, stamped with the caller's time: the transaction's last event, of this
 * token, still unstamped. */
static const struct sq_query token_revoke_stamp = {
    SQ_TOKEN_REVOKE_STAMP,
    "UPDATE revocation_events SET at = ?3 WHERE id = (SELECT max(id) FROM revocation_events) "
    "AND tenant_id = ?1 AND kind = 'token' AND subject = lower(hex(substr(?2, 9))) AND at = 0",
    bind_stamped, NULL, 0};

static grantd_rc revoke_at_tx(struct sq_conn *c, void *arg)
{
    const struct stamped_revoke *r = arg;
    grantd_rc rc = sqlite__run(c, &token_revoke, &r->key);
    if (rc == GRANTD_OK)
        rc = sqlite__run(c, &token_revoke_stamp, r);
    return rc == GRANTD_OK ? sqlite__changed(c) : rc;
}

/* token_revoke, with the event's at = now. */
grantd_rc sqlite__token_revoke_at(struct grantd_store *s, int64_t tenant,
                                  const unsigned char hash[GRANTD_SHA256_LEN], int64_t now)
{
    struct stamped_revoke r = {{tenant, hash}, now};
    return sqlite__write(s, revoke_at_tx, &r);
}

/* ---- refresh rotation ----------------------------------------------------------------- */

struct rotate {
    struct sq_hash old;
    int64_t now, grace_until;
    const unsigned char *successor;
    size_t successor_len;
    const struct grantd_token *tokens;
    size_t count;
};

static int bind_rotate(sqlite3_stmt *st, const void *arg)
{
    const struct rotate *x = arg;
    return sqlite__bind_hash_key(st, &x->old) | sqlite3_bind_int64(st, 3, x->now) |
           sqlite3_bind_int64(st, 4, x->grace_until) |
           sqlite__bind_blob(st, 5, x->successor, x->successor_len) |
           sqlite__bind_text(st, 6, x->tokens[0].family);
}

/* Why a rotation changed nothing (see why_not_live), from the old token's row. */
static void live_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    const struct rotate **x = out;
    const char *family = (const char *)sqlite3_column_text(st, 1);
    int same = sqlite3_column_int(st, 0) == GRANTD_TOKEN_REFRESH && family &&
               strcmp(family, (*x)->tokens[0].family) == 0;
    *x = same ? *x : NULL;
}

/* The compare-and-swap: one UPDATE that matches only a live refresh token of the new
 * tokens' family. */
static const struct sq_query token_rotate = {
    SQ_TOKEN_ROTATE,
    "UPDATE tokens SET rotated_at = ?3, grace_until = ?4, successor = ?5 "
    "WHERE tenant_id = ?1 AND hash = ?2 AND kind = 2 AND family = ?6 AND rotated_at = 0 "
    "AND revoked = 0 AND NOT EXISTS (SELECT 1 FROM revoked_families r "
    "WHERE r.tenant_id = ?1 AND r.family = ?6)",
    bind_rotate, NULL, SQ_ONE_ROW};
static const struct sq_query token_live = {SQ_TOKEN_LIVE,
                                           "SELECT kind, family FROM tokens "
                                           "WHERE tenant_id = ?1 AND hash = ?2",
                                           sqlite__bind_hash_key, live_row, 0};

/* Why the compare-and-swap changed nothing: GRANTD_ENOTFOUND when the old token is absent,
 * GRANTD_EINVAL when it is no refresh token or the new tokens are of another family, else
 * GRANTD_ECONFLICT (rotated or revoked meanwhile). */
static grantd_rc why_not_live(struct sq_conn *c, const struct rotate *x)
{
    const struct rotate *same = x;
    grantd_rc rc = sqlite__get(c, &token_live, &x->old, NULL, &same);
    return rc != GRANTD_OK ? rc : same ? GRANTD_ECONFLICT : GRANTD_EINVAL;
}

/* The new tokens go in only when the compare-and-swap changed the old one. */
static grantd_rc rotate_tx(struct sq_conn *c, void *arg)
{
    const struct rotate *x = arg;
    grantd_rc rc = sqlite__run(c, &token_rotate, x);
    if (rc == GRANTD_ENOTFOUND)
        return why_not_live(c, x);
    if (rc == GRANTD_OK)
        rc = insert_only(c, x->tokens, x->count);
    return rc; /* moves no change sequence (store.h, "Changes") */
}

/* The new tokens must be of the old token's family (else GRANTD_EINVAL, from the row). */
grantd_rc sqlite__refresh_rotate(struct grantd_store *s, int64_t tenant,
                                 const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now,
                                 int64_t grace_until, const unsigned char *successor,
                                 size_t successor_len, const struct grantd_token *tokens,
                                 size_t count)
{
    struct rotate x = {{tenant, old_hash}, now,   grace_until, successor,
                       successor_len,      tokens, count};
    return sqlite__write(s, rotate_tx, &x);
}
