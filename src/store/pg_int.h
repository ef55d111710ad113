/* Internals shared by the files of the PostgreSQL driver (pg.c: the URL, connections, the
 * driver table, migrate/ping/hash_key; pg_query.c: statements, transactions, SQLSTATE
 * mapping; pg_schema.c: migrations; pg_client.c: tenants and clients; pg_user.c: users;
 * pg_session.c: sessions and consents; pg_code.c: codes and tokens; pg_key.c: signing
 * keys; pg_feed.c: the revocation feed; pg_purge.c: purge_expired; pg_admin.c: admin keys;
 * pg_register.c: dynamic client registration; pg_audit.c: the audit trail; pg_change.c:
 * the change sequence and LISTEN/NOTIFY). Not an interface: nothing outside src/store/pg*.c
 * and the driver's own unit tests includes it; everyone else reaches the driver through
 * store.h.
 *
 * Names: what the driver's files share is pg__* (functions) and pg_* / PG_* (types,
 * constants), as the SQLite driver's sqlite__* / sq_*. The one public symbol of the driver
 * is its table, grantd_pg_driver (pg.c). */
#ifndef GRANTD_STORE_PG_INT_H
#define GRANTD_STORE_PG_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>

#include "store/store.h"
#include "store/store_check.h"

/* Every statement a connection may keep prepared (server-side, named "g<id>", prepared on
 * the connection's first use of it). Each id is used at one call site, which passes the SQL
 * next to the code that binds it. */
enum pg_stmt_id {
    PG_SCHEMA_EXISTS,
    PG_SCHEMA_VERSION,
    PG_SCHEMA_COMPAT,
    PG_META_GET,
    PG_TENANT_GET,
    PG_TENANT_FIND,
    PG_TENANT_PUT,
    PG_TENANT_LIST,
    PG_CLIENT_PUT,
    PG_URI_PUT,
    PG_CLIENT_GET,
    PG_URI_LIST,
    PG_CLIENT_LIST,
    PG_CLIENT_LIST_OWNED,
    PG_CLIENT_DISABLE,
    PG_CLIENT_FAMILIES,
    PG_CLIENT_CODE_FAMILIES,
    PG_CLIENT_CODES_REVOKE,
    PG_CLIENT_CONSENTS,
    PG_CLIENT_SECRET,
    PG_CLIENT_ROTATE,
    PG_CLIENT_DELETE,
    PG_CLIENT_UPDATE,
    PG_URI_CLEAR,
    PG_USER_PUT,
    PG_USER_FIND,
    PG_USER_GET,
    PG_USER_LIST,
    PG_USER_PASSWORD,
    PG_USER_DISABLE,
    PG_USER_UPDATE,
    PG_SESSION_PUT,
    PG_SESSION_GET,
    PG_SESSION_DELETE,
    PG_CONSENT_GET,
    PG_CONSENT_PUT,
    PG_CONSENT_LIST,
    PG_CONSENT_EXISTS,
    PG_CONSENT_FAMILIES,
    PG_CONSENT_CODE_FAMILIES,
    PG_CONSENT_CODES_REVOKE,
    PG_CONSENT_DELETE,
    PG_PURGE_TOKENS,
    PG_PURGE_TOKENS_EXPIRED,
    PG_PURGE_CODES,
    PG_PURGE_SESSIONS,
    PG_PURGE_OLD_FAMILIES,
    PG_PURGE_FAMILIES,
    PG_FAMILY_REVOKE,
    PG_CODE_PUT,
    PG_CODE_GET,
    PG_CODE_REDEEM,
    PG_CODES_REDEEM,
    PG_TOKEN_GET,
    PG_TOKEN_PUT,
    PG_TOKEN_PUT_ONE,
    PG_TOKEN_PUT_TWO,
    PG_TOKEN_REVOKE,
    PG_TOKEN_REVOKE_STAMP,
    PG_TOKEN_ROTATE,
    PG_TOKEN_ROTATE_ONE,
    PG_TOKEN_ROTATE_TWO,
    PG_TOKEN_LIVE,
    PG_KEY_PUT,
    PG_KEY_LIST,
    PG_KEY_TENANT_LOCK,
    PG_KEY_RETIRE_CURRENT,
    PG_KEY_RETIRE_AT,
    PG_KEY_RETIRE,
    PG_REVOCATIONS_SINCE,
    PG_FEED_FLOOR,
    PG_FEED_RAISE_FLOOR,
    PG_FEED_PURGE,
    PG_ADMIN_KEY_PUT,
    PG_ADMIN_KEY_FIND,
    PG_ADMIN_KEY_LIST,
    PG_ADMIN_KEY_REVOKE,
    PG_REG_TOKEN_PUT,
    PG_REG_TOKEN_FIND,
    PG_REG_TOKEN_USE,
    PG_REG_PUT,
    PG_REG_GET,
    PG_REG_ROTATE,
    PG_AUDIT_PUT,
    PG_AUDIT_TARGET,
    PG_AUDIT_TARGET_DESC,
    PG_AUDIT_TENANT,
    PG_AUDIT_TENANT_DESC,
    PG_AUDIT_ALL,
    PG_AUDIT_ALL_DESC,
    PG_CHANGE_BUMP,
    PG_CHANGE_SEQ,
    PG_STMT_COUNT
};

