/* Internals shared by the files of the SQLite driver (sqlite.c: connections and the driver
 * table; sqlite_query.c: statements, transactions, result codes; sqlite_writer.c: the one
 * writer connection, group commit and the background checkpoint; sqlite_schema.c:
 * migrations; sqlite_client.c: tenants and clients; sqlite_user.c: users;
 * sqlite_session.c: sessions and consents; sqlite_code.c: codes and tokens;
 * sqlite_purge.c: client_set_disabled and purge_expired; sqlite_key.c: signing keys;
 * sqlite_admin.c: admin keys and the admin API's updates; sqlite_register.c: dynamic
 * client registration; sqlite_audit.c: the audit trail;
 * sqlite_change.c: the change sequence). Not an interface: nothing outside
 * src/store/sqlite*.c and the driver's own unit tests includes it; everyone else reaches
 * the driver through store.h.
 *
 * Names: what the driver's files share is sqlite__* (functions) and sq_* / SQ_* (types,
 * constants), as libuv marks its internals uv__: nothing here reads like public API. The one
 * public symbol of the driver is its table, grantd_sqlite_driver (sqlite.c). */
#ifndef GRANTD_STORE_SQLITE_INT_H
#define GRANTD_STORE_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "store/store.h"

/* Every statement a connection may keep prepared. Each id is used at one call site, which
 * passes the SQL next to the code that binds it. */
enum sq_stmt_id {
    SQ_BEGIN_READ,
    SQ_BEGIN_WRITE,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_USER_VERSION,
    SQ_SCHEMA_COMPAT,
    SQ_META_GET,
    SQ_TENANT_GET,
    SQ_TENANT_FIND,
    SQ_TENANT_PUT,
    SQ_TENANT_LIST,
    SQ_CLIENT_PUT,
    SQ_URI_PUT,
    SQ_CLIENT_GET,
    SQ_URI_LIST,
    SQ_CLIENT_LIST,
    SQ_CLIENT_DISABLE,
    SQ_CLIENT_SECRET,
    SQ_CLIENT_DELETE,
    SQ_USER_PUT,
    SQ_USER_FIND,
    SQ_USER_LIST,
    SQ_USER_PASSWORD,
    SQ_USER_DISABLE,
    SQ_USER_GET,
    SQ_SESSION_PUT,
    SQ_SESSION_GET,
    SQ_SESSION_DELETE,
    SQ_CONSENT_GET,
    SQ_CONSENT_PUT,
    SQ_CODE_PUT,
    SQ_CODE_GET,
    SQ_CODE_USE,
    SQ_FAMILY_REVOKED,
    SQ_FAMILY_REVOKE,
    SQ_TOKEN_PUT,
    SQ_TOKEN_GET,
    SQ_TOKEN_LIVE,
    SQ_TOKEN_ROTATE,
    SQ_TOKEN_REVOKE,
    SQ_SAVEPOINT,
    SQ_ROLLBACK_TO,
    SQ_RELEASE,
    SQ_CLIENT_FAMILIES,
    SQ_CLIENT_CODE_FAMILIES,
    SQ_CLIENT_CODES_REVOKE,
    SQ_CLIENT_CONSENTS,
    SQ_PURGE_TOKENS_SCAN,
    SQ_PURGE_TOKENS_EXPIRED,
    SQ_PURGE_TOKEN_DELETE,
    SQ_PURGE_TOKEN_FLAG,
    SQ_PURGE_CODES_SCAN,
    SQ_PURGE_CODE_DELETE,
    SQ_PURGE_SESSIONS_SCAN,
    SQ_PURGE_SESSION_DELETE,
    SQ_PURGE_FAMILIES,
    SQ_PURGE_OLD_FAMILIES,
    SQ_KEY_PUT,
    SQ_KEY_LIST,
    SQ_KEY_RETIRE_CURRENT,
    SQ_CHANGE_BUMP,
    SQ_CHANGE_SEQ,
    SQ_DATA_VERSION,
    SQ_REVOCATIONS_SINCE,
    SQ_TOKEN_REVOKE_STAMP,
    SQ_KEY_RETIRE_AT,
    SQ_KEY_RETIRE,
    SQ_FEED_FLOOR,
    SQ_FEED_RAISE_FLOOR,
    SQ_FEED_PURGE,
    SQ_CLIENT_UPDATE,
    SQ_URI_CLEAR,
    SQ_CLIENT_ROTATE,
    SQ_USER_UPDATE,
    SQ_ADMIN_KEY_PUT,
    SQ_ADMIN_KEY_FIND,
    SQ_ADMIN_KEY_LIST,
    SQ_ADMIN_KEY_REVOKE,
    SQ_REG_TOKEN_PUT,
    SQ_REG_TOKEN_USE,
    SQ_REG_TOKEN_FIND,
    SQ_REG_PUT,
    SQ_REG_GET,
    SQ_REG_ROTATE,
    SQ_UNIT_SAVEPOINT,
    SQ_UNIT_ROLLBACK_TO,
    SQ_UNIT_RELEASE,
    SQ_AUDIT_PUT,
    SQ_AUDIT_TARGET,
    SQ_AUDIT_TARGET_DESC,
    SQ_AUDIT_TENANT,
    SQ_AUDIT_TENANT_DESC,
    SQ_AUDIT_ALL,
    SQ_AUDIT_ALL_DESC,
    SQ_CONSENT_LIST,
    SQ_CONSENT_EXISTS,
    SQ_CONSENT_FAMILIES,
    SQ_CONSENT_CODE_FAMILIES,
    SQ_CONSENT_CODES_REVOKE,
    SQ_CONSENT_DELETE,
    SQ_CLIENT_LIST_OWNED,
    SQ_STMT_COUNT
};

