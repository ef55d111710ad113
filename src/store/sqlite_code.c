/* The SQLite driver's authorization codes and opaque tokens (struct grantd_store_driver in
 * store.h). Only SHA-256 hashes of codes and tokens reach this file.
 *
 * The pair that matters is code_consume and token_put. A replayed code must revoke what its
 * first redemption issued, but the first redemption inserts its tokens in a later
 * transaction than the one that consumed the code, so a replay can land in between:
 *
 *   code_consume (BEGIN IMMEDIATE): unused → used; used → code revoked = 1 and every token
 *   of its family revoked.
 *   token_put (BEGIN IMMEDIATE): refuses (GRANTD_ECONFLICT) when a code of the family is
 *   revoked, else inserts.
 *
 * Both take SQLite's write lock before reading, so they are serialised: if the replay runs
 * first, token_put sees the revoked code and inserts nothing; if token_put runs first, the
 * replay finds its tokens and revokes them. Either way no live token outlives the replay.
 *
 * Not here: expiry and binding checks (client, redirect_uri, PKCE: the caller compares what
 * code_consume returns), minting and hashing tokens (token/), connections (sqlite.c), the
 * schema (sqlite_schema.c). Rows are not purged when they expire. */
#include "store/sqlite_int.h"

#include <string.h>

#include "core/clock.h"

/* The cached statement id with ?1 = tenant and ?2 = family bound, or NULL. */
static sqlite3_stmt *family_stmt(struct sq_conn *c, enum sq_stmt_id id, const char *sql,
                                 int64_t tenant, const char *family)
{
    sqlite3_stmt *st = grantd_sqlite_stmt(c, id, sql);
    if (!st)
        return NULL;
    if ((sqlite3_bind_int64(st, 1, tenant) | grantd_sqlite_bind_text(st, 2, family)) !=
        SQLITE_OK) {
        grantd_sqlite_done(st);
        return NULL;
    }
    return st;
}

/* Revokes every token of (tenant, family) inside the caller's transaction, or as its own
 * statement in autocommit. No "AND revoked = 0": the WHERE clause must stay within
 * tokens_by_family, or SQLite scans the tenant's tokens instead (sqlite_schema.c). */
static grantd_rc revoke_family(struct sq_conn *c, int64_t tenant, const char *family)
{
    sqlite3_stmt *st = family_stmt(c, SQ_FAMILY_REVOKE,
                                   "UPDATE tokens SET revoked = 1 "
                                   "WHERE tenant_id = ?1 AND family = ?2",
                                   tenant, family);
    return st ? grantd_sqlite_exec(c, st) : GRANTD_ESTORE;
}

/* ---- codes ---------------------------------------------------------------------------- */

#define CODE_COLUMNS                                                                           \
    "tenant_id, hash, client_id, user_id, redirect_uri, scope, code_challenge, "              \
    "code_challenge_method, family, auth_time, created_at, expires_at"

static void code_from_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_code *k = out;
    memset(k, 0, sizeof(*k));
    k->tenant = sqlite3_column_int64(st, 0);
    grantd_sqlite_col_hash(st, 1, k->hash);
    k->client_id = grantd_sqlite_col_str(a, st, 2);
    k->user_id = grantd_sqlite_col_str(a, st, 3);
    k->redirect_uri = grantd_sqlite_col_str(a, st, 4);
    k->scope = grantd_sqlite_col_str(a, st, 5);
    k->code_challenge = grantd_sqlite_col_str(a, st, 6);
    k->code_challenge_method = grantd_sqlite_col_str(a, st, 7);
    k->family = grantd_sqlite_col_str(a, st, 8);
    k->auth_time = sqlite3_column_int64(st, 9);
    k->created_at = sqlite3_column_int64(st, 10);
    k->expires_at = sqlite3_column_int64(st, 11);
    k->used = sqlite3_column_int(st, 12) != 0;
    k->revoked = sqlite3_column_int(st, 13) != 0;
}

/* client_id, user_id and family are required; a challenge goes with its method. */
static int code_valid(const struct grantd_code *k)
{
    return k && k->client_id && k->user_id && k->family &&
           !k->code_challenge == !k->code_challenge_method;
}

