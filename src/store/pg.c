/* The PostgreSQL storage driver (libpq): the URL, one connection per calling thread,
 * open/close, migrate/ping/hash_key, and the driver table that grantd_store_open finds under
 * the schemes "postgres" and "postgresql".
 *
 * URL: postgres://user[:password]@host[:port]/db[?libpq-parameters] (or postgresql://).
 * grantd_store_open hands the driver the URL without its scheme ("//user@host/db"); the
 * driver puts "postgresql:" back in front and gives the whole URI to libpq, which parses it
 * (percent-decoding, parameters such as sslmode). Only what error messages show is built
 * here: the URL with its password masked.
 *
 * Connections: every thread that calls an operation gets its own PGconn, made on first use
 * and found again through a pthread key owned by the store; when a thread exits its
 * connection goes back to the store's pool for the next thread. A connection that went
 * bad is made again (PQreset) at the next use, and pg__tx (pg_query.c) re-runs a
 * transaction once on the new connection; while the server stays down operations answer
 * GRANTD_EBUSY (HTTP 503). change_wait has one more connection of its own, which LISTENs
 * (pg_change.c). close() must run after every thread using the store has stopped.
 *
 * It has every operation of store.h; token_put_async is group commit on a writer thread of
 * the store's (pg_writer.c), closed first at close so that every queued write runs.
 *
 * Not here: statements, transactions, SQLSTATEs (pg_query.c), the schema (pg_schema.c),
 * record operations (pg_client.c, pg_user.c), the change sequence (pg_change.c). */
#include "store/pg_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/schema.h"

/* ---- the URL ---------------------------------------------------------------------------- */

grantd_rc pg__url(const char *target, char *out, size_t outlen, char *display,
                  size_t displaylen)
{
    if (!target || strncmp(target, "//", 2) != 0)
        return GRANTD_EINVAL;
    const char *auth = target + 2;
    const char *slash = strchr(auth, '/');
    if (!slash)
        return GRANTD_EINVAL; /* no database */
    const char *db_end = strchr(slash + 1, '?');
    size_t db_len = db_end ? (size_t)(db_end - slash - 1) : strlen(slash + 1);
    if (db_len == 0)
        return GRANTD_EINVAL;
    /* the last '@' of the authority ends the user info (a password may hold a raw '@') */
    const char *at = NULL;
    for (const char *p = auth; p < slash; p++) {
        if (*p == '@')
            at = p;
    }
    const char *host = at ? at + 1 : auth;
    if (host == slash || *host == ':')
        return GRANTD_EINVAL; /* no host: grantd never picks a socket by default */
    int n = snprintf(out, outlen, "postgresql:%s", target);
    if (n < 0 || (size_t)n >= outlen)
        return GRANTD_EINVAL;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon)
        n = snprintf(display, displaylen, "postgresql://%.*s:***%s", (int)(colon - auth), auth,
                     at);
    else
        n = snprintf(display, displaylen, "postgresql:%s", target);
    if (n < 0 || (size_t)n >= displaylen)
        return GRANTD_EINVAL;
    return GRANTD_OK;
}

/* ---- connections ------------------------------------------------------------------------ */

/* Server notices (a CREATE ... IF NOT EXISTS that found the thing) are not grantd's output. */
static void quiet(void *arg, const char *message)
{
}

void pg__hung(struct pg_store *st)
{
    atomic_store(&st->hung_until_us, grantd_clock_mono_us() + PG_HUNG_BACKOFF_MS * 1000LL);
}

/* Drives a connection started without blocking until it is made or failed, for at most
 * PG_QUERY_DEADLINE_MS in all (libpq's connect_timeout counts each attempt: with
 * sslmode=prefer a host that hangs costs two). 0 when the time ran out. */