struct sq_store;
struct sq_conn;

/* The body of a write operation: runs on the writer connection c inside a transaction that
 * sqlite__write opened (never BEGIN or COMMIT itself). GRANTD_OK keeps what it
 * changed; any other result undoes it and is the operation's result. An outcome that must
 * commit and still report something else (a replayed code) goes back through arg. */
typedef grantd_rc (*sq_write_fn)(struct sq_conn *c, void *arg);

/* One queued write (sqlite_writer.c). */
struct sq_job {
    struct sq_job *next;
    sq_write_fn fn;
    void *arg;
    grantd_rc rc;
    int done;                   /* set (under the writer's mu) once rc is final; the
                                 * leader never touches the job afterwards */
    /* an asynchronous job (sqlite__write_async): heap-allocated, freed by the leader
     * after calling on_done(done_arg, rc); NULL for a waiting caller's job */
    void (*on_done)(void *done_arg, grantd_rc rc);
    void *done_arg;
};

/* The store's single writer: every write operation of the process goes through it
 * (sqlite_writer.c). Guarded by mu. */
struct sq_writer {
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* a job finished, or the leader's place is free */
    struct sq_job *head, *tail; /* waiting jobs */
    int leading;                /* a thread is running a batch */
    int sleepers;               /* threads in pthread_cond_wait on cv */
    /* the thread that leads batches of asynchronous jobs (no caller waits to lead them) */
    pthread_t thread;
    int thread_started, thread_stop;
    struct sq_conn *conn;       /* the writer connection, opened on first write */
    /* background checkpoint (guarded by ck_mu) */
    pthread_mutex_t ck_mu;
    pthread_cond_t ck_cv;
    pthread_t ck_thread;
    int ck_started, ck_wanted, ck_running, ck_stop;
    int ck_done;                /* WAL frames the thread's last checkpoint copied, or -1 */
    uint64_t ck_thread_runs, ck_inline_runs;
    struct sq_conn *ck_conn;    /* the thread's own connection */
    /* counters for tests and benchmarks (guarded by mu) */
    uint64_t batches, jobs, max_batch;
};

/* One SQLite connection, used by one thread at a time. */
struct sq_conn {
    struct sq_conn *next;   /* the store's list, guarded by store->mu */
    struct sq_store *store;
    sqlite3 *db;
    int in_use;             /* held by a live thread (guarded by store->mu) */
    int64_t busy_since_us;  /* when the current wait for a lock began */
    sqlite3_stmt *stmts[SQ_STMT_COUNT]; /* prepared lazily, reset after every use */
};

struct sq_store {
    struct grantd_store base;   /* first member: the generic handle */
    char *target;               /* what sqlite3_open_v2 opens */
    char *display;              /* what error messages call the database */
    int open_flags;
    pthread_mutex_t mu;
    pthread_key_t key;          /* this thread's struct sq_conn */
    int have_key;
    struct sq_conn *conns;
    atomic_int key_loaded;      /* hash_key below is valid (release/acquire) */
    unsigned char hash_key[GRANTD_SHA256_LEN];
    struct sq_writer writer;
};