/* The SQLSTATE of a token insert into a revoked family (pg_schema.c, FAMILY_LOCK). */
#define PG_FAMILY_REVOKED_STATE "GD409"
/* The most parameters a statement binds. */
#define PG_MAX_PARAMS 32
/* The NOTIFY channel of the change sequence (pg_change.c). */
#define PG_CHANNEL "grantd_changes"

/* One PostgreSQL connection, used by one thread at a time. */
struct pg_conn {
    struct pg_conn *next; /* the store's list, guarded by store->mu */
    struct pg_store *store;
    PGconn *db;
    int in_use;                          /* held by a live thread (guarded by store->mu) */
    unsigned char prepared[PG_STMT_COUNT]; /* prepared on db since it was (re)made */
    char sqlstate[6];                    /* of the last failed statement; "" when none */
    int unit; /* inside an audit unit (pg_audit.c): operations run in savepoints */
};

struct pg_store {
    struct grantd_store base; /* first member: the generic handle */
    char *conninfo;           /* what PQconnectdb opens: the postgresql:// URI */
    char *display;            /* what error messages call the database (no password) */
    pthread_mutex_t mu;
    pthread_key_t key; /* this thread's struct pg_conn */
    int have_key;
    struct pg_conn *conns;
    atomic_int key_loaded; /* hash_key below is valid (release/acquire) */
    unsigned char hash_key[GRANTD_SHA256_LEN];
    /* change_wait's connection (LISTEN grantd_changes), one waiter at a time */
    pthread_mutex_t listen_mu;
    PGconn *listen;
    struct pg_writer *writer; /* token_put_async's queue and thread (pg_writer.c) */
};

/* The driver's table under each scheme (pg.c). */
extern const struct grantd_store_driver grantd_pg_driver;
extern const struct grantd_store_driver grantd_postgresql_driver;

/* ---- the URL (pg.c; pure, unit-tested) -------------------------------------------------- */

/* Rebuilds the libpq URI from target, the URL without "postgres:" / "postgresql:" (so it
 * starts with "//"): "postgresql:" + target into out (outlen bytes), and into display the
 * same with any password replaced by "***". GRANTD_EINVAL when target does not start with
 * "//", has no host or database, or does not fit. */
GRANTD_MUST_USE grantd_rc pg__url(const char *target, char *out, size_t outlen, char *display,
                                  size_t displaylen);

/* ---- connections (pg.c) ------------------------------------------------------------------ */

/* The calling thread's connection to s, made on first use and made again when it went bad.
 * GRANTD_EBUSY (logged) when the server cannot be reached. */
