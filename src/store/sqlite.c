/* The SQLite storage driver: opening a store, one connection per thread for reads,
 * migrate/ping/hash_key, and the driver table that grantd_store_open finds under the scheme
 * "sqlite".
 *
 * It is not the statements, transactions and result codes (sqlite_query.c), the schema
 * (sqlite_schema.c), the write path (sqlite_writer.c) nor the record operations
 * (sqlite_client.c, sqlite_user.c, sqlite_session.c, sqlite_code.c, sqlite_purge.c,
 * sqlite_key.c), nor the backup (sqlite_backup.c), and it never sees HTTP.
 *
 * Threads: SQLite connections here are opened with SQLITE_OPEN_NOMUTEX, so each one is used
 * by one thread at a time. Every thread that reads gets its own connection, found again
 * through a pthread key owned by the store, with its prepared statements. When a thread
 * exits its connection goes back to the store's pool for the next thread. Writes do not use
 * these connections: every write operation of the process is queued to the store's one
 * writer connection and committed in batches (sqlite_writer.c). close() must run after
 * every thread using the store has stopped using it.
 *
 * Files: created 0600 before SQLite opens them (SQLite gives its -wal and -shm files the
 * main file's mode), WAL journal, synchronous=NORMAL, foreign keys on, savepoint journals in
 * memory (temp_store), and a busy handler that waits up to 5 s in steps of tens of
 * microseconds. SQLite's own busy_timeout sleeps 1 ms and more per step, which turns a
 * microseconds-long lock wait into milliseconds (measured: 2,600 code exchanges/s). No
 * locking_mode=EXCLUSIVE: the CLI writes to the database while a server runs. No mmap
 * either: the database grows with every token, and each connection then unmaps and maps
 * the file again (measured: page-table work took 10 % of the server's time and halved the
 * code exchanges per second).
 *
 * ":memory:" stores use SQLite's memdb VFS under a process-wide name ("/grantd-mem-N"),
 * which every connection of the store shares. Not a shared-cache database: shared cache
 * locks per table and answers SQLITE_LOCKED without calling the busy handler, so threads
 * would fail instead of waiting; memdb takes ordinary database locks and honours the busy
 * timeout. Connections stay open until close(), so the database lives as long as the store.
 */
#include "store/sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/schema.h"

#define BUSY_TIMEOUT_MS 5000
/* KiB of page cache per connection (SQLite's default is 2 MiB): lookups by key need the
 * interior pages and one leaf, and every connection of a server keeps its own copy, so a
 * small cache keeps the resident size down (bench/README.md: peak RSS under load). */
#define READER_CACHE "-1024"
#define ERR_LEN 256

extern const struct grantd_store_driver grantd_sqlite_driver;

static atomic_uint mem_counter;

/* ---- connections ---------------------------------------------------------------------- */

void sqlite__conn_free(struct sq_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < SQ_STMT_COUNT; i++)
        sqlite3_finalize(c->stmts[i]);
    sqlite3_close(c->db);
    free(c);
}

static int busy_wait(void *arg, int count)
{
    struct sq_conn *c = arg;
    /* real time: a jump of the test clock must not end a wait early (a spurious EBUSY) */
    int64_t now = grantd_clock_real_mono_us();
    if (count == 0)
        c->busy_since_us = now;
    if (now - c->busy_since_us > (int64_t)BUSY_TIMEOUT_MS * 1000)
        return 0;
    usleep(count < 20 ? 20 : count < 200 ? 100 : 1000);
    return 1;
}

grantd_rc sqlite__conn_open(struct sq_store *st, struct sq_conn **out, char *err,
                                  size_t errlen)
{
    grantd_rc rc = GRANTD_ESTORE;
    sqlite3 *db = NULL;
    int r = sqlite3_open_v2(st->target, &db, st->open_flags, NULL);
    if (r != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", st->display,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(r));
        goto out;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS); /* until busy_wait takes over below */
    r = sqlite3_exec(db,
                     "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                     "PRAGMA temp_store = MEMORY; PRAGMA cache_size = " READER_CACHE ";",
                     NULL, NULL, NULL);
    if (r != SQLITE_OK) {
        snprintf(err, errlen, "cannot configure database %s: %s", st->display,
                 sqlite3_errmsg(db));
        rc = (r & 0xff) == SQLITE_BUSY ? GRANTD_EBUSY : GRANTD_ESTORE;
        goto out;
    }
    struct sq_conn *c = grantd_xcalloc(1, sizeof(*c));
    c->store = st;
    sqlite3_busy_handler(db, busy_wait, c);
    c->db = db;
    db = NULL;
    *out = c;
    rc = GRANTD_OK;
out:
    sqlite3_close(db);
    return rc;
}