/* The calling thread's connection to s, opened on first use. GRANTD_ESTORE (logged) when
 * no connection can be opened. */
GRANTD_MUST_USE grantd_rc sqlite__conn(struct grantd_store *s, struct sq_conn **out);
/* Opens one more connection to st configured for grantd (not in the per-thread pool). err
 * gets a one-line reason on failure. */
GRANTD_MUST_USE grantd_rc sqlite__conn_open(struct sq_store *st, struct sq_conn **out,
                                            char *err, size_t errlen);
void sqlite__conn_free(struct sq_conn *c);

/* Runs fn(c, arg) on the writer connection inside a write transaction and returns its
 * result once that transaction has committed (or fn's changes were undone). Writes of
 * several threads are committed together (group commit): see sqlite_writer.c. fn must not
 * call sqlite__write or sqlite__conn. */
GRANTD_MUST_USE grantd_rc sqlite__write(struct grantd_store *s, sq_write_fn fn, void *arg);
/* The same without waiting: queues fn and returns; on_done(done_arg, rc) is called once the
 * transaction holding it committed (or failed), on the writer's thread, or at once on the
 * caller's when the writer thread cannot start. arg must stay valid until then. */
void sqlite__write_async(struct grantd_store *s, sq_write_fn fn, void *arg,
                         void (*on_done)(void *done_arg, grantd_rc rc), void *done_arg);
/* A unit: makes the calling thread the writer's leader and opens a write transaction in
 * which every sqlite__write of this thread runs (each in a savepoint) until
 * sqlite__unit_end, which runs last(c, arg) (may be NULL) when rc is GRANTD_OK, then commits,
 * or rolls everything back when rc or last failed, and gives the leader's place back.
 * Returns rc or the failure. GRANTD_EINVAL for a unit inside a unit, or an end without a
 * begin on this thread. */
GRANTD_MUST_USE grantd_rc sqlite__unit_begin(struct grantd_store *s);
GRANTD_MUST_USE grantd_rc sqlite__unit_end(struct grantd_store *s, sq_write_fn last, void *arg,
                                           grantd_rc rc);
void sqlite__writer_init(struct sq_writer *w);
/* Stops the checkpoint thread and closes the writer's connections. */
void sqlite__writer_close(struct sq_writer *w);

/* The prepared statement id of c, prepared from sql on first use; NULL (logged) when sql
 * does not prepare, e.g. on a database that is not migrated. */
sqlite3_stmt *sqlite__stmt(struct sq_conn *c, enum sq_stmt_id id, const char *sql);
/* Resets st and clears its bindings, ready for the next use. */
void sqlite__done(sqlite3_stmt *st);
/* Maps an SQLite result code to grantd_rc: busy/locked → EBUSY, unique/primary key →
 * EEXIST, foreign key → ENOTFOUND (the parent is missing), anything else → ESTORE (logged
 * with SQLite's message). SQLITE_OK, _ROW and _DONE → GRANTD_OK. */
grantd_rc sqlite__rc(struct sq_conn *c, int code);
/* Starts a transaction: BEGIN IMMEDIATE for write != 0 (takes the write lock now, so the
 * busy timeout applies), else BEGIN (a consistent read snapshot). */
GRANTD_MUST_USE grantd_rc sqlite__begin(struct sq_conn *c, int write);
/* Ends the transaction begun by sqlite__begin: COMMIT when rc is GRANTD_OK, else
 * ROLLBACK. Returns rc, or the failure of COMMIT (after rolling back). */
GRANTD_MUST_USE grantd_rc sqlite__end(struct sq_conn *c, grantd_rc rc);

/* ---- statements: one piece of code for prepare → bind → step → read → reset ----------
 *
 * Every statement of the driver is a struct sq_query: its id and SQL, a function that binds
 * its parameters from an argument the caller passes, and (for a query) one that copies a
 * row out. The functions below run one; an operation is then its queries plus the
 * arguments it binds. */

/* Binds st's parameters from arg; the OR of the sqlite3_bind_* results (SQLITE_OK = 0). */
typedef int (*sq_bind_fn)(sqlite3_stmt *st, const void *arg);
/* Copies the current row of st into out (strings into a). */
typedef void (*sq_row_fn)(sqlite3_stmt *st, struct grantd_arena *a, void *out);