/* created_at 0 means now; NULL scope is "". used and revoked start at 0 whatever k says. */
grantd_rc grantd_sqlite_code_put(struct grantd_store *s, const struct grantd_code *k)
{
    if (!code_valid(k))
        return GRANTD_EINVAL;
    struct sq_conn *c;
    grantd_rc rc = grantd_sqlite_conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    sqlite3_stmt *st = grantd_sqlite_stmt(c, SQ_CODE_PUT,
                                          "INSERT INTO codes (" CODE_COLUMNS ") VALUES "
                                          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    if (!st)
        return GRANTD_ESTORE;
    int64_t created = k->created_at ? k->created_at : grantd_clock_now();
    int b = sqlite3_bind_int64(st, 1, k->tenant) | grantd_sqlite_bind_hash(st, 2, k->hash) |
            grantd_sqlite_bind_text(st, 3, k->client_id) |
            grantd_sqlite_bind_text(st, 4, k->user_id) |
            grantd_sqlite_bind_text(st, 5, k->redirect_uri) |
            grantd_sqlite_bind_text(st, 6, k->scope ? k->scope : "") |
            grantd_sqlite_bind_text(st, 7, k->code_challenge) |
            grantd_sqlite_bind_text(st, 8, k->code_challenge_method) |
            grantd_sqlite_bind_text(st, 9, k->family) | sqlite3_bind_int64(st, 10, k->auth_time) |
            sqlite3_bind_int64(st, 11, created) | sqlite3_bind_int64(st, 12, k->expires_at);
    if (b != SQLITE_OK) {
        grantd_sqlite_done(st);
        return GRANTD_ESTORE;
    }
    return grantd_sqlite_exec(c, st);
}

/* Binds the (tenant, hash) key of a code or token at parameters 1 and 2. */
static int bind_hash_key(sqlite3_stmt *st, int64_t tenant, const unsigned char *hash)
{
    return sqlite3_bind_int64(st, 1, tenant) | grantd_sqlite_bind_hash(st, 2, hash);
}

/* Reads code (tenant, hash) into out, inside the caller's transaction. */
static grantd_rc select_code(struct sq_conn *c, struct grantd_arena *a, int64_t tenant,
                             const unsigned char *hash, struct grantd_code *out)
{
    sqlite3_stmt *st = grantd_sqlite_stmt(c, SQ_CODE_GET,
                                          "SELECT " CODE_COLUMNS ", used, revoked FROM codes "
                                          "WHERE tenant_id = ?1 AND hash = ?2");
    if (!st)
        return GRANTD_ESTORE;
    if (bind_hash_key(st, tenant, hash) != SQLITE_OK) {
        grantd_sqlite_done(st);
        return GRANTD_ESTORE;
    }
    return grantd_sqlite_one_row(c, st, a, code_from_row, out);
}

/* Sets used = 1 (first redemption) or revoked = 1 (replay) on code (tenant, hash). */
static grantd_rc mark_code(struct sq_conn *c, int64_t tenant, const unsigned char *hash,
                           int replay)
{
    sqlite3_stmt *st =
        replay ? grantd_sqlite_stmt(c, SQ_CODE_REVOKE,
                                    "UPDATE codes SET revoked = 1 "
                                    "WHERE tenant_id = ?1 AND hash = ?2")
               : grantd_sqlite_stmt(c, SQ_CODE_USE,
                                    "UPDATE codes SET used = 1 "
                                    "WHERE tenant_id = ?1 AND hash = ?2");
    if (!st)
        return GRANTD_ESTORE;
    if (bind_hash_key(st, tenant, hash) != SQLITE_OK) {
        grantd_sqlite_done(st);
        return GRANTD_ESTORE;
    }
    return grantd_sqlite_exec_one(c, st);
}

/* One BEGIN IMMEDIATE transaction, so of two redemptions racing exactly one sees used = 0.
 * *out is the row as the transaction left it (used = 1; revoked = 1 on a replay). */
grantd_rc grantd_sqlite_code_consume(struct grantd_store *s, struct grantd_arena *a,
                                     int64_t tenant, const unsigned char hash[GRANTD_SHA256_LEN],
                                     struct grantd_code *out)
{
    if (!hash || !out)
        return GRANTD_EINVAL;
    struct sq_conn *c;
    grantd_rc rc = grantd_sqlite_conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    rc = grantd_sqlite_begin(c, 1);
    if (rc != GRANTD_OK)
        return rc;
    rc = select_code(c, a, tenant, hash, out);
    int replay = rc == GRANTD_OK && out->used;
    if (rc == GRANTD_OK)
        rc = mark_code(c, tenant, hash, replay);
    if (rc == GRANTD_OK && replay)
        rc = revoke_family(c, tenant, out->family);
    /* the replay's revocations must be committed, so the transaction ends with OK */
    rc = grantd_sqlite_end(c, rc);
    if (rc != GRANTD_OK)
        return rc;
    out->used = 1;
    if (!replay)
        return GRANTD_OK;
    out->revoked = 1;
    return GRANTD_EREPEATED;
}

/* ---- tokens --------------------------------------------------------------------------- */

#define TOKEN_COLUMNS                                                                          \
    "tenant_id, hash, kind, client_id, user_id, scope, family, created_at, expires_at, "      \
    "revoked"

static void token_from_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_token *t = out;
    memset(t, 0, sizeof(*t));
    t->tenant = sqlite3_column_int64(st, 0);
    grantd_sqlite_col_hash(st, 1, t->hash);
    t->kind = (enum grantd_token_kind)sqlite3_column_int(st, 2);
    t->client_id = grantd_sqlite_col_str(a, st, 3);
    t->user_id = grantd_sqlite_col_str(a, st, 4);
    t->scope = grantd_sqlite_col_str(a, st, 5);
    t->family = grantd_sqlite_col_str(a, st, 6);
    t->created_at = sqlite3_column_int64(st, 7);
    t->expires_at = sqlite3_column_int64(st, 8);
    t->revoked = sqlite3_column_int(st, 9) != 0;
}