static int connect_within(PGconn *db)
{
    int64_t until = grantd_clock_mono_us() + PG_QUERY_DEADLINE_MS * 1000LL;
    PostgresPollingStatusType poll_st = PGRES_POLLING_WRITING;
    while (poll_st != PGRES_POLLING_OK && poll_st != PGRES_POLLING_FAILED) {
        int64_t left = until - grantd_clock_mono_us();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = PQsocket(db),
                             .events = poll_st == PGRES_POLLING_READING ? POLLIN : POLLOUT};
        int n = poll(&pfd, 1, (int)((left + 999) / 1000));
        if (n < 0 && errno != EINTR)
            return 1; /* PQconnectPoll reports the failure */
        if (n > 0)
            poll_st = PQconnectPoll(db);
    }
    return 1;
}

/* The URL's connection, with PG_CONNECT_TIMEOUT_S unless the URL sets connect_timeout
 * (keywords before the expanded URL are defaults it overrides), made within
 * PG_QUERY_DEADLINE_MS: NULL when out of memory or the server did not answer in time (then
 * the store counts as hung for PG_HUNG_BACKOFF_MS, logged). */
PGconn *pg__connect(struct pg_store *st)
{
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const values[] = {PG_CONNECT_TIMEOUT_S, st->conninfo, NULL};
    PGconn *db = PQconnectStartParams(keys, values, 1);
    if (!db)
        return NULL;
    if (PQstatus(db) != CONNECTION_BAD && !connect_within(db)) {
        grantd_log(GRANTD_LOG_WARN, "store_busy", "{s:s,s:s,s:s,s:i}", "driver", "postgres",
                   "database", st->display, "message", "no answer while connecting",
                   "deadline_ms", PG_QUERY_DEADLINE_MS);
        PQfinish(db);
        pg__hung(st);
        return NULL;
    }
    PQsetNoticeProcessor(db, quiet, NULL);
    return db;
}

static void conn_free(struct pg_conn *c)
{
    if (!c)
        return;
    PQfinish(c->db);
    free(c);
}

/* pthread key destructor: the exiting thread's connection returns to the pool. */
static void conn_release(void *p)
{
    struct pg_conn *c = p;
    pthread_mutex_lock(&c->store->mu);
    c->in_use = 0;
    pthread_mutex_unlock(&c->store->mu);
}

grantd_rc pg__reconnect(struct pg_conn *c)
{
    PQfinish(c->db); /* a new connection, made within the deadline (PQreset could hang) */
    c->db = pg__connect(c->store);
    memset(c->prepared, 0, sizeof(c->prepared)); /* a new session has none */
    if (c->db && PQstatus(c->db) == CONNECTION_OK)
        return GRANTD_OK;
    if (c->db) /* a NULL one was logged by pg__connect */
        grantd_log(GRANTD_LOG_WARN, "store_busy", "{s:s,s:s,s:s}", "driver", "postgres",
                   "database", c->store->display, "message", PQerrorMessage(c->db));
    return GRANTD_EBUSY;
}

/* A new connection of st, in its pool and held by the calling thread (in_use). */
static struct pg_conn *conn_new(struct pg_store *st)
{
    struct pg_conn *c = grantd_xcalloc(1, sizeof(*c));
    c->store = st;
    c->db = pg__connect(st);
    c->in_use = 1;
    pthread_mutex_lock(&st->mu);
    c->next = st->conns;
    st->conns = c;
    pthread_mutex_unlock(&st->mu);
    pthread_setspecific(st->key, c);
    return c;
}

grantd_rc pg__conn(struct grantd_store *s, struct pg_conn **out)
{
    struct pg_store *st = (struct pg_store *)s;
    struct pg_conn *c = pthread_getspecific(st->key);
    if (!c) {
        pthread_mutex_lock(&st->mu);
        for (c = st->conns; c && c->in_use; c = c->next)
            ;
        if (c)
            c->in_use = 1;
        pthread_mutex_unlock(&st->mu);
        if (c)
            pthread_setspecific(st->key, c);
        else
            c = conn_new(st);
    }
    *out = c;
    /* a server that just failed to answer in time fails at once for a moment, rather than
     * each thread waiting out the deadline again */
    if (grantd_clock_mono_us() < atomic_load(&st->hung_until_us))
        return GRANTD_EBUSY;
    if (c->db && PQstatus(c->db) == CONNECTION_OK)
        return GRANTD_OK;
    return pg__reconnect(c);
}