enum sq_query_flag {
    SQ_ONE_ROW = 1u << 0, /* a write that must change a row: GRANTD_ENOTFOUND when none */
    SQ_CHANGES = 1u << 1, /* sqlite__write_query: the write moves the change sequence */
};

struct sq_query {
    enum sq_stmt_id id;
    const char *sql;
    sq_bind_fn bind; /* NULL: no parameters */
    sq_row_fn row;   /* NULL: the statement returns no row that matters */
    unsigned flags;  /* enum sq_query_flag */
};

/* Runs q on c with its parameters bound from arg, to completion (a write, or a statement
 * whose rows do not matter). GRANTD_ESTORE when it does not prepare or bind. */
GRANTD_MUST_USE grantd_rc sqlite__run(struct sq_conn *c, const struct sq_query *q,
                                      const void *arg);
/* Runs q, a query answering at most one row, on c: the row goes to q->row(st, a, out).
 * GRANTD_ENOTFOUND when there is none. */
GRANTD_MUST_USE grantd_rc sqlite__get(struct sq_conn *c, const struct sq_query *q,
                                      const void *arg, struct grantd_arena *a, void *out);
/* sqlite__get on the calling thread's connection: a whole one-row read operation. */
GRANTD_MUST_USE grantd_rc sqlite__read(struct grantd_store *s, const struct sq_query *q,
                                       const void *arg, struct grantd_arena *a, void *out);
/* Runs q on c and hands every row to q->row(st, a, out) (the same out each time). */
GRANTD_MUST_USE grantd_rc sqlite__scan(struct sq_conn *c, const struct sq_query *q,
                                       const void *arg, struct grantd_arena *a, void *out);
/* Runs q on c and reads every row into a new arena array of elem-sized items: *out and
 * *count are set on success (no rows: GRANTD_OK with *count 0). */
GRANTD_MUST_USE grantd_rc sqlite__rows(struct sq_conn *c, const struct sq_query *q,
                                       const void *arg, struct grantd_arena *a, size_t elem,
                                       void **out, size_t *count);
/* sqlite__rows on the calling thread's connection: a whole list read operation. */
GRANTD_MUST_USE grantd_rc sqlite__read_rows(struct grantd_store *s, const struct sq_query *q,
                                            const void *arg, struct grantd_arena *a,
                                            size_t elem, void **out, size_t *count);
/* Runs q as a write operation of its own (sqlite__write, one transaction). */
GRANTD_MUST_USE grantd_rc sqlite__write_query(struct grantd_store *s, const struct sq_query *q,
                                              const void *arg);

/* The key most statements start with: ?1 = tenant, ?2 = id (a client id, a username...).
 * sqlite__bind_id binds a struct sq_id; sqlite__bind_hash_key a struct sq_hash;
 * sqlite__bind_int64 only ?1, from an int64_t (a tenant id, a time). */
struct sq_id {
    int64_t tenant;
    const char *id;
};
struct sq_hash {
    int64_t tenant;
    const unsigned char *hash; /* GRANTD_SHA256_LEN bytes: a storage key */
};
/* An update of one column of the record (tenant, id), stamped: ?1 tenant, ?2 id, ?3 the new
 * value (text when text is set, else the storage key at hash when set, else number), ?4 now.
 * sqlite__bind_set binds a struct sq_set. */
struct sq_set {
    struct sq_id key;
    const char *text;
    const unsigned char *hash;
    int64_t number;
    int64_t now;
};
int sqlite__bind_set(sqlite3_stmt *st, const void *arg);
int sqlite__bind_int64(sqlite3_stmt *st, const void *arg);
int sqlite__bind_id(sqlite3_stmt *st, const void *arg);
int sqlite__bind_hash_key(sqlite3_stmt *st, const void *arg);
/* Binds s as text, or NULL when s is NULL. The string must outlive the step (SQLITE_STATIC). */
int sqlite__bind_text(sqlite3_stmt *st, int i, const char *s);
/* Binds the GRANTD_SHA256_LEN bytes at hash as a blob, which must outlive the step. */
int sqlite__bind_hash(sqlite3_stmt *st, int i, const unsigned char *hash);
/* Binds len bytes at blob, or NULL when len is 0. The bytes must outlive the step. */
int sqlite__bind_blob(sqlite3_stmt *st, int i, const void *blob, size_t len);
/* A row reader for one integer column: *(int64_t *)out = column 0. */
void sqlite__row_int64(sqlite3_stmt *st, struct grantd_arena *a, void *out);
/* Copies column col of the current row into out when it is a GRANTD_SHA256_LEN-byte blob;
 * zeroes out otherwise. */
