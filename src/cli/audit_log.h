/* The audit log: a thread of `grantd serve` that appends every entry of the audit trail
 * (admin/audit.h) to the file the audit_log setting names, one JSON object per line (the
 * shape of `grantd audit list --json`), oldest first, whoever made the change: this server's
 * admin API, the CLI, another server on the same database. It follows the store, not the
 * requests, so nothing is written for a change that did not commit, and no change is missed
 * while another process makes it.
 *
 * Where it starts: after the entry of the file's last line (its seq), so a restart goes on
 * where the last run stopped; an empty or new file gets the whole trail. A file whose last
 * line is not an entry is refused at start (it is not this trail's copy). The file is
 * created 0600, only ever appended to (O_APPEND: rotate it by renaming and sending SIGHUP,
 * which reopens it and goes on with the next entry; a start with a new file writes the
 * trail from its start), and each batch is flushed to disk
 * (fdatasync). It polls every GRANTD_AUDIT_LOG_POLL_MS and drains once more at stop. */
#ifndef GRANTD_CLI_AUDIT_LOG_H
#define GRANTD_CLI_AUDIT_LOG_H

#include <stddef.h>

#include "store/store.h"

#define GRANTD_AUDIT_LOG_POLL_MS 200

struct grantd_audit_log;

/* Opens path and starts the thread. GRANTD_OK with *out set; else err says why (the file
 * cannot be opened or read, its last line is not an entry) and nothing runs. */
GRANTD_MUST_USE grantd_rc grantd_audit_log_start(struct grantd_store *s, const char *path,
                                                 struct grantd_audit_log **out, char *err,
                                                 size_t errlen);
/* SIGHUP, after the file was renamed (log rotation): opens path anew (created 0600) and
 * appends there from the next entry on; the entries already written stay in the renamed
 * file, none is written twice or lost. GRANTD_EIO (err says why) leaves the old file in use. */
GRANTD_MUST_USE grantd_rc grantd_audit_log_reopen(struct grantd_audit_log *l, const char *path,
                                                  char *err, size_t errlen);
/* Writes what the trail holds beyond the file, stops the thread and closes the file. NULL
 * is a no-op. */
void grantd_audit_log_stop(struct grantd_audit_log *l);

#endif