/* ---- open / close ----------------------------------------------------------------------- */

static void pg_close(struct grantd_store *s)
{
    struct pg_store *st = (struct pg_store *)s;
    if (!st)
        return;
    pg__writer_close(st->writer); /* runs what is queued, on its thread's connection */
    if (st->have_key)
        pthread_key_delete(st->key);
    for (struct pg_conn *c = st->conns, *next; c; c = next) {
        next = c->next;
        conn_free(c);
    }
    PQfinish(st->listen);
    pthread_mutex_destroy(&st->mu);
    pthread_mutex_destroy(&st->listen_mu);
    free(st->conninfo);
    free(st->display);
    free(st);
}

static grantd_rc pg_open(const char *target, struct grantd_store **out, char *err,
                         size_t errlen)
{
    size_t cap = strlen(target ? target : "") + 32;
    char *conninfo = grantd_xmalloc(cap), *display = grantd_xmalloc(cap);
    if (pg__url(target, conninfo, cap, display, cap) != GRANTD_OK) {
        snprintf(err, errlen,
                 "invalid PostgreSQL URL (expected postgres://user[:password]@host[:port]/db)");
        free(conninfo);
        free(display);
        return GRANTD_EINVAL;
    }
    struct pg_store *st = grantd_xcalloc(1, sizeof(*st));
    st->conninfo = conninfo;
    st->display = display;
    pthread_mutex_init(&st->mu, NULL);
    pthread_mutex_init(&st->listen_mu, NULL);
    st->writer = pg__writer_new(st);
    if (pthread_key_create(&st->key, conn_release) != 0) {
        snprintf(err, errlen, "cannot create a thread key");
        pg_close(&st->base);
        return GRANTD_ESTORE;
    }
    st->have_key = 1;
    /* the first connection now: a wrong password or host is reported at open, by err
     * alone (the caller prints it; nothing is logged) */
    struct pg_conn *c = conn_new(st);
    if (!c->db || PQstatus(c->db) != CONNECTION_OK) {
        const char *why = c->db ? PQerrorMessage(c->db) : "no answer in time";
        size_t len = strcspn(why, "\n");
        snprintf(err, errlen, "cannot connect to %s: %.*s", display, (int)len, why);
        pthread_setspecific(st->key, NULL);
        pg_close(&st->base);
        return GRANTD_EBUSY;
    }
    *out = &st->base;
    return GRANTD_OK;
}

/* ---- migrate, ping, hash_key ------------------------------------------------------------ */

/* A migrated database answers its schema version: this grantd's, or a newer one whose
 * compatible-back-to number lets this grantd run (src/store/schema.h). */
static grantd_rc pg_ping(struct grantd_store *s)
{
    struct pg_conn *c;
    int version = 0, compat = 0, newest = pg__schema_newest();
    grantd_rc rc = pg__conn(s, &c);
    if (rc == GRANTD_OK)
        rc = pg__schema_state(c, &version, &compat);
    if (rc == GRANTD_OK && version < newest)
        rc = GRANTD_ESTORE;
    if (rc == GRANTD_OK && !grantd_schema_usable(newest, version, compat))
        rc = GRANTD_ESCHEMA;
    return rc;
}

static void bind_hash_key_name(struct pg_params *p, const void *arg)
{
    pg__text(p, 1, "hash_key");
}

static void hash_key_row(const PGresult *r, int row, struct grantd_arena *a, void *out)
{
    pg__col_hash(r, row, 0, out);
}

static const struct pg_query meta_hash_key = {
    PG_META_GET, "SELECT value FROM meta WHERE key = $1", bind_hash_key_name, hash_key_row, 0};