void sqlite__col_hash(sqlite3_stmt *st, int col, unsigned char out[GRANTD_SHA256_LEN]);
/* Column col of the current row copied into a; NULL for SQL NULL. */
const char *sqlite__col_str(struct grantd_arena *a, sqlite3_stmt *st, int col);
/* Column col of the current row (a blob) copied into a; NULL and *len 0 when empty. */
const unsigned char *sqlite__col_blob(struct grantd_arena *a, sqlite3_stmt *st, int col,
                                      size_t *len);

/* Schema (sqlite_schema.c). What a migration creates is stamped with now. */
int sqlite__schema_newest(void);
GRANTD_MUST_USE grantd_rc sqlite__schema_version(struct sq_conn *c, int *version);
/* The version and, when it is newer than this grantd's, its compatible-back-to number (the
 * version itself when none is stored for it, or when it is not newer: src/store/schema.h). */
GRANTD_MUST_USE grantd_rc sqlite__schema_state(struct sq_conn *c, int *version, int *compat);
/* On a database newer than this grantd it migrates nothing: GRANTD_OK (*from = *to = its
 * version) when this grantd may run on it, else GRANTD_ESCHEMA with *to = its
 * compatible-back-to number. */
GRANTD_MUST_USE grantd_rc sqlite__schema_migrate(struct sq_conn *c, int64_t now, int *from,
                                                 int *to);
/* Like sqlite__schema_migrate, but stops at version target (0..newest; GRANTD_EINVAL
 * otherwise): tests use it to build a database as an older grantd left it. */
GRANTD_MUST_USE grantd_rc sqlite__schema_migrate_to(struct sq_conn *c, int target, int64_t now,
                                                    int *from, int *to);

/* Record operations, as in struct grantd_store_driver (sqlite_client.c, sqlite_user.c,
 * sqlite_session.c, sqlite_code.c, sqlite_purge.c, sqlite_key.c). */
grantd_rc sqlite__tenant_get(struct grantd_store *s, struct grantd_arena *a, int64_t id,
                             struct grantd_tenant *out);
grantd_rc sqlite__tenant_find(struct grantd_store *s, struct grantd_arena *a, const char *name,
                              struct grantd_tenant *out);
grantd_rc sqlite__tenant_put(struct grantd_store *s, const struct grantd_tenant *t,
                             int64_t *id_out);
grantd_rc sqlite__tenant_list(struct grantd_store *s, struct grantd_arena *a,
                              struct grantd_tenant **out, size_t *count);
grantd_rc sqlite__client_put(struct grantd_store *s, const struct grantd_client *c);
grantd_rc sqlite__client_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                             const char *id, struct grantd_client *out);
grantd_rc sqlite__client_list_owned(struct grantd_store *s, struct grantd_arena *a,
                                    int64_t tenant, const char *owner,
                                    struct grantd_client **out, size_t *count);
grantd_rc sqlite__client_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                              struct grantd_client **out, size_t *count);
grantd_rc sqlite__client_set_disabled(struct grantd_store *s, int64_t tenant, const char *id,
                                      int disabled, int64_t now_us);
grantd_rc sqlite__client_set_secret(struct grantd_store *s, int64_t tenant, const char *id,
                                    const unsigned char hash[GRANTD_SHA256_LEN], int64_t now);
grantd_rc sqlite__client_delete(struct grantd_store *s, int64_t tenant, const char *id);
grantd_rc sqlite__user_put(struct grantd_store *s, const struct grantd_user *u);
grantd_rc sqlite__user_find(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                            const char *username, struct grantd_user *out);
grantd_rc sqlite__user_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                            struct grantd_user **out, size_t *count);
grantd_rc sqlite__user_set_password(struct grantd_store *s, int64_t tenant, const char *username,
                                    const char *password_hash, int64_t now);
grantd_rc sqlite__user_set_disabled(struct grantd_store *s, int64_t tenant, const char *username,
                                    int disabled, int64_t now);
grantd_rc sqlite__user_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           const char *id, struct grantd_user *out);
grantd_rc sqlite__session_put(struct grantd_store *s, const struct grantd_session *sess);
grantd_rc sqlite__session_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                              const unsigned char id_hash[GRANTD_SHA256_LEN], int64_t now,
                              struct grantd_session *out);