GRANTD_MUST_USE grantd_rc pg__conn(struct grantd_store *s, struct pg_conn **out);
/* Makes c's connection again (PQreset) after a failure; GRANTD_EBUSY when it stays down. */
GRANTD_MUST_USE grantd_rc pg__reconnect(struct pg_conn *c);

/* ---- statements (pg_query.c) ------------------------------------------------------------- */

/* The parameters of one statement, text or binary (bytea), owned by the caller's stack. */
struct pg_params {
    int n;
    const char *values[PG_MAX_PARAMS];
    int lengths[PG_MAX_PARAMS];
    int formats[PG_MAX_PARAMS];
    char num[PG_MAX_PARAMS][24]; /* the text of integer parameters */
};
/* Parameter i (1-based, as $i) as text; NULL for SQL NULL. */
void pg__text(struct pg_params *p, int i, const char *s);
void pg__int64(struct pg_params *p, int i, int64_t v);
/* len bytes at b as a binary bytea parameter; NULL when b is NULL. */
void pg__bytea(struct pg_params *p, int i, const unsigned char *b, size_t len);

typedef void (*pg_bind_fn)(struct pg_params *p, const void *arg);
/* Copies row `row` of r into out (strings into a). */
typedef void (*pg_row_fn)(const PGresult *r, int row, struct grantd_arena *a, void *out);

enum pg_query_flag {
    PG_ONE_ROW = 1u << 0, /* a write that must change a row: GRANTD_ENOTFOUND when none */
    PG_CHANGES = 1u << 1, /* pg__write_query: the write moves the change sequence */
};

struct pg_query {
    enum pg_stmt_id id;
    const char *sql;
    pg_bind_fn bind; /* NULL: no parameters */
    pg_row_fn row;   /* NULL: no row that matters */
    unsigned flags;  /* enum pg_query_flag */
};

/* Maps a SQLSTATE to grantd_rc: 23505 (unique) → EEXIST, 23503 (foreign key: the parent is
 * missing) → ENOTFOUND, PG_FAMILY_REVOKED_STATE → ECONFLICT, class 08 (connection), 40001/40P01
 * (serialization, deadlock, once the retries are spent), 53 (resources), 57P01..57P03 (shutdown,
 * cannot connect now) → EBUSY; NULL or anything else → ESTORE. */
grantd_rc pg__rc_sqlstate(const char *sqlstate);
/* 1 when a transaction that failed with sqlstate should run again (40001, 40P01). */
int pg__retryable(const char *sqlstate);

GRANTD_MUST_USE grantd_rc pg__run(struct pg_conn *c, const struct pg_query *q, const void *arg);
/* At most one row into q->row(r, 0, a, out); GRANTD_ENOTFOUND when none. */
GRANTD_MUST_USE grantd_rc pg__get(struct pg_conn *c, const struct pg_query *q, const void *arg,
                                  struct grantd_arena *a, void *out);
/* Every row into a new arena array of elem-sized items (*count 0 when none). */
GRANTD_MUST_USE grantd_rc pg__rows(struct pg_conn *c, const struct pg_query *q, const void *arg,
                                   struct grantd_arena *a, size_t elem, void **out,
                                   size_t *count);
/* Every row of q's result to each(r, row, ctx), in order. */
GRANTD_MUST_USE grantd_rc pg__each(struct pg_conn *c, const struct pg_query *q, const void *arg,
                                   void (*each)(const PGresult *r, int row, void *ctx),
                                   void *ctx);
/* Runs a parameterless SQL text (several statements: DDL) on c. */
GRANTD_MUST_USE grantd_rc pg__exec(struct pg_conn *c, const char *sql);

/* The body of a transaction: runs statements on c, never BEGIN or COMMIT itself. GRANTD_OK
 * commits; anything else rolls back and is the result. */
typedef grantd_rc (*pg_tx_fn)(struct pg_conn *c, void *arg);
/* Runs fn in one transaction on the calling thread's connection: retried from the start
 * when it failed with a serialization failure or a deadlock (a few times), and once more
 * on a new connection when the connection broke. Nothing of a failed run stays. Inside an
 * audit unit (pg_audit.c) fn runs once, in a savepoint of the unit's transaction. */
