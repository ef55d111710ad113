/* The log_file setting of `grantd serve`: the JSON log lines (core/log.c writes them to
 * stderr) go to a file instead, and SIGHUP reopens it after a rotation. The file becomes
 * descriptor 2 (dup2), so every writer of stderr follows without knowing; a line being
 * written while it is reopened lands whole in the old file or the new one. Not here: the
 * lines' format (core/log.c), the audit log (audit_log.h). */
#ifndef GRANTD_CLI_LOG_FILE_H
#define GRANTD_CLI_LOG_FILE_H

#include <stddef.h>

#include "core/error.h"

/* Opens path for appending (created 0640) and makes it stderr. Used at start and at
 * SIGHUP. GRANTD_EIO with err naming path and the reason; stderr is then unchanged. */
GRANTD_MUST_USE grantd_rc grantd_log_file_open(const char *path, char *err, size_t errlen);

#endif