grantd_rc sqlite__session_delete(struct grantd_store *s, int64_t tenant,
                                 const unsigned char id_hash[GRANTD_SHA256_LEN]);
grantd_rc sqlite__consent_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                              const char *user_id, const char *client_id,
                              struct grantd_consent *out);
grantd_rc sqlite__consent_put(struct grantd_store *s, const struct grantd_consent *c);
grantd_rc sqlite__consent_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                               const char *user_id, struct grantd_consent **out,
                               size_t *count);
grantd_rc sqlite__consent_revoke(struct grantd_store *s, int64_t tenant, const char *user_id,
                                 const char *client_id, int64_t now);
grantd_rc sqlite__code_put(struct grantd_store *s, const struct grantd_code *code);
grantd_rc sqlite__code_consume(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                               const unsigned char hash[GRANTD_SHA256_LEN], int64_t now,
                               struct grantd_code *out);
grantd_rc sqlite__token_put(struct grantd_store *s, const struct grantd_token *tokens,
                            size_t count);
void sqlite__token_put_async(struct grantd_store *s, const struct grantd_token *tokens,
                             size_t count, void (*done)(void *arg, grantd_rc rc), void *arg);
grantd_rc sqlite__token_get(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                            const unsigned char hash[GRANTD_SHA256_LEN],
                            struct grantd_token *out);
grantd_rc sqlite__token_revoke_family(struct grantd_store *s, int64_t tenant, const char *family,
                                      int64_t now);
grantd_rc sqlite__refresh_rotate(struct grantd_store *s, int64_t tenant,
                                 const unsigned char old_hash[GRANTD_SHA256_LEN], int64_t now,
                                 int64_t grace_until, const unsigned char *successor,
                                 size_t successor_len, const struct grantd_token *tokens,
                                 size_t count);
grantd_rc sqlite__token_revoke(struct grantd_store *s, int64_t tenant,
                               const unsigned char hash[GRANTD_SHA256_LEN]);
grantd_rc sqlite__token_revoke_at(struct grantd_store *s, int64_t tenant,
                                  const unsigned char hash[GRANTD_SHA256_LEN], int64_t now);
grantd_rc sqlite__purge_expired(struct grantd_store *s, int64_t before, int64_t now,
                                size_t *deleted);
grantd_rc sqlite__key_put(struct grantd_store *s, const struct grantd_key *k);
grantd_rc sqlite__key_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                           struct grantd_key **out, size_t *count);
grantd_rc sqlite__key_rotate(struct grantd_store *s, int64_t tenant,
                             const struct grantd_key *next, int64_t retire_at);
grantd_rc sqlite__key_retire(struct grantd_store *s, int64_t tenant, const char *kid,
                             int64_t now);
grantd_rc sqlite__change_seq(struct grantd_store *s, uint64_t *out);
grantd_rc sqlite__revocations_since(struct grantd_store *s, struct grantd_arena *a,
                                    int64_t tenant, int64_t after, size_t limit,
                                    struct grantd_revocation **out, size_t *count,
                                    int64_t *next_cursor);
grantd_rc sqlite__revocations_floor(struct grantd_store *s, int64_t *out);
grantd_rc sqlite__revocations_purge(struct grantd_store *s, int64_t before, size_t *deleted);
grantd_rc sqlite__change_wait(struct grantd_store *s, uint64_t after, int timeout_ms,
                              uint64_t *out);
grantd_rc sqlite__client_update(struct grantd_store *s, const struct grantd_client *c,
                                int64_t now);
grantd_rc sqlite__client_rotate_secret(struct grantd_store *s, int64_t tenant, const char *id,
                                       const unsigned char hash[GRANTD_SHA256_LEN],
                                       int64_t prev_until, int64_t now);
/* A consent row of SQ_CONSENT_COLUMNS into a struct grantd_consent (sqlite_session.c; the
 * account page's list reads the same shape, sqlite_account.c). */