GRANTD_MUST_USE grantd_rc pg__tx(struct grantd_store *s, pg_tx_fn fn, void *arg);
/* pg__tx for an fn that runs one statement: autocommit is its transaction (one round
 * trip instead of three); the same retries. */
GRANTD_MUST_USE grantd_rc pg__tx_single(struct grantd_store *s, pg_tx_fn fn, void *arg);
/* pg__tx of one query (q->row NULL): PG_CHANGES moves the change sequence with it. */
GRANTD_MUST_USE grantd_rc pg__write_query(struct grantd_store *s, const struct pg_query *q,
                                          const void *arg);
/* pg__get as an operation of its own: one statement in autocommit (pg__tx_single). */
GRANTD_MUST_USE grantd_rc pg__read(struct grantd_store *s, const struct pg_query *q,
                                   const void *arg, struct grantd_arena *a, void *out);
/* pg__rows as an operation of its own: one statement in autocommit (pg__tx_single). */
GRANTD_MUST_USE grantd_rc pg__read_rows(struct grantd_store *s, const struct pg_query *q,
                                        const void *arg, struct grantd_arena *a, size_t elem,
                                        void **out, size_t *count);

/* Columns of a text-format result. */
const char *pg__col_str(struct grantd_arena *a, const PGresult *r, int row, int col);
int64_t pg__col_int64(const PGresult *r, int row, int col);
/* A bytea column of GRANTD_SHA256_LEN bytes into out; zeroes out otherwise. */
void pg__col_hash(const PGresult *r, int row, int col, unsigned char out[GRANTD_SHA256_LEN]);
/* A bytea column copied into a; NULL and *len 0 when NULL or empty. */
const unsigned char *pg__col_blob(struct grantd_arena *a, const PGresult *r, int row, int col,
                                  size_t *len);
/* A row reader for one bigint column: *(int64_t *)out. */
void pg__row_int64(const PGresult *r, int row, struct grantd_arena *a, void *out);

/* The key most statements start with: $1 = tenant, $2 = id (pg__bind_id). */
struct pg_id {
    int64_t tenant;
    const char *id;
};
/* One stamped column update of (tenant, id): $3 the value (text, else hash, else number),
 * $4 now (pg__bind_set). */
struct pg_set {
    struct pg_id key;
    const char *text;
    const unsigned char *hash;
    int64_t number;
    int64_t now;
};
void pg__bind_id(struct pg_params *p, const void *arg);
void pg__bind_set(struct pg_params *p, const void *arg);
void pg__bind_int64(struct pg_params *p, const void *arg);

/* ---- schema (pg_schema.c) ---------------------------------------------------------------- */

int pg__schema_newest(void);
/* The version of the database on c (0 when it was never migrated). */
GRANTD_MUST_USE grantd_rc pg__schema_version(struct pg_conn *c, int *version);
/* The version and, when it is newer than this grantd's, its compatible-back-to number (the
 * version itself when none is stored for it, or when it is not newer: src/store/schema.h);
 * one more round trip only in that case. */
GRANTD_MUST_USE grantd_rc pg__schema_state(struct pg_conn *c, int *version, int *compat);
/* On a database newer than this grantd it migrates nothing: GRANTD_OK (*from = *to = its
 * version) when this grantd may run on it, else GRANTD_ESCHEMA with *to = its
 * compatible-back-to number. */
GRANTD_MUST_USE grantd_rc pg__schema_migrate(struct grantd_store *s, int64_t now, int *from,
                                             int *to);

/* ---- the change sequence (pg_change.c) --------------------------------------------------- */

/* Moves the sequence on and NOTIFYs PG_CHANNEL, inside the caller's transaction on c. */
GRANTD_MUST_USE grantd_rc pg__changed(struct pg_conn *c);
grantd_rc pg__change_seq(struct grantd_store *s, uint64_t *out);
grantd_rc pg__change_wait(struct grantd_store *s, uint64_t after, int timeout_ms, uint64_t *out);

