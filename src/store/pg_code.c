/* The PostgreSQL driver's authorization codes and opaque tokens (struct grantd_store_driver
 * in store.h), sqlite_code.c's design with PostgreSQL's locking. Only the storage keys of
 * codes and tokens (store.h) reach this file.
 *
 * Revocation of a family is one row in revoked_families: a reused refresh token,
 * token_revoke_family (a replayed code's, by the caller) and disabling a client insert it; token_put and refresh_rotate
 * refuse its family; token_get reports each of its tokens as revoked.
 *
 * Single use and rotation across instances (transactions are READ COMMITTED):
 * - code_consume first runs UPDATE ... SET used = 1 WHERE ... AND used = 0 RETURNING the
 *   row: of redemptions racing on several connections (several grantd instances) one
 *   changes the row, the others wait for its commit, re-check used = 0 against the row it
 *   left and match nothing. Those (and unknown codes) then read the code: a used code is a
 *   replay (GRANTD_EREPLAYED, nothing changed; the caller revokes the family when the
 *   replay's parameters would have redeemed it).
 * - refresh_rotate is one UPDATE ... WHERE rotated_at = 0 AND revoked = 0 AND the family is
 *   not revoked: a concurrent rotation of the same row waits for the first one's commit and
 *   then re-checks its WHERE against the row the first left, so it changes nothing
 *   (GRANTD_ECONFLICT). The new tokens go in only when the UPDATE changed the row.
 * - token_put inserts; the schema's trigger on tokens takes the family's lock shared and
 *   refuses a revoked family, and a family's revocation takes it exclusive (pg_schema.c,
 *   FAMILY_LOCK): an insert and a revocation of one family never pass each other, so no
 *   token joins a revoked family and the revocation's feed names every access token.
 *
 * Not here: expiry and binding checks (the caller compares what code_consume returns),
 * minting, hashing and sealing (token/, core/seal), purge_expired (a later step), the
 * schema (pg_schema.c). */
#include "store/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* A family of tenant, and (to revoke it) the time it is revoked at. */
struct family {
    int64_t tenant;
    const char *family;
    int64_t now;
};

static void bind_family(struct pg_params *p, const void *arg)
{
    const struct family *f = arg;
    pg__int64(p, 1, f->tenant);
    pg__text(p, 2, f->family);
}

static void bind_family_at(struct pg_params *p, const void *arg)
{
    const struct family *f = arg;
    bind_family(p, f);
    pg__int64(p, 3, f->now);
}

/* token_revoke_family, moving the change sequence; already revoked is fine */
static const struct pg_query family_revoke_alone = {
    PG_FAMILY_REVOKE,
    "INSERT INTO revoked_families (tenant_id, family, revoked_at) "
    "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    bind_family_at, NULL, PG_CHANGES};


/* ---- codes ------------------------------------------------------------------------------ */

#define CODE_COLUMNS                                                                           \
    "tenant_id, hash, client_id, user_id, redirect_uri, scope, code_challenge, "              \
    "code_challenge_method, family, auth_time, created_at, expires_at, resources, nonce"

static void code_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_code *k = out;
    memset(k, 0, sizeof(*k));
    k->tenant = pg__col_int64(r, row, 0);
    pg__col_hash(r, row, 1, k->hash);
    k->client_id = pg__col_str(a, r, row, 2);
    k->user_id = pg__col_str(a, r, row, 3);
    k->redirect_uri = pg__col_str(a, r, row, 4);
    k->scope = pg__col_str(a, r, row, 5);
    k->code_challenge = pg__col_str(a, r, row, 6);
    k->code_challenge_method = pg__col_str(a, r, row, 7);
    k->family = pg__col_str(a, r, row, 8);
    k->auth_time = pg__col_int64(r, row, 9);
    k->created_at = pg__col_int64(r, row, 10);
    k->expires_at = pg__col_int64(r, row, 11);
    k->resources = pg__col_str(a, r, row, 12);
    k->nonce = pg__col_str(a, r, row, 13);
    k->used = pg__col_int64(r, row, 14) != 0;
    k->revoked = pg__col_int64(r, row, 15) != 0;
}