/* pthread key destructor: the exiting thread's connection returns to the pool. */
static void conn_release(void *p)
{
    struct sq_conn *c = p;
    pthread_mutex_lock(&c->store->mu);
    c->in_use = 0;
    pthread_mutex_unlock(&c->store->mu);
}

static struct sq_conn *conn_take_free(struct sq_store *st)
{
    struct sq_conn *c;
    pthread_mutex_lock(&st->mu);
    for (c = st->conns; c && c->in_use; c = c->next)
        ;
    if (c)
        c->in_use = 1;
    pthread_mutex_unlock(&st->mu);
    return c;
}

grantd_rc sqlite__conn(struct grantd_store *s, struct sq_conn **out)
{
    struct sq_store *st = (struct sq_store *)s;
    struct sq_conn *c = pthread_getspecific(st->key);
    if (c) {
        *out = c;
        return GRANTD_OK;
    }
    c = conn_take_free(st);
    if (!c) {
        char err[ERR_LEN];
        grantd_rc rc = sqlite__conn_open(st, &c, err, sizeof(err));
        if (rc != GRANTD_OK) {
            grantd_log(GRANTD_LOG_ERROR, "store_error", "{s:s,s:s}", "driver", "sqlite",
                       "message", err);
            return rc;
        }
        pthread_mutex_lock(&st->mu);
        c->in_use = 1;
        c->next = st->conns;
        st->conns = c;
        pthread_mutex_unlock(&st->mu);
    }
    if (pthread_setspecific(st->key, c) != 0) {
        conn_release(c);
        return GRANTD_ESTORE;
    }
    *out = c;
    return GRANTD_OK;
}

/* ---- open / close --------------------------------------------------------------------- */

static void sq_close(struct grantd_store *s)
{
    struct sq_store *st = (struct sq_store *)s;
    if (!st)
        return;
    if (st->have_key)
        pthread_key_delete(st->key);
    sqlite__writer_close(&st->writer);
    struct sq_conn *c = st->conns;
    while (c) {
        struct sq_conn *next = c->next;
        sqlite__conn_free(c);
        c = next;
    }
    pthread_mutex_destroy(&st->mu);
    free(st->target);
    free(st->display);
    free(st);
}

/* Creates the file with mode 0600 when missing, so SQLite never creates it with umask
 * defaults; an existing file keeps its mode. A missing folder is said in words: ENOENT's
 * "No such file or directory" reads as if the file were missing, which O_CREAT handles. */
static grantd_rc create_file(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    const char *slash = strrchr(path, '/');
    if (fd < 0 && errno == ENOENT && slash && slash != path) {
        snprintf(err, errlen, "cannot open database %s: folder %.*s does not exist", path,
                 (int)(slash - path), path);
        return GRANTD_ESTORE;
    }
    if (fd < 0) {
        snprintf(err, errlen, "cannot open database %s: %s", path, strerror(errno));
        return GRANTD_ESTORE;
    }
    close(fd);
    return GRANTD_OK;
}

/* Fills in what sqlite3_open_v2 opens for target. */
static grantd_rc store_target(struct sq_store *st, const char *target, char *err, size_t errlen)
{
    st->open_flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (strcmp(target, ":memory:") == 0) {
        unsigned n = atomic_fetch_add(&mem_counter, 1u);
        char uri[64];
        snprintf(uri, sizeof(uri), "file:/grantd-mem-%u?vfs=memdb", n);
        st->target = grantd_xstrdup(uri);
        st->display = grantd_xstrdup(":memory:");
        st->open_flags |= SQLITE_OPEN_URI;
        return GRANTD_OK;
    }
    st->target = grantd_xstrdup(target);
    st->display = grantd_xstrdup(target);
    return create_file(target, err, errlen);
}

/* The first connection: WAL for files, and a first read that fails now on a file that is
 * not a database. Switching a new file to WAL takes an exclusive lock, and when several
 * processes open the same new file at once SQLite answers SQLITE_BUSY at once rather than
 * call the busy handler (two readers that both want to upgrade could deadlock): such a
 * switch is tried again every millisecond for as long as the busy timeout. */