/* ---- record operations (pg_client.c, pg_user.c, pg_session.c, pg_code.c, pg_key.c,
 *      pg_feed.c) ----------------------------------------------------------------------- */

grantd_rc pg__tenant_get(struct grantd_store *s, struct grantd_arena *a, int64_t id,
                         struct grantd_tenant *out);
grantd_rc pg__tenant_find(struct grantd_store *s, struct grantd_arena *a, const char *name,
                          struct grantd_tenant *out);
grantd_rc pg__tenant_put(struct grantd_store *s, const struct grantd_tenant *t, int64_t *id_out);
grantd_rc pg__tenant_list(struct grantd_store *s, struct grantd_arena *a,
                          struct grantd_tenant **out, size_t *count);
grantd_rc pg__client_put(struct grantd_store *s, const struct grantd_client *c);
grantd_rc pg__client_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                         const char *id, struct grantd_client *out);
grantd_rc pg__client_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                          struct grantd_client **out, size_t *count);
grantd_rc pg__client_list_owned(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                const char *owner, struct grantd_client **out, size_t *count);
grantd_rc pg__client_set_disabled(struct grantd_store *s, int64_t tenant, const char *id,
                                  int disabled, int64_t now_us);
grantd_rc pg__client_set_secret(struct grantd_store *s, int64_t tenant, const char *id,
                                const unsigned char hash[GRANTD_SHA256_LEN], int64_t now);
grantd_rc pg__client_rotate_secret(struct grantd_store *s, int64_t tenant, const char *id,
                                   const unsigned char hash[GRANTD_SHA256_LEN],
                                   int64_t prev_until, int64_t now);
grantd_rc pg__client_delete(struct grantd_store *s, int64_t tenant, const char *id);
grantd_rc pg__client_update(struct grantd_store *s, const struct grantd_client *c, int64_t now);
grantd_rc pg__user_put(struct grantd_store *s, const struct grantd_user *u);
grantd_rc pg__user_find(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                        const char *username, struct grantd_user *out);
grantd_rc pg__user_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                       const char *id, struct grantd_user *out);
grantd_rc pg__user_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                        struct grantd_user **out, size_t *count);
grantd_rc pg__user_set_password(struct grantd_store *s, int64_t tenant, const char *username,
                                const char *password_hash, int64_t now);
grantd_rc pg__user_set_disabled(struct grantd_store *s, int64_t tenant, const char *username,
                                int disabled, int64_t now);
grantd_rc pg__user_update(struct grantd_store *s, const struct grantd_user *u, int64_t now);
grantd_rc pg__session_put(struct grantd_store *s, const struct grantd_session *sess);
grantd_rc pg__session_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                          const unsigned char id_hash[GRANTD_SHA256_LEN], int64_t now,
                          struct grantd_session *out);
grantd_rc pg__session_delete(struct grantd_store *s, int64_t tenant,
                             const unsigned char id_hash[GRANTD_SHA256_LEN]);
grantd_rc pg__consent_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                          const char *user_id, const char *client_id,
                          struct grantd_consent *out);
grantd_rc pg__consent_put(struct grantd_store *s, const struct grantd_consent *c);
grantd_rc pg__consent_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           const char *user_id, struct grantd_consent **out, size_t *count);

grantd_rc pg__code_put(struct grantd_store *s, const struct grantd_code *code);
grantd_rc pg__code_consume(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           const unsigned char hash[GRANTD_SHA256_LEN], int64_t now,
                           struct grantd_code *out);
grantd_rc pg__token_put(struct grantd_store *s, const struct grantd_token *tokens, size_t count);
grantd_rc pg__token_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                        const unsigned char hash[GRANTD_SHA256_LEN], struct grantd_token *out);
grantd_rc pg__token_revoke_family(struct grantd_store *s, int64_t tenant, const char *family,
                                  int64_t now);
grantd_rc pg__token_revoke(struct grantd_store *s, int64_t tenant,
                           const unsigned char hash[GRANTD_SHA256_LEN]);