static void bind_hash(struct pg_params *p, int64_t tenant, const unsigned char *hash)
{
    pg__int64(p, 1, tenant);
    pg__bytea(p, 2, hash, GRANTD_SHA256_LEN);
}

struct key {
    int64_t tenant;
    const unsigned char *hash;
};

static void bind_key(struct pg_params *p, const void *arg)
{
    const struct key *k = arg;
    bind_hash(p, k->tenant, k->hash);
}

static void bind_code(struct pg_params *p, const void *arg)
{
    const struct grantd_code *k = arg;
    bind_hash(p, k->tenant, k->hash);
    pg__text(p, 3, k->client_id);
    pg__text(p, 4, k->user_id);
    pg__text(p, 5, k->redirect_uri);
    pg__text(p, 6, k->scope ? k->scope : "");
    pg__text(p, 7, k->code_challenge);
    pg__text(p, 8, k->code_challenge_method);
    pg__text(p, 9, k->family);
    pg__int64(p, 10, k->auth_time);
    pg__int64(p, 11, k->created_at);
    pg__int64(p, 12, k->expires_at);
    pg__text(p, 13, k->resources ? k->resources : "");
    pg__text(p, 14, k->nonce);
}

static const struct pg_query code_put = {PG_CODE_PUT,
                                         "INSERT INTO codes (" CODE_COLUMNS ") VALUES "
                                         "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                                         "$13, $14)",
                                         bind_code, NULL, 0};
static const struct pg_query code_get = {PG_CODE_GET,
                                         "SELECT " CODE_COLUMNS ", used, revoked FROM codes "
                                         "WHERE tenant_id = $1 AND hash = $2",
                                         bind_key, code_row, 0};

/* NULL scope is "". used and revoked start at 0 whatever k says. */
grantd_rc pg__code_put(struct grantd_store *s, const struct grantd_code *k)
{
    return pg__write_query(s, &code_put, k);
}

struct consume {
    struct grantd_arena *a;
    struct key key;
    struct grantd_code *out;
};

/* The first redemption as one statement in autocommit (one round trip): the code goes
 * from unused to used and comes back. A concurrent one waits for it and then matches
 * nothing, like a replay or an unknown code, which take consume_tx. */
static const struct pg_query code_redeem = {PG_CODE_REDEEM,
                                            "UPDATE codes SET used = 1 "
                                            "WHERE tenant_id = $1 AND hash = $2 AND used = 0 "
                                            "RETURNING " CODE_COLUMNS ", used, revoked",
                                            bind_key, code_row, 0};

static grantd_rc redeem_single(struct pg_conn *c, void *arg)
{
    struct consume *x = arg;
    return pg__get(c, &code_redeem, &x->key, x->a, x->out);
}

/* A code the first redemption's UPDATE did not change: used already (a replay, reported
 * with the code's row; nothing changes: the caller decides whether to revoke) or unknown.
 * Codes only ever go from unused to used, and that UPDATE waited for any redemption of the
 * code in flight, so a row read now is used. */
grantd_rc pg__code_consume_rest(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                const unsigned char hash[GRANTD_SHA256_LEN], int64_t now,
                                struct grantd_code *out)
{
    (void)now;
    struct key key = {tenant, hash};
    grantd_rc rc = pg__read(s, &code_get, &key, a, out);
    return rc == GRANTD_OK ? GRANTD_EREPLAYED : rc;
}

/* *out is the row as the transaction left it (used = 1; revoked = 1 on a replay). */
grantd_rc pg__code_consume(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           const unsigned char hash[GRANTD_SHA256_LEN], int64_t now,
                           struct grantd_code *out)
{
    struct consume x = {.a = a, .key = {tenant, hash}, .out = out};
    grantd_rc rc = pg__tx_single(s, redeem_single, &x);
    if (rc != GRANTD_ENOTFOUND)
        return rc;
    return pg__code_consume_rest(s, a, tenant, hash, now, out);
}