static grantd_rc first_conn(struct sq_store *st, char *err, size_t errlen)
{
    struct sq_conn *c = NULL;
    grantd_rc rc = sqlite__conn_open(st, &c, err, errlen);
    if (rc != GRANTD_OK)
        return rc;
    st->conns = c;
    const char *sql = (st->open_flags & SQLITE_OPEN_URI) ? "PRAGMA user_version"
                                                         : "PRAGMA journal_mode = WAL";
    int r = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    for (int tries = 0; (r & 0xff) == SQLITE_BUSY && tries < BUSY_TIMEOUT_MS; tries++) {
        usleep(1000);
        r = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    }
    if (r != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", st->display, sqlite3_errmsg(c->db));
        rc = (r & 0xff) == SQLITE_BUSY ? GRANTD_EBUSY : GRANTD_ESTORE;
    }
    return rc;
}

/* Process-wide SQLite settings, before SQLite initializes itself. Memory statistics off:
 * with them on, every allocation of every connection takes one global mutex (SQLite's
 * documentation), and grantd never reads them. No measurable change on its own here: the
 * futex calls seen under strace stayed at ~1.3 a request. If something initialized SQLite
 * earlier, sqlite3_config refuses and nothing changes. */
static void sqlite_global_config(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static grantd_rc sq_open(const char *target, struct grantd_store **out, char *err,
                         size_t errlen)
{
    pthread_once(&global_once, sqlite_global_config);
    if (!target || !*target) {
        snprintf(err, errlen, "database URL has no path (expected sqlite:PATH or sqlite::memory:)");
        return GRANTD_EINVAL;
    }
    struct sq_store *st = grantd_xcalloc(1, sizeof(*st));
    st->base.driver = &grantd_sqlite_driver;
    pthread_mutex_init(&st->mu, NULL);
    sqlite__writer_init(&st->writer);
    atomic_init(&st->key_loaded, 0);
    grantd_rc rc = GRANTD_ESTORE;
    if (pthread_key_create(&st->key, conn_release) != 0) {
        snprintf(err, errlen, "cannot open database %s: out of thread keys", target);
        goto out;
    }
    st->have_key = 1;
    rc = store_target(st, target, err, errlen);
    if (rc != GRANTD_OK)
        goto out;
    rc = first_conn(st, err, errlen);
    if (rc != GRANTD_OK)
        goto out;
    *out = &st->base;
    st = NULL;
out:
    sq_close(st ? &st->base : NULL);
    return rc;
}

/* ---- migrate, ping, hash_key ------------------------------------------------------------ */

static grantd_rc sq_migrate(struct grantd_store *s, int64_t now, int *from, int *to)
{
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK)
        return rc;
    return sqlite__schema_migrate(c, now, from, to);
}

/* A migrated database answers its schema version: this grantd's, or a newer one whose
 * compatible-back-to number lets this grantd run (src/store/schema.h); and, once a write
 * failed for want of space or write access, whether it takes writes again. */
static grantd_rc sq_ping(struct grantd_store *s)
{
    struct sq_conn *c;
    int version = 0, compat = 0, newest = sqlite__schema_newest();
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc == GRANTD_OK)
        rc = sqlite__schema_state(c, &version, &compat);
    if (rc == GRANTD_OK && version < newest)
        rc = GRANTD_ESTORE;
    if (rc == GRANTD_OK && !grantd_schema_usable(newest, version, compat))
        rc = GRANTD_ESCHEMA;
    if (rc == GRANTD_OK)
        rc = sqlite__write_probe(s); /* reads work on a full disk: can it take writes? */
    return rc;
}

static int bind_hash_key_name(sqlite3_stmt *st, const void *arg)
{
    return sqlite__bind_text(st, 1, "hash_key");
}

static void hash_key_row(sqlite3_stmt *st, struct grantd_arena *a, void *out)
{
    sqlite__col_hash(st, 0, out);
}

static const struct sq_query meta_hash_key = {
    SQ_META_GET, "SELECT value FROM meta WHERE key = ?1", bind_hash_key_name, hash_key_row, 0};

/* Reads the key from the meta table of the calling thread's connection. GRANTD_ESTORE when
 * the database is not migrated or holds no 32-byte key. */
static grantd_rc read_hash_key(struct grantd_store *s, unsigned char out[GRANTD_SHA256_LEN])
{
    static const unsigned char zero[GRANTD_SHA256_LEN];
    grantd_rc rc = sqlite__read(s, &meta_hash_key, NULL, NULL, out);
    if (rc == GRANTD_ENOTFOUND || (rc == GRANTD_OK && !memcmp(out, zero, sizeof(zero))))
        rc = GRANTD_ESTORE;
    return rc;
}

