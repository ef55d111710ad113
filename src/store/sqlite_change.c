/* The SQLite driver's change sequence (store.h, "Changes"): one row in the table changes
 * (sqlite_schema.c, version 7) that every write that moves it updates inside its own
 * transaction (sqlite__changed), and change_seq / change_wait, which other processes use to
 * learn that something changed.
 *
 * change_wait polls: every GRANTD_STORE_CHANGE_POLL_MS it asks its connection for PRAGMA
 * data_version, which changes when any other connection (of this process or another)
 * committed since the last ask and costs no read of the database, and it reads the
 * sequence only when that moved. Token inserts commit all the time and move the data
 * version, not the sequence, so under load the sequence is read at most once per poll. A
 * driver with notifications (PostgreSQL's LISTEN/NOTIFY) would block instead.
 *
 * Not here: which operations move the sequence (the record files call sqlite__changed), the
 * watcher that turns it into cache invalidation (watch.c). */
#include "store/sqlite_int.h"

#include <unistd.h>

static const struct sq_query bump = {SQ_CHANGE_BUMP,
                                     "UPDATE changes SET seq = seq + 1 WHERE id = 1", NULL,
                                     NULL, SQ_ONE_ROW};
static const struct sq_query read_seq = {SQ_CHANGE_SEQ, "SELECT seq FROM changes WHERE id = 1",
                                         NULL, sqlite__row_int64, 0};
static const struct sq_query data_version = {SQ_DATA_VERSION, "PRAGMA data_version", NULL,
                                             sqlite__row_int64, 0};

grantd_rc sqlite__changed(struct sq_conn *c)
{
    return sqlite__run(c, &bump, NULL);
}

static grantd_rc seq_on(struct sq_conn *c, uint64_t *out)
{
    int64_t v = 0;
    grantd_rc rc = sqlite__get(c, &read_seq, NULL, NULL, &v);
    *out = (uint64_t)v;
    return rc == GRANTD_ENOTFOUND ? GRANTD_ESTORE : rc; /* the row is made at migration */
}

grantd_rc sqlite__change_seq(struct grantd_store *s, uint64_t *out)
{
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    return rc == GRANTD_OK ? seq_on(c, out) : rc;
}

/* The time is counted in poll steps, not read: a step's work is a few microseconds against
 * its GRANTD_STORE_CHANGE_POLL_MS of sleep. */
grantd_rc sqlite__change_wait(struct grantd_store *s, uint64_t after, int timeout_ms,
                              uint64_t *out)
{
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    int64_t seen = 0, version = 0;
    if (rc == GRANTD_OK)
        rc = sqlite__get(c, &data_version, NULL, NULL, &seen);
    if (rc == GRANTD_OK)
        rc = seq_on(c, out);
    for (int waited = 0; rc == GRANTD_OK && *out <= after && waited < timeout_ms;) {
        int step = timeout_ms - waited < GRANTD_STORE_CHANGE_POLL_MS
                       ? timeout_ms - waited
                       : GRANTD_STORE_CHANGE_POLL_MS;
        usleep((useconds_t)step * 1000);
        waited += step;
        rc = sqlite__get(c, &data_version, NULL, NULL, &version);
        if (rc == GRANTD_OK && version != seen) {
            seen = version;
            rc = seq_on(c, out);
        }
    }
    return rc;
}