/* ---- many first redemptions in one statement (the writer's code batches) ---------------- */

struct redeem_many {
    struct pg_redeem *r;
    size_t n;
    char *tenants, *hashes; /* the two array literals */
};

static void bind_many(struct pg_params *p, const void *arg)
{
    const struct redeem_many *m = arg;
    pg__text(p, 1, m->tenants);
    pg__text(p, 2, m->hashes);
}

/* redeem_single for every code of the arrays $1 (tenants) and $2 (hashes in hex) at once.
 * The codes are locked in key order, so two batches on two connections never deadlock; a
 * code locked by another redemption is re-checked once that one committed and skipped
 * when it is used (READ COMMITTED), as redeem_single's WHERE is. A code named twice is
 * changed, and returned, once. */
static const struct pg_query codes_redeem = {
    PG_CODES_REDEEM,
    "WITH k AS (SELECT c.tenant_id AS kt, c.hash AS kh FROM codes c "
    "JOIN unnest($1::bigint[], $2::text[]) AS u(t, h) "
    "ON c.tenant_id = u.t AND c.hash = decode(u.h, 'hex') "
    "WHERE c.used = 0 ORDER BY c.tenant_id, c.hash FOR UPDATE OF c) "
    "UPDATE codes SET used = 1 FROM k WHERE tenant_id = k.kt AND hash = k.kh "
    "RETURNING " CODE_COLUMNS ", used, revoked",
    bind_many, NULL, 0};

/* Gives the row to the first entry naming its code that has none yet. */
static void hand_out(const PGresult *res, int row, void *arg)
{
    struct redeem_many *m = arg;
    int64_t tenant = pg__col_int64(res, row, 0);
    unsigned char hash[GRANTD_SHA256_LEN];
    pg__col_hash(res, row, 1, hash);
    for (size_t i = 0; i < m->n; i++) {
        struct pg_redeem *r = &m->r[i];
        if (!r->got && r->tenant == tenant && memcmp(r->hash, hash, sizeof(hash)) == 0) {
            code_row(res, row, r->a, r->out);
            r->got = 1;
            return;
        }
    }
}

static grantd_rc redeem_many_tx(struct pg_conn *c, void *arg)
{
    struct redeem_many *m = arg;
    for (size_t i = 0; i < m->n; i++)
        m->r[i].got = 0; /* a retried statement starts over */
    return pg__each(c, &codes_redeem, m, hand_out, m);
}

grantd_rc pg__codes_redeem(struct grantd_store *s, struct pg_redeem *r, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    struct redeem_many m = {r, n, grantd_xmalloc(n * 21 + 3),
                            grantd_xmalloc(n * (2 * GRANTD_SHA256_LEN + 1) + 3)};
    char *t = m.tenants, *h = m.hashes;
    *t++ = '{';
    *h++ = '{';
    for (size_t i = 0; i < n; i++) {
        t += sprintf(t, "%s%lld", i ? "," : "", (long long)r[i].tenant);
        if (i)
            *h++ = ',';
        for (size_t k = 0; k < GRANTD_SHA256_LEN; k++) {
            *h++ = hex[r[i].hash[k] >> 4];
            *h++ = hex[r[i].hash[k] & 15];
        }
    }
    strcpy(t, "}");
    strcpy(h, "}");
    grantd_rc rc = pg__tx_single(s, redeem_many_tx, &m);
    free(m.tenants);
    free(m.hashes);
    return rc;
}

/* ---- tokens ----------------------------------------------------------------------------- */

