/* The SQLite driver's user operations (struct grantd_store_driver in store.h). Each is one
 * statement, hence one transaction; strings handed back live in the caller's arena.
 *
 * Not here: connections and error mapping (sqlite.c, sqlite_query.c), the schema
 * (sqlite_schema.c), password hashing (the caller stores an argon2id encoded string; plain
 * passwords never reach the store). */
#include "store/sqlite_int.h"

#include <string.h>


#define USER_COLUMNS                                                                           \
    "tenant_id, id, username, account, email, password_hash, disabled, created_at, updated_at, "  \
    "developer, " CLAIM_COLUMNS

/* The claims' columns in user_row's and sqlite__bind_claims' order (v15). */
#define CLAIM_COLUMNS                                                                          \
    "name, given_name, family_name, preferred_username, email_verified, phone_number, "      \
    "phone_number_verified, locale, address"

/* Reads the claims from column first on. */
static void claims_row(sqlite3_stmt *st, struct grantd_arena *a, int first,
                       struct grantd_user *u)
{
    u->name = sqlite__col_str(a, st, first);
    u->given_name = sqlite__col_str(a, st, first + 1);
    u->family_name = sqlite__col_str(a, st, first + 2);
    u->preferred_username = sqlite__col_str(a, st, first + 3);
    u->email_verified = sqlite3_column_int(st, first + 4) != 0;
    u->phone_number = sqlite__col_str(a, st, first + 5);
    u->phone_number_verified = sqlite3_column_int(st, first + 6) != 0;
    u->locale = sqlite__col_str(a, st, first + 7);
    u->address = sqlite__col_str(a, st, first + 8);
}

int sqlite__bind_claims(sqlite3_stmt *st, int first, const struct grantd_user *u)
{
    return sqlite__bind_text(st, first, u->name) | sqlite__bind_text(st, first + 1, u->given_name) |
           sqlite__bind_text(st, first + 2, u->family_name) |
           sqlite__bind_text(st, first + 3, u->preferred_username) |
           sqlite3_bind_int(st, first + 4, u->email_verified ? 1 : 0) |
           sqlite__bind_text(st, first + 5, u->phone_number) |
           sqlite3_bind_int(st, first + 6, u->phone_number_verified ? 1 : 0) |
           sqlite__bind_text(st, first + 7, u->locale) | sqlite__bind_text(st, first + 8, u->address);
}

static void user_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    struct grantd_user *u = out;
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
    u->developer = sqlite3_column_int(st, 9) != 0;
    claims_row(st, a, 10, u);
}

static int bind_user(sqlite3_stmt *st, const void *arg)
{
    const struct grantd_user *u = arg;
    struct sq_id key = {u->tenant, u->id};
    int64_t updated = u->updated_at ? u->updated_at : u->created_at;
    return sqlite__bind_id(st, &key) | sqlite__bind_text(st, 3, u->username) |
           sqlite__bind_text(st, 4, u->account) | sqlite__bind_text(st, 5, u->email) |
           sqlite__bind_text(st, 6, u->password_hash) |
           sqlite3_bind_int(st, 7, u->disabled ? 1 : 0) | sqlite3_bind_int64(st, 8, u->created_at) |
           sqlite3_bind_int64(st, 9, updated) | sqlite3_bind_int(st, 10, u->developer ? 1 : 0) | sqlite__bind_claims(st, 11, u);
}

static const struct sq_query user_put = {SQ_USER_PUT,
                                         "INSERT INTO users (" USER_COLUMNS ") "
                                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                         "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                                         bind_user, NULL, SQ_CHANGES};
static const struct sq_query user_find = {SQ_USER_FIND,
                                          "SELECT " USER_COLUMNS " FROM users "
                                          "WHERE tenant_id = ?1 AND username = ?2",
                                          sqlite__bind_id, user_row, 0};
static const struct sq_query user_get = {SQ_USER_GET,
                                         "SELECT " USER_COLUMNS " FROM users "
                                         "WHERE tenant_id = ?1 AND id = ?2",
                                         sqlite__bind_id, user_row, 0};
static const struct sq_query user_list = {SQ_USER_LIST,
                                          "SELECT " USER_COLUMNS " FROM users "
                                          "WHERE tenant_id = ?1 ORDER BY username",
                                          sqlite__bind_int64, user_row, 0};

/* created_at is required; updated_at 0 means created_at. */
grantd_rc sqlite__user_put(struct grantd_store *s, const struct grantd_user *u)
{
    return sqlite__write_query(s, &user_put, u);
}

grantd_rc sqlite__user_find(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                            const char *username, struct grantd_user *out)
{
    struct sq_id key = {tenant, username};
    return sqlite__read(s, &user_find, &key, a, out);
}

grantd_rc sqlite__user_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           const char *id, struct grantd_user *out)
{
    struct sq_id key = {tenant, id};
    return sqlite__read(s, &user_get, &key, a, out);
}

grantd_rc sqlite__user_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                            struct grantd_user **out, size_t *count)
{
    return sqlite__read_rows(s, &user_list, &tenant, a, sizeof(**out), (void **)out, count);
}

static const struct sq_query user_password = {SQ_USER_PASSWORD,
                                              "UPDATE users SET password_hash = ?3, "
                                              "updated_at = ?4 "
                                              "WHERE tenant_id = ?1 AND username = ?2",
                                              sqlite__bind_set, NULL, SQ_ONE_ROW | SQ_CHANGES};
static const struct sq_query user_disabled = {SQ_USER_DISABLE,
                                              "UPDATE users SET disabled = ?3, updated_at = ?4 "
                                              "WHERE tenant_id = ?1 AND username = ?2",
                                              sqlite__bind_set, NULL, SQ_ONE_ROW | SQ_CHANGES};

grantd_rc sqlite__user_set_password(struct grantd_store *s, int64_t tenant, const char *username,
                                    const char *password_hash, int64_t now)
{
    struct sq_set u = {.key = {tenant, username}, .text = password_hash, .now = now};
    return sqlite__write_query(s, &user_password, &u);
}

grantd_rc sqlite__user_set_disabled(struct grantd_store *s, int64_t tenant, const char *username,
                                    int disabled, int64_t now)
{
    struct sq_set u = {.key = {tenant, username}, .number = disabled ? 1 : 0, .now = now};
    return sqlite__write_query(s, &user_disabled, &u);
}
