/* The PostgreSQL driver's user operations (struct grantd_store_driver in store.h), the
 * statements of sqlite_user.c and sqlite_admin.c's user_update with $n parameters. Each is
 * one statement, hence one transaction; every write moves the change sequence (caches hold
 * users) in the same transaction. Strings handed back live in the caller's arena.
 *
 * Not here: connections and error mapping (pg.c, pg_query.c), the schema (pg_schema.c),
 * password hashing (the caller stores an argon2id encoded string; plain passwords never
 * reach the store). */
#include "store/pg_int.h"

#include <string.h>

#define USER_COLUMNS                                                                           \
    "tenant_id, id, username, account, email, password_hash, disabled, created_at, "          \
    "updated_at, developer, name, given_name, family_name, preferred_username, "             \
    "email_verified, phone_number, phone_number_verified, locale, address"

static void user_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    struct grantd_user *u = out;
    memset(u, 0, sizeof(*u));
    u->tenant = pg__col_int64(r, row, 0);
    u->id = pg__col_str(a, r, row, 1);
    u->username = pg__col_str(a, r, row, 2);
    u->account = pg__col_str(a, r, row, 3);
    u->email = pg__col_str(a, r, row, 4);
    u->password_hash = pg__col_str(a, r, row, 5);
    u->disabled = pg__col_int64(r, row, 6) != 0;
    u->created_at = pg__col_int64(r, row, 7);
    u->updated_at = pg__col_int64(r, row, 8);
    u->developer = pg__col_int64(r, row, 9) != 0;
    u->name = pg__col_str(a, r, row, 10);
    u->given_name = pg__col_str(a, r, row, 11);
    u->family_name = pg__col_str(a, r, row, 12);
    u->preferred_username = pg__col_str(a, r, row, 13);
    u->email_verified = pg__col_int64(r, row, 14) != 0;
    u->phone_number = pg__col_str(a, r, row, 15);
    u->phone_number_verified = pg__col_int64(r, row, 16) != 0;
    u->locale = pg__col_str(a, r, row, 17);
    u->address = pg__col_str(a, r, row, 18);
}

/* The claims from parameter first on, in USER_COLUMNS' order. */
static void bind_claims(struct pg_params *p, int first, const struct grantd_user *u)
{
    pg__text(p, first, u->name);
    pg__text(p, first + 1, u->given_name);
    pg__text(p, first + 2, u->family_name);
    pg__text(p, first + 3, u->preferred_username);
    pg__int64(p, first + 4, u->email_verified ? 1 : 0);
    pg__text(p, first + 5, u->phone_number);
    pg__int64(p, first + 6, u->phone_number_verified ? 1 : 0);
    pg__text(p, first + 7, u->locale);
    pg__text(p, first + 8, u->address);
}

static void bind_user(struct pg_params *p, const void *arg)
{
    const struct grantd_user *u = arg;
    pg__int64(p, 1, u->tenant);
    pg__text(p, 2, u->id);
    pg__text(p, 3, u->username);
    pg__text(p, 4, u->account);
    pg__text(p, 5, u->email);
    pg__text(p, 6, u->password_hash);
    pg__int64(p, 7, u->disabled ? 1 : 0);
    pg__int64(p, 8, u->created_at);
    pg__int64(p, 9, u->updated_at ? u->updated_at : u->created_at);
    pg__int64(p, 10, u->developer ? 1 : 0);
    bind_claims(p, 11, u);
}

static const struct pg_query user_put = {PG_USER_PUT,
                                         "INSERT INTO users (" USER_COLUMNS ") "
                                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                                         "$11, $12, $13, $14, $15, $16, $17, $18, $19)",
                                         bind_user, NULL, PG_CHANGES};
static const struct pg_query user_find = {PG_USER_FIND,
                                          "SELECT " USER_COLUMNS " FROM users "
                                          "WHERE tenant_id = $1 AND username = $2",
                                          pg__bind_id, user_row, 0};
static const struct pg_query user_get = {PG_USER_GET,
                                         "SELECT " USER_COLUMNS " FROM users "
                                         "WHERE tenant_id = $1 AND id = $2",
                                         pg__bind_id, user_row, 0};
/* COLLATE "C": byte order, as SQLite's BINARY sorts, whatever the database's locale */
static const struct pg_query user_list = {PG_USER_LIST,
                                          "SELECT " USER_COLUMNS " FROM users "
                                          "WHERE tenant_id = $1 ORDER BY username COLLATE \"C\"",
                                          pg__bind_int64, user_row, 0};

/* created_at is required; updated_at 0 means created_at. */
grantd_rc pg__user_put(struct grantd_store *s, const struct grantd_user *u)
{
    return pg__write_query(s, &user_put, u);
}

grantd_rc pg__user_find(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                        const char *username, struct grantd_user *out)
{
    struct pg_id key = {tenant, username};
    return pg__read(s, &user_find, &key, a, out);
}

grantd_rc pg__user_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                       const char *id, struct grantd_user *out)
{
    struct pg_id key = {tenant, id};
    return pg__read(s, &user_get, &key, a, out);
}

grantd_rc pg__user_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                        struct grantd_user **out, size_t *count)
{
    return pg__read_rows(s, &user_list, &tenant, a, sizeof(**out), (void **)out, count);
}

static const struct pg_query user_password = {PG_USER_PASSWORD,
                                              "UPDATE users SET password_hash = $3, "
                                              "updated_at = $4 "
                                              "WHERE tenant_id = $1 AND username = $2",
                                              pg__bind_set, NULL, PG_ONE_ROW | PG_CHANGES};
static const struct pg_query user_disabled = {PG_USER_DISABLE,
                                              "UPDATE users SET disabled = $3, updated_at = $4 "
                                              "WHERE tenant_id = $1 AND username = $2",
                                              pg__bind_set, NULL, PG_ONE_ROW | PG_CHANGES};

grantd_rc pg__user_set_password(struct grantd_store *s, int64_t tenant, const char *username,
                                const char *password_hash, int64_t now)
{
    struct pg_set u = {.key = {tenant, username}, .text = password_hash, .now = now};
    return pg__write_query(s, &user_password, &u);
}

grantd_rc pg__user_set_disabled(struct grantd_store *s, int64_t tenant, const char *username,
                                int disabled, int64_t now)
{
    struct pg_set u = {.key = {tenant, username}, .number = disabled ? 1 : 0, .now = now};
    return pg__write_query(s, &user_disabled, &u);
}

static void bind_user_update(struct pg_params *p, const void *arg)
{
    const struct grantd_user *u = arg;
    pg__int64(p, 1, u->tenant);
    pg__text(p, 2, u->id);
    pg__text(p, 3, u->username);
    pg__text(p, 4, u->account);
    pg__text(p, 5, u->email);
    pg__int64(p, 6, u->updated_at);
    pg__int64(p, 7, u->developer ? 1 : 0);
    bind_claims(p, 8, u);
}

static const struct pg_query user_update = {
    PG_USER_UPDATE,
    "UPDATE users SET username = $3, account = $4, email = $5, updated_at = $6, "
    "developer = $7, name = $8, given_name = $9, family_name = $10, preferred_username = $11, "
    "email_verified = $12, phone_number = $13, phone_number_verified = $14, locale = $15, "
    "address = $16 "
    "WHERE tenant_id = $1 AND id = $2",
    bind_user_update, NULL, PG_ONE_ROW | PG_CHANGES};

grantd_rc pg__user_update(struct grantd_store *s, const struct grantd_user *u, int64_t now)
{
    struct grantd_user copy = *u;
    copy.updated_at = now;
    return pg__write_query(s, &user_update, &copy);
}