static void token_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_token *t = out;
    memset(t, 0, sizeof(*t));
    t->tenant = pg__col_int64(r, row, 0);
    pg__col_hash(r, row, 1, t->hash);
    t->kind = (enum grantd_token_kind)pg__col_int64(r, row, 2);
    t->client_id = pg__col_str(a, r, row, 3);
    t->user_id = pg__col_str(a, r, row, 4);
    t->scope = pg__col_str(a, r, row, 5);
    t->family = pg__col_str(a, r, row, 6);
    t->created_at = pg__col_int64(r, row, 7);
    t->expires_at = pg__col_int64(r, row, 8);
    t->revoked = pg__col_int64(r, row, 9) != 0;
    t->rotated_at = pg__col_int64(r, row, 10);
    t->grace_until = pg__col_int64(r, row, 11);
    t->successor = pg__col_blob(a, r, row, 12, &t->successor_len);
    t->audience = pg__col_str(a, r, row, 13);
    t->auth_time = pg__col_int64(r, row, 14);
}

/* The rotation columns start at 0 / NULL: a new token is not rotated. */
void pg__bind_token(struct pg_params *p, const void *arg)
{
    const struct grantd_token *t = arg;
    bind_hash(p, t->tenant, t->hash);
    pg__int64(p, 3, (int64_t)t->kind);
    pg__text(p, 4, t->client_id);
    pg__text(p, 5, t->user_id);
    pg__text(p, 6, t->scope ? t->scope : "");
    pg__text(p, 7, t->family);
    pg__int64(p, 8, t->created_at);
    pg__int64(p, 9, t->expires_at);
    pg__int64(p, 10, t->revoked ? 1 : 0);
    pg__text(p, 11, t->audience ? t->audience : "");
    pg__int64(p, 12, t->auth_time);
}

/* revoked is the row's flag or its family's revocation. */
static const struct pg_query token_get = {
    PG_TOKEN_GET,
    "SELECT t.tenant_id, t.hash, t.kind, t.client_id, t.user_id, t.scope, t.family, "
    "t.created_at, t.expires_at, (t.revoked <> 0 OR EXISTS (SELECT 1 FROM revoked_families r "
    "WHERE r.tenant_id = t.tenant_id AND r.family = t.family))::int, t.rotated_at, "
    "t.grace_until, t.successor, t.audience, t.auth_time FROM tokens t "
    "WHERE t.tenant_id = $1 AND t.hash = $2",
    bind_key, token_row, 0};
static const struct pg_query token_put = {PG_TOKEN_PUT,
                                          "INSERT INTO tokens (tenant_id, hash, kind, "
                                          "client_id, user_id, scope, family, created_at, "
                                          "expires_at, revoked, audience, auth_time) "
                                          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                                          "$11, $12)",
                                          pg__bind_token, NULL, 0};
static const struct pg_query token_revoke = {PG_TOKEN_REVOKE,
                                             "UPDATE tokens SET revoked = 1 "
                                             "WHERE tenant_id = $1 AND hash = $2",
                                             bind_key, NULL, PG_ONE_ROW | PG_CHANGES};

static grantd_rc insert_only(struct pg_conn *c, const struct grantd_token *tokens, size_t count)
{
    grantd_rc rc = GRANTD_OK;
    for (size_t i = 0; rc == GRANTD_OK && i < count; i++)
        rc = pg__run(c, &token_put, &tokens[i]);
    return rc;
}

struct token_batch {
    const struct grantd_token *tokens;
    size_t count;
};

/* A revoked row (a self-contained token's revocation) moves the change sequence. The
 * schema's trigger refuses a revoked family (GRANTD_ECONFLICT). */
static grantd_rc token_put_tx(struct pg_conn *c, void *arg)
{
    const struct token_batch *b = arg;
    grantd_rc rc = insert_only(c, b->tokens, b->count);
    int revoked = 0;
    for (size_t i = 0; i < b->count; i++)
        revoked |= b->tokens[i].revoked;
    return rc == GRANTD_OK && revoked ? pg__changed(c) : rc;
}

/* The usual batch, one or two tokens none of which is revoked (an access token, perhaps
 * with its refresh token), as one INSERT in autocommit: one round trip. The schema's
 * trigger refuses a revoked family (GRANTD_ECONFLICT), and the statement is all or
 * nothing. */