/* The key never changes after migration, so it is read once and then served from memory
 * without a lock (the flag is published with release after the bytes are written). */
static grantd_rc sq_hash_key(struct grantd_store *s, unsigned char out[GRANTD_SHA256_LEN])
{
    struct sq_store *st = (struct sq_store *)s;
    if (atomic_load_explicit(&st->key_loaded, memory_order_acquire)) {
        memcpy(out, st->hash_key, GRANTD_SHA256_LEN);
        return GRANTD_OK;
    }
    grantd_rc rc = read_hash_key(s, out);
    if (rc != GRANTD_OK)
        return rc;
    pthread_mutex_lock(&st->mu);
    if (!atomic_load_explicit(&st->key_loaded, memory_order_relaxed)) {
        memcpy(st->hash_key, out, GRANTD_SHA256_LEN);
        atomic_store_explicit(&st->key_loaded, 1, memory_order_release);
    }
    pthread_mutex_unlock(&st->mu);
    return GRANTD_OK;
}

const struct grantd_store_driver grantd_sqlite_driver = {
    .version = GRANTD_STORE_API_VERSION,
    .scheme = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .migrate = sq_migrate,
    .ping = sq_ping,
    .hash_key = sq_hash_key,
    .tenant_get = sqlite__tenant_get,
    .tenant_find = sqlite__tenant_find,
    .client_put = sqlite__client_put,
    .client_get = sqlite__client_get,
    .client_list = sqlite__client_list,
    .client_set_disabled = sqlite__client_set_disabled,
    .client_set_secret = sqlite__client_set_secret,
    .client_delete = sqlite__client_delete,
    .user_put = sqlite__user_put,
    .user_find = sqlite__user_find,
    .user_list = sqlite__user_list,
    .user_set_password = sqlite__user_set_password,
    .user_set_disabled = sqlite__user_set_disabled,
    .tenant_put = sqlite__tenant_put,
    .tenant_list = sqlite__tenant_list,
    .user_get = sqlite__user_get,
    .session_put = sqlite__session_put,
    .session_get = sqlite__session_get,
    .session_delete = sqlite__session_delete,
    .consent_get = sqlite__consent_get,
    .consent_put = sqlite__consent_put,
    .code_put = sqlite__code_put,
    .code_consume = sqlite__code_consume,
    .token_put = sqlite__token_put,
    .token_put_async = sqlite__token_put_async,
    .token_get = sqlite__token_get,
    .token_revoke_family = sqlite__token_revoke_family,
    .refresh_rotate = sqlite__refresh_rotate,
    .token_revoke = sqlite__token_revoke,
    .purge_expired = sqlite__purge_expired,
    .key_put = sqlite__key_put,
    .key_list = sqlite__key_list,
    .key_rotate = sqlite__key_rotate,
    .change_seq = sqlite__change_seq,
    .change_wait = sqlite__change_wait,
    .revocations_since = sqlite__revocations_since,
    .token_revoke_at = sqlite__token_revoke_at,
    .key_retire = sqlite__key_retire,
    .revocations_floor = sqlite__revocations_floor,
    .revocations_purge = sqlite__revocations_purge,
    .client_update = sqlite__client_update,
    .client_rotate_secret = sqlite__client_rotate_secret,
    .user_update = sqlite__user_update,
    .admin_key_put = sqlite__admin_key_put,
    .admin_key_find = sqlite__admin_key_find,
    .admin_key_list = sqlite__admin_key_list,
    .admin_key_revoke = sqlite__admin_key_revoke,
    .registration_token_put = sqlite__registration_token_put,
    .registration_token_find = sqlite__registration_token_find,
    .registration_put = sqlite__registration_put,
    .registration_get = sqlite__registration_get,
    .registration_rotate = sqlite__registration_rotate,
    .audit_begin = sqlite__audit_begin,
    .audit_end = sqlite__audit_end,
    .audit_list = sqlite__audit_list,
    .consent_list = sqlite__consent_list,
    .client_list_owned = sqlite__client_list_owned,
    .consent_revoke = sqlite__consent_revoke,
    .backup = sqlite__backup,
    .limit_add = sqlite__limit_add,
    .limit_clear = sqlite__limit_clear,
};
