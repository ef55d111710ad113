/* The SQLite driver's user operations (struct grantd_store_driver in store.h). Each is one
 * statement, hence one transaction; strings handed back live in the caller's arena.
 *
 * Not here: connections and error mapping (sqlite.c), the schema (sqlite_schema.c),
 * password hashing (the caller stores an argon2id encoded string; plain passwords never
 * reach the store). */
#include "store/sqlite_int.h"

#include <string.h>

#include "core/clock.h"

#define USER_COLUMNS                                                                           \
    "tenant_id, id, username, account, email, password_hash, disabled, created_at, updated_at"

static void user_from_row(sqlite3_stmt *st, struct grantd_arena *a, struct grantd_user *u)
{
    memset(u, 0, sizeof(*u));
    u->tenant = sqlite3_column_int64(st, 0);
    u->id = sqlite__col_str(a, st, 1);
    u->username = sqlite__col_str(a, st, 2);
    u->account = sqlite__col_str(a, st, 3);
    u->email = sqlite__col_str(a, st, 4);
    u->password_hash = sqlite__col_str(a, st, 5);
    u->disabled = sqlite3_column_int(st, 6) != 0;
    u->created_at = sqlite3_column_int64(st, 7);
    u->updated_at = sqlite3_column_int64(st, 8);
}

static grantd_rc user_put_tx(struct sq_conn *c, void *arg)
{
    const struct grantd_user *u = arg;
    sqlite3_stmt *st = sqlite__stmt(c, SQ_USER_PUT,
                                          "INSERT INTO users (" USER_COLUMNS ") "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!st)
        return GRANTD_ESTORE;
    int64_t created = u->created_at ? u->created_at : grantd_clock_now();
    int64_t updated = u->updated_at ? u->updated_at : created;
    int b = sqlite3_bind_int64(st, 1, u->tenant) | sqlite__bind_text(st, 2, u->id) |
            sqlite__bind_text(st, 3, u->username) |
            sqlite__bind_text(st, 4, u->account) |
            sqlite__bind_text(st, 5, u->email) |
            sqlite__bind_text(st, 6, u->password_hash) |
            sqlite3_bind_int(st, 7, u->disabled ? 1 : 0) | sqlite3_bind_int64(st, 8, created) |
            sqlite3_bind_int64(st, 9, updated);
    if (b != SQLITE_OK) {
        sqlite__done(st);
        return GRANTD_ESTORE;
    }
    return sqlite__exec(c, st);
}

/* created_at 0 means now; updated_at 0 means created_at. */
grantd_rc sqlite__user_put(struct grantd_store *s, const struct grantd_user *u)
{
    if (!u->id || !u->username || !u->password_hash)
        return GRANTD_EINVAL;
    return sqlite__write(s, user_put_tx, (void *)u);
}

/* The user whose column named by the prepared statement id (its SQL is sql) equals key,
 * in tenant. */
static grantd_rc user_one(struct grantd_store *s, struct grantd_arena *a, enum sq_stmt_id id,
                          const char *sql, int64_t tenant, const char *key,
                          struct grantd_user *out)
{
    if (!key)
        return GRANTD_EINVAL;
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    sqlite3_stmt *st = sqlite__stmt(c, id, sql);
    if (!st)
        return GRANTD_ESTORE;
    rc = GRANTD_ESTORE;
    if ((sqlite3_bind_int64(st, 1, tenant) | sqlite__bind_text(st, 2, key)) != SQLITE_OK)
        goto out;
    int r = sqlite3_step(st);
    rc = r == SQLITE_DONE ? GRANTD_ENOTFOUND : sqlite__rc(c, r);
    if (r == SQLITE_ROW)
        user_from_row(st, a, out);
out:
    sqlite__done(st);
    return rc;
}

grantd_rc sqlite__user_find(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                  const char *username, struct grantd_user *out)
{
    return user_one(s, a, SQ_USER_FIND,
                    "SELECT " USER_COLUMNS " FROM users WHERE tenant_id = ?1 AND username = ?2",
                    tenant, username, out);
}

grantd_rc sqlite__user_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                 const char *id, struct grantd_user *out)
{
    return user_one(s, a, SQ_USER_GET,
                    "SELECT " USER_COLUMNS " FROM users WHERE tenant_id = ?1 AND id = ?2",
                    tenant, id, out);
}

static void user_row(sqlite3_stmt *st, struct grantd_arena *a, void *item)
{
    user_from_row(st, a, item);
}

grantd_rc sqlite__user_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                  struct grantd_user **out, size_t *count)
{
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    return sqlite__tenant_rows(c, SQ_USER_LIST,
                                     "SELECT " USER_COLUMNS " FROM users "
                                     "WHERE tenant_id = ?1 ORDER BY username",
                                     tenant, a, sizeof(**out), user_row, (void **)out, count);
}

/* Binds ?3 = the text at arg, ?4 = now. */
static int bind_text_now(sqlite3_stmt *st, const void *arg)
{
    return sqlite__bind_text(st, 3, arg) | sqlite3_bind_int64(st, 4, grantd_clock_now());
}

/* Binds ?3 = the 0/1 flag at arg, ?4 = now. */
static int bind_flag_now(sqlite3_stmt *st, const void *arg)
{
    return sqlite3_bind_int(st, 3, *(const int *)arg ? 1 : 0) |
           sqlite3_bind_int64(st, 4, grantd_clock_now());
}

grantd_rc sqlite__user_set_password(struct grantd_store *s, int64_t tenant,
                                          const char *username, const char *password_hash)
{
    if (!password_hash)
        return GRANTD_EINVAL;
    return sqlite__write_one(s, SQ_USER_PASSWORD,
                                   "UPDATE users SET password_hash = ?3, updated_at = ?4 "
                                   "WHERE tenant_id = ?1 AND username = ?2",
                                   tenant, username, bind_text_now, password_hash);
}

grantd_rc sqlite__user_set_disabled(struct grantd_store *s, int64_t tenant,
                                          const char *username, int disabled)
{
    return sqlite__write_one(s, SQ_USER_DISABLE,
                                   "UPDATE users SET disabled = ?3, updated_at = ?4 "
                                   "WHERE tenant_id = ?1 AND username = ?2",
                                   tenant, username, bind_flag_now, &disabled);
}