#define SQ_CONSENT_COLUMNS "tenant_id, user_id, client_id, scope, created_at"
void sqlite__consent_row(sqlite3_stmt *st, struct grantd_arena *a, void *out);
/* Binds u's claims (sqlite_user.c's CLAIM_COLUMNS order) from parameter first on. */
int sqlite__bind_claims(sqlite3_stmt *st, int first, const struct grantd_user *u);
grantd_rc sqlite__user_update(struct grantd_store *s, const struct grantd_user *u, int64_t now);
grantd_rc sqlite__admin_key_put(struct grantd_store *s, const struct grantd_admin_key *k);
grantd_rc sqlite__admin_key_find(struct grantd_store *s, struct grantd_arena *a,
                                 const unsigned char hash[GRANTD_SHA256_LEN],
                                 struct grantd_admin_key *out);
grantd_rc sqlite__admin_key_list(struct grantd_store *s, struct grantd_arena *a,
                                 struct grantd_admin_key **out, size_t *count);
grantd_rc sqlite__admin_key_revoke(struct grantd_store *s, const char *id, int64_t now);
grantd_rc sqlite__registration_token_put(struct grantd_store *s,
                                         const struct grantd_registration_token *t);
grantd_rc sqlite__registration_token_find(struct grantd_store *s, struct grantd_arena *a,
                                          int64_t tenant,
                                          const unsigned char hash[GRANTD_SHA256_LEN],
                                          struct grantd_registration_token *out);
grantd_rc sqlite__registration_put(struct grantd_store *s, const struct grantd_client *c,
                                   const struct grantd_registration *r,
                                   const unsigned char *iat, int64_t now);
grantd_rc sqlite__registration_get(struct grantd_store *s, struct grantd_arena *a,
                                   int64_t tenant, const char *id,
                                   struct grantd_registration *out);
grantd_rc sqlite__registration_rotate(struct grantd_store *s, const struct grantd_client *c,
                                      const struct grantd_registration *r,
                                      const unsigned char old_hash[GRANTD_SHA256_LEN],
                                      int64_t now);
/* client_put's inserts (the row, the redirect URIs) inside the caller's write transaction
 * on c (sqlite_client.c). The wrapper checked cl (store_check.h). */
GRANTD_MUST_USE grantd_rc sqlite__client_insert(struct sq_conn *c,
                                                const struct grantd_client *cl);
/* client_update's writes inside the caller's write transaction on c (sqlite_admin.c);
 * cl->updated_at is the time stamped. */
GRANTD_MUST_USE grantd_rc sqlite__client_update_rows(struct sq_conn *c,
                                                     const struct grantd_client *cl);
grantd_rc sqlite__audit_begin(struct grantd_store *s);
grantd_rc sqlite__audit_end(struct grantd_store *s, const struct grantd_audit *e, grantd_rc rc);
grantd_rc sqlite__audit_list(struct grantd_store *s, struct grantd_arena *a,
                             const struct grantd_audit_query *q, struct grantd_audit **out,
                             size_t *count);
/* The id_token_alg a client row stores: NULL (RS256, the default) for NULL or ""
 * (sqlite_client.c). */
const char *sqlite__client_alg(const char *alg);
/* Inserts the redirect URIs of cl (its tenant and id), in order, inside the caller's write
 * transaction on c (sqlite_client.c; client_update replaces them with it). */
GRANTD_MUST_USE grantd_rc sqlite__client_put_uris(struct sq_conn *c,
                                                  const struct grantd_client *cl);

/* Moves the change sequence on inside the caller's write transaction on c (store.h,
 * "Changes"): every write operation that may change or remove a stored record calls it, or
 * runs a query flagged SQ_CHANGES through sqlite__write_query (sqlite_change.c). */
GRANTD_MUST_USE grantd_rc sqlite__changed(struct sq_conn *c);
/* Writes one snapshot of the database into path (missing or empty): VACUUM INTO
 * (sqlite_backup.c, which says why not the online backup API). */
grantd_rc sqlite__backup(struct grantd_store *s, const char *path, char *err, size_t errlen);
/* Inside the caller's write transaction on c: what client_set_disabled(1) does to the client
 * (tenant, id) (sqlite_purge.c): the flag, every family of its tokens and codes revoked, its
 * unused codes revoked, its consents deleted, the change sequence moved. GRANTD_ENOTFOUND
 * when there is no such client. client_delete runs it first. */
GRANTD_MUST_USE grantd_rc sqlite__client_revoke_all(struct sq_conn *c, const struct sq_id *key,
                                                    int64_t now_us);
/* How long a revoked_families row outlives its revocation at least (sqlite_purge.c). */
#define SQ_FAMILY_KEEP (24 * 3600)

#endif