/* At least one token; all of one tenant and family; each with a client and a known kind. */
static int tokens_valid(const struct grantd_token *t, size_t count)
{
    if (!t || count == 0 || !t[0].family)
        return 0;
    for (size_t i = 0; i < count; i++) {
        int kind_ok = t[i].kind == GRANTD_TOKEN_ACCESS || t[i].kind == GRANTD_TOKEN_REFRESH;
        if (!kind_ok || !t[i].client_id || t[i].tenant != t[0].tenant || !t[i].family ||
            strcmp(t[i].family, t[0].family) != 0)
            return 0;
    }
    return 1;
}

/* GRANTD_ECONFLICT when a code of (tenant, family) was revoked by a replay. Answered from
 * the covering index codes_by_family (tenant_id, family, revoked). */
static grantd_rc check_family(struct sq_conn *c, int64_t tenant, const char *family)
{
    sqlite3_stmt *st = family_stmt(c, SQ_FAMILY_REPLAYED,
                                   "SELECT 1 FROM codes WHERE tenant_id = ?1 "
                                   "AND family = ?2 AND revoked = 1 LIMIT 1",
                                   tenant, family);
    if (!st)
        return GRANTD_ESTORE;
    int r = sqlite3_step(st);
    grantd_rc rc = r == SQLITE_ROW ? GRANTD_ECONFLICT : grantd_sqlite_rc(c, r);
    grantd_sqlite_done(st);
    return rc;
}

static grantd_rc insert_token(struct sq_conn *c, sqlite3_stmt *st, const struct grantd_token *t)
{
    int64_t created = t->created_at ? t->created_at : grantd_clock_now();
    int b = bind_hash_key(st, t->tenant, t->hash) | sqlite3_bind_int(st, 3, (int)t->kind) |
            grantd_sqlite_bind_text(st, 4, t->client_id) |
            grantd_sqlite_bind_text(st, 5, t->user_id) |
            grantd_sqlite_bind_text(st, 6, t->scope ? t->scope : "") |
            grantd_sqlite_bind_text(st, 7, t->family) | sqlite3_bind_int64(st, 8, created) |
            sqlite3_bind_int64(st, 9, t->expires_at) |
            sqlite3_bind_int(st, 10, t->revoked ? 1 : 0);
    if (b != SQLITE_OK) {
        grantd_sqlite_done(st);
        return GRANTD_ESTORE;
    }
    return grantd_sqlite_exec(c, st);
}

/* One BEGIN IMMEDIATE transaction: the family check and the inserts see the same database
 * (see the top of this file). created_at 0 means now; NULL scope is "". GRANTD_EINVAL for
 * an empty batch or one that mixes tenants or families. */
grantd_rc grantd_sqlite_token_put(struct grantd_store *s, const struct grantd_token *tokens,
                                  size_t count)
{
    if (!tokens_valid(tokens, count))
        return GRANTD_EINVAL;
    struct sq_conn *c;
    grantd_rc rc = grantd_sqlite_conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    sqlite3_stmt *st = grantd_sqlite_stmt(c, SQ_TOKEN_PUT,
                                          "INSERT INTO tokens (" TOKEN_COLUMNS ") VALUES "
                                          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!st)
        return GRANTD_ESTORE;
    rc = grantd_sqlite_begin(c, 1);
    if (rc != GRANTD_OK)
        return rc;
    rc = check_family(c, tokens[0].tenant, tokens[0].family);
    for (size_t i = 0; rc == GRANTD_OK && i < count; i++)
        rc = insert_token(c, st, &tokens[i]);
    return grantd_sqlite_end(c, rc);
}

/* Revoked and expired tokens are returned as they are; the caller decides. */
grantd_rc grantd_sqlite_token_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                  const unsigned char hash[GRANTD_SHA256_LEN],
                                  struct grantd_token *out)
{
    if (!hash || !out)
        return GRANTD_EINVAL;
    struct sq_conn *c;
    grantd_rc rc = grantd_sqlite_conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    sqlite3_stmt *st = grantd_sqlite_stmt(c, SQ_TOKEN_GET,
                                          "SELECT " TOKEN_COLUMNS " FROM tokens "
                                          "WHERE tenant_id = ?1 AND hash = ?2");
    if (!st)
        return GRANTD_ESTORE;
    if (bind_hash_key(st, tenant, hash) != SQLITE_OK) {
        grantd_sqlite_done(st);
        return GRANTD_ESTORE;
    }
    return grantd_sqlite_one_row(c, st, a, token_from_row, out);
}

/* One UPDATE statement, hence one transaction. Does not stop later token_put calls of the
 * family (only a replayed code does). */
grantd_rc grantd_sqlite_token_revoke_family(struct grantd_store *s, int64_t tenant,
                                            const char *family)
{
    if (!family)
        return GRANTD_EINVAL;
    struct sq_conn *c;
    grantd_rc rc = grantd_sqlite_conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    return revoke_family(c, tenant, family);
}