grantd_rc pg__token_revoke_at(struct grantd_store *s, int64_t tenant,
                              const unsigned char hash[GRANTD_SHA256_LEN], int64_t now);
grantd_rc pg__refresh_rotate(struct grantd_store *s, int64_t tenant,
                             const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now,
                             int64_t grace_until, const unsigned char *successor,
                             size_t successor_len, const struct grantd_token *tokens,
                             size_t count);
grantd_rc pg__key_put(struct grantd_store *s, const struct grantd_key *k);
grantd_rc pg__key_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                       struct grantd_key **out, size_t *count);
grantd_rc pg__key_rotate(struct grantd_store *s, int64_t tenant, const struct grantd_key *next,
                         int64_t retire_at);
grantd_rc pg__key_retire(struct grantd_store *s, int64_t tenant, const char *kid, int64_t now);
grantd_rc pg__revocations_since(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                                int64_t after, size_t limit, struct grantd_revocation **out,
                                size_t *count, int64_t *next_cursor);
grantd_rc pg__revocations_floor(struct grantd_store *s, int64_t *out);
grantd_rc pg__revocations_purge(struct grantd_store *s, int64_t before, size_t *deleted);
grantd_rc pg__consent_revoke(struct grantd_store *s, int64_t tenant, const char *user_id,
                             const char *client_id, int64_t now);
grantd_rc pg__purge_expired(struct grantd_store *s, int64_t before, int64_t now,
                            size_t *deleted);
grantd_rc pg__admin_key_put(struct grantd_store *s, const struct grantd_admin_key *k);
grantd_rc pg__admin_key_find(struct grantd_store *s, struct grantd_arena *a,
                             const unsigned char hash[GRANTD_SHA256_LEN],
                             struct grantd_admin_key *out);
grantd_rc pg__admin_key_list(struct grantd_store *s, struct grantd_arena *a,
                             struct grantd_admin_key **out, size_t *count);
grantd_rc pg__admin_key_revoke(struct grantd_store *s, const char *id, int64_t now);
grantd_rc pg__registration_token_put(struct grantd_store *s,
                                     const struct grantd_registration_token *t);
grantd_rc pg__registration_token_find(struct grantd_store *s, struct grantd_arena *a,
                                      int64_t tenant, const unsigned char hash[GRANTD_SHA256_LEN],
                                      struct grantd_registration_token *out);
grantd_rc pg__registration_put(struct grantd_store *s, const struct grantd_client *c,
                               const struct grantd_registration *r, const unsigned char *iat,
                               int64_t now);
grantd_rc pg__registration_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                               const char *id, struct grantd_registration *out);
grantd_rc pg__registration_rotate(struct grantd_store *s, const struct grantd_client *c,
                                  const struct grantd_registration *r,
                                  const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now);
grantd_rc pg__audit_begin(struct grantd_store *s);
grantd_rc pg__audit_end(struct grantd_store *s, const struct grantd_audit *e, grantd_rc rc);
grantd_rc pg__audit_list(struct grantd_store *s, struct grantd_arena *a,
                         const struct grantd_audit_query *q, struct grantd_audit **out,
                         size_t *count);
/* client_put's inserts (the row, the redirect URIs) and client_update's writes
 * (cl->updated_at is the time stamped), inside the caller's transaction on c (pg_client.c;
 * registrations use them). The wrapper checked cl (store_check.h). */
GRANTD_MUST_USE grantd_rc pg__client_insert(struct pg_conn *c, const struct grantd_client *cl);
GRANTD_MUST_USE grantd_rc pg__client_update_rows(struct pg_conn *c,
                                                 const struct grantd_client *cl);

/* ---- group commit (pg_writer.c, with pg_code.c's token rows) ------------------------------ */

/* The columns of one token row and the INSERT they follow (pg_code.c binds them with
 * pg__bind_token: PG_TOKEN_COLUMNS parameters from $1). */
