/* log_file (log_file.h): open, then dup2 onto descriptor 2. */
#include "cli/log_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

grantd_rc grantd_log_file_open(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        snprintf(err, errlen, "log_file %s: %s", path, strerror(errno));
        return GRANTD_EIO;
    }
    int ok = dup2(fd, STDERR_FILENO) >= 0;
    if (!ok)
        snprintf(err, errlen, "log_file %s: %s", path, strerror(errno));
    close(fd);
    return ok ? GRANTD_OK : GRANTD_EIO;
}
