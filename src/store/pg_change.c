/* The PostgreSQL driver's change sequence (store.h, "Changes"): the one row of the table
 * changes (pg_schema.c) that every write that moves it updates inside its own transaction
 * (pg__changed), which also NOTIFYs the channel grantd_changes with the new value; and
 * change_seq / change_wait, which other processes use to learn that something changed.
 *
 * A NOTIFY is delivered when its transaction commits, and only then, so a listener woken
 * by it reads a sequence that includes the write. change_wait waits on a connection of its
 * own that LISTENs (made on first use, one waiter at a time): it reads the sequence, and
 * while it is not past `after` sleeps in poll() on the connection's socket until a
 * notification arrives or FALLBACK_MS pass, then reads it again. A notification wakes it at
 * once (well within GRANTD_STORE_CHANGE_POLL_MS); the read after a quiet FALLBACK_MS is
 * what keeps change_wait right should a notification never come, at four reads a second
 * of an idle server rather than SQLite's fifty polls. A broken listening
 * connection is made again on the next call; meanwhile change_wait answers GRANTD_EBUSY.
 *
 * Not here: which operations move the sequence (the record files call pg__changed), the
 * watcher that turns it into cache invalidation (watch.c). */
#include "store/pg_int.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

#define FALLBACK_MS 250

/* One statement: the bump and the NOTIFY of its value. */
static const struct pg_query bump = {
    PG_CHANGE_BUMP,
    "WITH c AS (UPDATE changes SET seq = seq + 1 WHERE id = 1 RETURNING seq) "
    "SELECT pg_notify('" PG_CHANNEL "', seq::text) FROM c",
    NULL, NULL, PG_ONE_ROW};
static const struct pg_query read_seq = {PG_CHANGE_SEQ, "SELECT seq FROM changes WHERE id = 1",
                                         NULL, pg__row_int64, 0};

grantd_rc pg__changed(struct pg_conn *c)
{
    grantd_rc rc = pg__run(c, &bump, NULL);
    return rc == GRANTD_ENOTFOUND ? GRANTD_ESTORE : rc; /* the row is made at migration */
}

grantd_rc pg__change_seq(struct grantd_store *s, uint64_t *out)
{
    int64_t v = 0;
    grantd_rc rc = pg__read(s, &read_seq, NULL, NULL, &v);
    *out = (uint64_t)v;
    return rc == GRANTD_ENOTFOUND ? GRANTD_ESTORE : rc;
}

/* The sequence read on the listening connection (a plain query: this connection keeps no
 * prepared statements). */
static grantd_rc listen_seq(PGconn *db, uint64_t *out)
{
    PGresult *r = PQexec(db, "SELECT seq FROM changes WHERE id = 1");
    grantd_rc rc = GRANTD_ESTORE;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        *out = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
        rc = GRANTD_OK;
    } else if (PQstatus(db) != CONNECTION_OK) {
        rc = GRANTD_EBUSY;
    }
    PQclear(r);
    return rc;
}

/* st->listen, made (and LISTENing) when it is missing or broken; NULL when the server
 * cannot be reached. Called under listen_mu. */
static PGconn *listener(struct pg_store *st)
{
    if (st->listen && PQstatus(st->listen) == CONNECTION_OK)
        return st->listen;
    PQfinish(st->listen);
    st->listen = pg__connect(st);
    PGresult *r = PQexec(st->listen, "LISTEN " PG_CHANNEL);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        PQfinish(st->listen);
        st->listen = NULL;
    }
    return st->listen;
}

/* Drops the notifications that arrived (their payloads are not needed: the sequence is
 * read after them). 0 when the connection failed. */
static int drain(PGconn *db)
{
    if (!PQconsumeInput(db))
        return 0;
    PGnotify *n;
    while ((n = PQnotifies(db)) != NULL)
        PQfreemem(n);
    return 1;
}

grantd_rc pg__change_wait(struct grantd_store *s, uint64_t after, int timeout_ms, uint64_t *out)
{
    struct pg_store *st = (struct pg_store *)s;
    pthread_mutex_lock(&st->listen_mu);
    PGconn *db = listener(st);
    grantd_rc rc = db ? GRANTD_OK : GRANTD_EBUSY;
    if (rc == GRANTD_OK) {
        drain(db);
        rc = listen_seq(db, out);
    }
    /* real time: a jump of the test clock must not end a wait early */
    int64_t end = grantd_clock_real_mono_us() + (int64_t)timeout_ms * 1000;
    while (rc == GRANTD_OK && *out <= after) {
        int64_t left = (end - grantd_clock_real_mono_us()) / 1000;
        if (left <= 0)
            break;
        struct pollfd pfd = {.fd = PQsocket(db), .events = POLLIN};
        int wait = left < FALLBACK_MS ? (int)left : FALLBACK_MS;
        if (poll(&pfd, 1, wait) > 0 && !drain(db)) {
            rc = GRANTD_EBUSY;
            break;
        }
        rc = listen_seq(db, out);
    }
    pthread_mutex_unlock(&st->listen_mu);
    return rc;
}