#define PG_TOKEN_COLUMNS 12
#define PG_TOKEN_INSERT_COLUMNS                                                                \
    "INSERT INTO tokens (tenant_id, hash, kind, client_id, user_id, scope, family, "         \
    "created_at, expires_at, revoked, audience, auth_time)"
#define PG_TOKEN_INSERT PG_TOKEN_INSERT_COLUMNS " VALUES "
void pg__bind_token(struct pg_params *p, const void *arg);
/* Runs sql (not prepared: its text changes with the number of rows) with n parameters on c,
 * as pg__run does: GRANTD_OK, or the SQLSTATE's grantd_rc (c->sqlstate set, logged). */
GRANTD_MUST_USE grantd_rc pg__exec_params(struct pg_conn *c, const char *sql, int n,
                                          const char *const *values, const int *lengths,
                                          const int *formats);
/* The writer of st, made at open (NULL when it could not be) and closed first at close: runs
 * every queued write and its callback, then stops its thread. */
struct pg_writer *pg__writer_new(struct pg_store *st);
void pg__writer_close(struct pg_writer *w);
/* What one of w's queues did so far: batches run, jobs in them, the most jobs one batch
 * held. */
struct pg_writer_stats {
    long long batches, jobs, max_batch;
};
enum pg_writer_queue { PG_WRITER_PUTS, PG_WRITER_CODES, PG_WRITER_ROTATIONS };
struct pg_writer_stats pg__writer_stats(struct pg_writer *w, enum pg_writer_queue q);
/* One code of a batch of first redemptions (pg__codes_redeem): the key, where its row
 * goes, and whether it got one. */
struct pg_redeem {
    int64_t tenant;
    const unsigned char *hash;
    struct grantd_arena *a;
    struct grantd_code *out;
    int got;
};
/* code_consume's first step (its single-use UPDATE) for the n codes of r at once, as one
 * statement in autocommit: one round trip and one commit. Each code it moved from unused to
 * used has got = 1 and *out filled (for one of the entries naming it); the others, got = 0,
 * were used already or are unknown: pg__code_consume_rest decides. A failure changed
 * nothing. */
GRANTD_MUST_USE grantd_rc pg__codes_redeem(struct grantd_store *s, struct pg_redeem *r,
                                           size_t n);
/* code_consume after its single-use UPDATE changed nothing: a replay or an unknown code. */
GRANTD_MUST_USE grantd_rc pg__code_consume_rest(struct grantd_store *s, struct grantd_arena *a,
                                                int64_t tenant,
                                                const unsigned char hash[GRANTD_SHA256_LEN],
                                                int64_t now, struct grantd_code *out);
/* One refresh_rotate's arguments. */
struct pg_rotation {
    int64_t tenant;
    const unsigned char *old_hash;
    int64_t now, grace_until;
    const unsigned char *successor;
    size_t successor_len;
    const struct grantd_token *tokens;
    size_t count;
};
/* A rotation of one or two new tokens (count ≤ 2) as one statement on c, inside the caller's
 * transaction: GRANTD_OK; GRANTD_ENOTFOUND when the old token was not live and nothing
 * changed (refresh_rotate then says why); or the statement's failure (the transaction is
 * then lost). */
GRANTD_MUST_USE grantd_rc pg__rotate_statement(struct pg_conn *c, const struct pg_rotation *r);
void pg__refresh_rotate_async(struct grantd_store *s, int64_t tenant,
                              const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now,
                              int64_t grace_until, const unsigned char *successor,
                              size_t successor_len, const struct grantd_token *tokens,
                              size_t count, void (*done)(void *arg, grantd_rc rc), void *arg);
void pg__code_consume_async(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                            const unsigned char hash[GRANTD_SHA256_LEN], int64_t now,
                            struct grantd_code *out, void (*done)(void *arg, grantd_rc rc),
                            void *arg);
void pg__token_put_async(struct grantd_store *s, const struct grantd_token *tokens, size_t count,
                         void (*done)(void *arg, grantd_rc rc), void *arg);

#endif
