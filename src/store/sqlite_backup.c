/* The SQLite driver's backup operation (`grantd backup`): one VACUUM INTO of the calling
 * thread's read connection into a file the caller prepared.
 *
 * Why VACUUM INTO rather than SQLite's online backup API: VACUUM INTO reads the whole
 * database inside one read transaction, so the copy is one snapshot however hard a server
 * writes meanwhile (in WAL mode a reader never blocks the writer, nor the writer it), and it
 * is one statement. The backup API copies pages in steps and starts over whenever another
 * process commits between two steps, so under a steady token load a stepped copy may never
 * finish, and a copy in one step is the same single read transaction with more code. The
 * copy VACUUM INTO writes is also compacted (no free pages).
 *
 * Not here: where the copy goes, its mode, the rename into place, fsync and the master key
 * (src/cli/backup.c); the rest of the driver (sqlite.c). */
#include "store/sqlite_int.h"

#include <stdio.h>

grantd_rc sqlite__backup(struct grantd_store *s, const char *path, char *err, size_t errlen)
{
    struct sq_store *st = (struct sq_store *)s;
    struct sq_conn *c;
    grantd_rc rc = sqlite__conn(s, &c);
    if (rc != GRANTD_OK) {
        snprintf(err, errlen, "cannot read database %s: %s", st->display, grantd_strerror(rc));
        return rc;
    }
    sqlite3_stmt *stmt = NULL;
    int r = sqlite3_prepare_v2(c->db, "VACUUM INTO ?1", -1, &stmt, NULL);
    if (r == SQLITE_OK)
        r = sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
    if (r == SQLITE_OK)
        r = sqlite3_step(stmt);
    if (r == SQLITE_DONE) {
        rc = GRANTD_OK;
    } else {
        snprintf(err, errlen, "cannot copy database %s to %s: %s", st->display, path,
                 sqlite3_errmsg(c->db));
        rc = (r & 0xff) == SQLITE_BUSY ? GRANTD_EBUSY : GRANTD_ESTORE;
    }
    sqlite3_finalize(stmt);
    return rc;
}
