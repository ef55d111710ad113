/* The SQLite driver's operations for the end user's account page (struct grantd_store_driver
 * in store.h, issue 13 item 4): the list of a user's remembered consents, and withdrawing
 * one with everything it led to.
 *
 * consent_revoke is one write transaction, shaped like client_set_disabled (sqlite_purge.c)
 * narrowed to one user: a revoked_families row for every family of the user's tokens and
 * codes of the client (the schema's version 8 trigger appends the family's feed event and
 * one token event per live access token, so libgrantd-verify and /check learn of it), the
 * unused codes revoked, the consent deleted. Finding the families scans the tenant's tokens
 * and codes (no index serves user + client, on purpose: sqlite_schema.c version 3), and the
 * version 8 trigger scans them again for each family's live access tokens. Measured here
 * with 1,000,000 tokens: 130 ms for a user's one authorization (two scans) under the write
 * lock, about 75 ms more per further authorization of the same user and client; other
 * writes wait meanwhile. A person clicking Revoke can afford it; an index on
 * tokens(tenant_id, family) would make the trigger's part a lookup, at the cost of every
 * token insert.
 *
 * Not here: the consent lookups of the authorization flow (sqlite_session.c), deciding who
 * may revoke what (oauth/account.c: only the signed-in user's own consents reach here). */
#include "store/sqlite_int.h"

static const struct sq_query consent_list = {SQ_CONSENT_LIST,
                                             "SELECT " SQ_CONSENT_COLUMNS " FROM consents "
                                             "WHERE tenant_id = ?1 AND user_id = ?2 "
                                             "ORDER BY created_at DESC, client_id",
                                             sqlite__bind_id, sqlite__consent_row, 0};

grantd_rc sqlite__consent_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                               const char *user_id, struct grantd_consent **out,
                               size_t *count)
{
    struct sq_id key = {tenant, user_id};
    void *v = NULL;
    size_t n = 0;
    grantd_rc rc = sqlite__read_rows(s, &consent_list, &key, a, sizeof(struct grantd_consent),
                                     &v, &n);
    if (rc == GRANTD_OK) {
        *out = v;
        *count = n;
    }
    return rc;
}

/* ---- consent_revoke -------------------------------------------------------------------- */

struct withdraw {
    int64_t tenant;
    const char *user_id, *client_id;
    int64_t now;
};

/* ?1 tenant, ?2 user, ?3 client and, where the statement has it, ?4 now. */
static int bind_withdraw(sqlite3_stmt *st, const void *arg)
{
    const struct withdraw *w = arg;
    int b = sqlite3_bind_int64(st, 1, w->tenant) | sqlite__bind_text(st, 2, w->user_id) |
            sqlite__bind_text(st, 3, w->client_id);
    if (sqlite3_bind_parameter_count(st) >= 4)
        b |= sqlite3_bind_int64(st, 4, w->now);
    return b;
}

static void any_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    (void)st;
    (void)a;
    *(int *)out = 1;
}

static const struct sq_query consent_exists = {SQ_CONSENT_EXISTS,
                                               "SELECT 1 FROM consents WHERE tenant_id = ?1 "
                                               "AND user_id = ?2 AND client_id = ?3",
                                               bind_withdraw, any_row, 0};

/* What withdrawing revokes, after the consent was found; the consent goes last. */
static const struct sq_query withdraw_steps[] = {
    {SQ_CONSENT_FAMILIES,
     "INSERT OR IGNORE INTO revoked_families (tenant_id, family, revoked_at) "
     "SELECT tenant_id, family, ?4 FROM tokens "
     "WHERE tenant_id = ?1 AND user_id = ?2 AND client_id = ?3",
     bind_withdraw, NULL, 0},
    {SQ_CONSENT_CODE_FAMILIES,
     "INSERT OR IGNORE INTO revoked_families (tenant_id, family, revoked_at) "
     "SELECT tenant_id, family, ?4 FROM codes "
     "WHERE tenant_id = ?1 AND user_id = ?2 AND client_id = ?3",
     bind_withdraw, NULL, 0},
    {SQ_CONSENT_CODES_REVOKE,
     "UPDATE codes SET revoked = 1 WHERE tenant_id = ?1 AND user_id = ?2 AND client_id = ?3 "
     "AND used = 0",
     bind_withdraw, NULL, 0},
    {SQ_CONSENT_DELETE,
     "DELETE FROM consents WHERE tenant_id = ?1 AND user_id = ?2 AND client_id = ?3",
     bind_withdraw, NULL, SQ_ONE_ROW},
};

static grantd_rc withdraw_tx(struct sq_conn *c, void *arg)
{
    int found = 0;
    grantd_rc rc = sqlite__get(c, &consent_exists, arg, NULL, &found);
    size_t steps = sizeof(withdraw_steps) / sizeof(withdraw_steps[0]);
    for (size_t i = 0; rc == GRANTD_OK && i < steps; i++)
        rc = sqlite__run(c, &withdraw_steps[i], arg);
    return rc == GRANTD_OK ? sqlite__changed(c) : rc;
}

grantd_rc sqlite__consent_revoke(struct grantd_store *s, int64_t tenant, const char *user_id,
                                 const char *client_id, int64_t now)
{
    struct withdraw w = {tenant, user_id, client_id, now};
    return sqlite__write(s, withdraw_tx, &w);
}