#define TOKEN_INSERT PG_TOKEN_INSERT
#define TOKEN_ROW_1 "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
#define TOKEN_ROW_2 "($13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)"

/* The tokens' rows as parameters from $(first + 1): PG_TOKEN_COLUMNS each. */
static void bind_rows_at(struct pg_params *p, const struct grantd_token *tokens, size_t count,
                         int first)
{
    for (size_t i = 0; i < count; i++) {
        struct pg_params one;
        one.n = 0;
        pg__bind_token(&one, &tokens[i]);
        for (int k = 0; k < one.n; k++) {
            int at = first + (int)i * PG_TOKEN_COLUMNS + k;
            p->values[at] = one.values[k];
            p->lengths[at] = one.lengths[k];
            p->formats[at] = one.formats[k];
            if (one.values[k] == one.num[k]) { /* an integer: its text lives in one */
                memcpy(p->num[at], one.num[k], sizeof(p->num[at]));
                p->values[at] = p->num[at];
            }
        }
        p->n = first + (int)(i + 1) * PG_TOKEN_COLUMNS;
    }
}

static void bind_tokens(struct pg_params *p, const void *arg)
{
    const struct token_batch *b = arg;
    bind_rows_at(p, b->tokens, b->count, 0);
}

static const struct pg_query token_put_one = {PG_TOKEN_PUT_ONE, TOKEN_INSERT TOKEN_ROW_1,
                                              bind_tokens, NULL, 0};
static const struct pg_query token_put_two = {PG_TOKEN_PUT_TWO,
                                              TOKEN_INSERT TOKEN_ROW_1 ", " TOKEN_ROW_2,
                                              bind_tokens, NULL, 0};

static grantd_rc token_put_single(struct pg_conn *c, void *arg)
{
    const struct token_batch *b = arg;
    return pg__run(c, b->count == 1 ? &token_put_one : &token_put_two, b);
}

/* NULL scope is "". */
grantd_rc pg__token_put(struct grantd_store *s, const struct grantd_token *tokens, size_t count)
{
    struct token_batch b = {tokens, count};
    int revoked = 0;
    for (size_t i = 0; i < count; i++)
        revoked |= tokens[i].revoked;
    if (count <= 2 && !revoked)
        return pg__tx_single(s, token_put_single, &b);
    return pg__tx(s, token_put_tx, &b);
}

/* Revoked and expired tokens are returned as they are; the caller decides. */
grantd_rc pg__token_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                        const unsigned char hash[GRANTD_SHA256_LEN], struct grantd_token *out)
{
    struct key key = {tenant, hash};
    return pg__read(s, &token_get, &key, a, out);
}

/* One insert into revoked_families (its trigger appends the feed's events). A tenant that
 * does not exist has no tokens: GRANTD_OK. */
grantd_rc pg__token_revoke_family(struct grantd_store *s, int64_t tenant, const char *family,
                                  int64_t now)
{
    struct family f = {tenant, family, now};
    grantd_rc rc = pg__write_query(s, &family_revoke_alone, &f);
    return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc; /* ENOTFOUND: the tenant's foreign key */
}

/* Revoking a revoked token again is GRANTD_OK. */
grantd_rc pg__token_revoke(struct grantd_store *s, int64_t tenant,
                           const unsigned char hash[GRANTD_SHA256_LEN])
{
    struct key key = {tenant, hash};
    return pg__write_query(s, &token_revoke, &key);
}

struct stamped_revoke {
    struct key key;
    int64_t now;
};

static void bind_stamped(struct pg_params *p, const void *arg)
{
    const struct stamped_revoke *r = arg;
    bind_key(p, &r->key);
    pg__int64(p, 3, r->now);
}

/* The feed event the revocation_token trigger appended for this revocation, if any, stamped
 * with the caller's time: this token's unstamped event (the trigger appends one per token:
 * only its 0 -> 1 change fires it). */