/* The key never changes after migration: read once, then served from memory. */
static grantd_rc pg_hash_key(struct grantd_store *s, unsigned char out[GRANTD_SHA256_LEN])
{
    static const unsigned char zero[GRANTD_SHA256_LEN];
    struct pg_store *st = (struct pg_store *)s;
    if (atomic_load_explicit(&st->key_loaded, memory_order_acquire)) {
        memcpy(out, st->hash_key, GRANTD_SHA256_LEN);
        return GRANTD_OK;
    }
    grantd_rc rc = pg__read(s, &meta_hash_key, NULL, NULL, out);
    if (rc == GRANTD_ENOTFOUND || (rc == GRANTD_OK && !memcmp(out, zero, sizeof(zero))))
        rc = GRANTD_ESTORE;
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

#define PG_DRIVER_OPS                                                                          \
    .version = GRANTD_STORE_API_VERSION, .open = pg_open, .close = pg_close,                   \
    .migrate = pg__schema_migrate, .ping = pg_ping, .hash_key = pg_hash_key,                   \
    .tenant_get = pg__tenant_get, .tenant_find = pg__tenant_find,                              \
    .tenant_list = pg__tenant_list, .tenant_put = pg__tenant_put,                              \
    .client_put = pg__client_put, .client_get = pg__client_get,                                \
    .client_list = pg__client_list, .client_list_owned = pg__client_list_owned,                \
    .client_set_disabled = pg__client_set_disabled,                                            \
    .client_set_secret = pg__client_set_secret,                                                \
    .client_rotate_secret = pg__client_rotate_secret, .client_delete = pg__client_delete,      \
    .client_update = pg__client_update, .user_put = pg__user_put, .user_find = pg__user_find,  \
    .user_get = pg__user_get, .user_list = pg__user_list,                                      \
    .user_set_password = pg__user_set_password, .user_set_disabled = pg__user_set_disabled,    \
    .user_update = pg__user_update, .session_put = pg__session_put,                            \
    .session_get = pg__session_get, .session_delete = pg__session_delete,                      \
    .consent_get = pg__consent_get, .consent_put = pg__consent_put,                            \
    .consent_list = pg__consent_list, .code_put = pg__code_put,                                \
    .code_consume = pg__code_consume, .code_consume_async = pg__code_consume_async,            \
    .refresh_rotate_async = pg__refresh_rotate_async,                                          \
    .token_put = pg__token_put,                                                                \
    .token_put_async = pg__token_put_async, .token_get = pg__token_get,                        \
    .token_revoke_family = pg__token_revoke_family, .token_revoke = pg__token_revoke,          \
    .token_revoke_at = pg__token_revoke_at, .refresh_rotate = pg__refresh_rotate,              \
    .key_put = pg__key_put, .key_list = pg__key_list, .key_rotate = pg__key_rotate,            \
    .key_retire = pg__key_retire, .revocations_since = pg__revocations_since,                  \
    .revocations_floor = pg__revocations_floor, .revocations_purge = pg__revocations_purge,    \
    .consent_revoke = pg__consent_revoke, .purge_expired = pg__purge_expired,                  \
    .admin_key_put = pg__admin_key_put, .admin_key_find = pg__admin_key_find,                  \
    .admin_key_list = pg__admin_key_list, .admin_key_revoke = pg__admin_key_revoke,            \
    .registration_token_put = pg__registration_token_put,                                      \
    .registration_token_find = pg__registration_token_find,                                    \
    .registration_put = pg__registration_put, .registration_get = pg__registration_get,        \
    .registration_rotate = pg__registration_rotate, .audit_begin = pg__audit_begin,            \
    .audit_end = pg__audit_end, .audit_list = pg__audit_list,                                  \
    .change_seq = pg__change_seq, .change_wait = pg__change_wait,                              \
    .limit_add = pg__limit_add, .limit_clear = pg__limit_clear

/* The same driver under both schemes libpq accepts. */
const struct grantd_store_driver grantd_pg_driver = {.scheme = "postgres", PG_DRIVER_OPS};
const struct grantd_store_driver grantd_postgresql_driver = {.scheme = "postgresql",
                                                             PG_DRIVER_OPS};