static const struct pg_query token_revoke_stamp = {
    PG_TOKEN_REVOKE_STAMP,
    "UPDATE revocation_events SET at = $3 WHERE id = (SELECT max(id) FROM revocation_events "
    "WHERE tenant_id = $1 AND kind = 'token' "
    "AND subject = encode(substring($2::bytea FROM 9), 'hex') AND at = 0)",
    bind_stamped, NULL, 0};

static grantd_rc revoke_at_tx(struct pg_conn *c, void *arg)
{
    const struct stamped_revoke *r = arg;
    grantd_rc rc = pg__run(c, &token_revoke, &r->key);
    if (rc == GRANTD_OK)
        rc = pg__run(c, &token_revoke_stamp, r);
    return rc == GRANTD_OK ? pg__changed(c) : rc;
}

grantd_rc pg__token_revoke_at(struct grantd_store *s, int64_t tenant,
                              const unsigned char hash[GRANTD_SHA256_LEN], int64_t now)
{
    struct stamped_revoke r = {{tenant, hash}, now};
    return pg__tx(s, revoke_at_tx, &r);
}

/* ---- refresh rotation ------------------------------------------------------------------- */

struct rotate {
    struct key old;
    int64_t now, grace_until;
    const unsigned char *successor;
    size_t successor_len;
    const struct grantd_token *tokens;
    size_t count;
};

static void bind_rotate(struct pg_params *p, const void *arg)
{
    const struct rotate *x = arg;
    bind_key(p, &x->old);
    pg__int64(p, 3, x->now);
    pg__int64(p, 4, x->grace_until);
    pg__bytea(p, 5, x->successor_len ? x->successor : NULL, x->successor_len);
    pg__text(p, 6, x->tokens[0].family);
}

/* Why a rotation changed nothing (see why_not_live), from the old token's row. */
static void live_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    const struct rotate **x = out;
    int same = pg__col_int64(r, row, 0) == GRANTD_TOKEN_REFRESH && !PQgetisnull(r, row, 1) &&
               strcmp(PQgetvalue(r, row, 1), (*x)->tokens[0].family) == 0;
    *x = same ? *x : NULL;
}

/* The compare-and-swap: one UPDATE that matches only a live refresh token of the new
 * tokens' family (the top of this file). */
static const struct pg_query token_rotate = {
    PG_TOKEN_ROTATE,
    "UPDATE tokens SET rotated_at = $3, grace_until = $4, successor = $5 "
    "WHERE tenant_id = $1 AND hash = $2 AND kind = 2 AND family = $6 AND rotated_at = 0 "
    "AND revoked = 0 AND NOT EXISTS (SELECT 1 FROM revoked_families r "
    "WHERE r.tenant_id = $1 AND r.family = $6)",
    bind_rotate, NULL, PG_ONE_ROW};
static const struct pg_query token_live = {PG_TOKEN_LIVE,
                                           "SELECT kind, family FROM tokens "
                                           "WHERE tenant_id = $1 AND hash = $2",
                                           bind_key, live_row, 0};

/* GRANTD_ENOTFOUND when the old token is absent, GRANTD_EINVAL when it is no refresh token
 * or the new tokens are of another family, else GRANTD_ECONFLICT (rotated or revoked). */
static grantd_rc why_not_live(struct pg_conn *c, const struct rotate *x)
{
    const struct rotate *same = x;
    grantd_rc rc = pg__get(c, &token_live, &x->old, NULL, &same);
    return rc != GRANTD_OK ? rc : same ? GRANTD_ECONFLICT : GRANTD_EINVAL;
}

/* The usual rotation, one or two new tokens, as ONE statement in autocommit (one round trip
 * instead of five): the compare-and-swap in a CTE, and the new rows inserted only when it
 * changed the old token (none inserted: GRANTD_ENOTFOUND, then why_not_live says why). The
 * VALUES rows name their types: a parameter in VALUES would otherwise be text. */
#define ROTATE_ROW(a, b, c, d, e, f, g, h, i, j, k, l)                                         \
    "($" a "::bigint, $" b "::bytea, $" c "::bigint, $" d "::text, $" e "::text, $" f       \
    "::text, $" g "::text, $" h "::bigint, $" i "::bigint, $" j "::bigint, $" k "::text, $" \
    l "::bigint)"
#define ROTATE_ONE                                                                             \
    "WITH rot AS (UPDATE tokens SET rotated_at = $3, grace_until = $4, successor = $5 "       \
    "WHERE tenant_id = $1 AND hash = $2 AND kind = 2 AND family = $6 AND rotated_at = 0 "     \
    "AND revoked = 0 AND NOT EXISTS (SELECT 1 FROM revoked_families r "                       \
    "WHERE r.tenant_id = $1 AND r.family = $6) RETURNING 1) " PG_TOKEN_INSERT_COLUMNS          \
    " SELECT * FROM (VALUES " ROTATE_ROW("7", "8", "9", "10", "11", "12", "13", "14", "15",  \
                                         "16", "17", "18")
#define ROTATE_END ") v WHERE EXISTS (SELECT 1 FROM rot)"

static void bind_rotate_rows(struct pg_params *p, const void *arg)
{
    const struct rotate *x = arg;
    bind_rotate(p, x);
    bind_rows_at(p, x->tokens, x->count, 6);
}

static const struct pg_query rotate_one = {PG_TOKEN_ROTATE_ONE, ROTATE_ONE ROTATE_END,
                                           bind_rotate_rows, NULL, PG_ONE_ROW};
static const struct pg_query rotate_two = {
    PG_TOKEN_ROTATE_TWO,
    ROTATE_ONE ", " ROTATE_ROW("19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29",
                               "30") ROTATE_END,
    bind_rotate_rows, NULL, PG_ONE_ROW};

static grantd_rc rotate_single(struct pg_conn *c, void *arg)
{
    const struct rotate *x = arg;
    return pg__run(c, x->count == 1 ? &rotate_one : &rotate_two, x);
}

static grantd_rc why_not_live_tx(struct pg_conn *c, void *arg)
{
    return why_not_live(c, arg);
}

static grantd_rc rotate_tx(struct pg_conn *c, void *arg)
{
    const struct rotate *x = arg;
    grantd_rc rc = pg__run(c, &token_rotate, x);
    if (rc == GRANTD_ENOTFOUND)
        return why_not_live(c, x);
    if (rc == GRANTD_OK)
        rc = insert_only(c, x->tokens, x->count);
    return rc; /* moves no change sequence (store.h, "Changes") */
}

static struct rotate rotate_of(const struct pg_rotation *r)
{
    return (struct rotate){{r->tenant, r->old_hash}, r->now, r->grace_until, r->successor,
                           r->successor_len, r->tokens, r->count};
}

grantd_rc pg__rotate_statement(struct pg_conn *c, const struct pg_rotation *r)
{
    struct rotate x = rotate_of(r);
    return r->count > 2 ? GRANTD_EINVAL : rotate_single(c, &x);
}

/* The new tokens must be of the old token's family (else GRANTD_EINVAL, from the row). */
grantd_rc pg__refresh_rotate(struct grantd_store *s, int64_t tenant,
                             const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now,
                             int64_t grace_until, const unsigned char *successor,
                             size_t successor_len, const struct grantd_token *tokens,
                             size_t count)
{
    struct pg_rotation r = {tenant, old_hash, now, grace_until, successor, successor_len, tokens,
                            count};
    struct rotate x = rotate_of(&r);
    if (count > 2)
        return pg__tx(s, rotate_tx, &x);
    grantd_rc rc = pg__tx_single(s, rotate_single, &x);
    return rc == GRANTD_ENOTFOUND ? pg__tx_single(s, why_not_live_tx, &x) : rc;
}
