/* grantd_strerror: the one table of internal failure descriptions. */
#include "core/error.h"

static const char *const messages[GRANTD_RC_COUNT] = {
    [GRANTD_OK] = "ok",
    [GRANTD_ENOTFOUND] = "not found",
    [GRANTD_EEXIST] = "already exists",
    [GRANTD_EINVAL] = "invalid input",
    [GRANTD_ETOOBIG] = "input too large",
    [GRANTD_EREPEATED] = "repeated parameter",
    [GRANTD_ECONFLICT] = "conflicting update",
    [GRANTD_ESTORE] = "storage failure",
    [GRANTD_EBUSY] = "storage busy",
    [GRANTD_ESCHEMA] = "database schema is newer than this grantd",
    [GRANTD_ECRYPTO] = "cryptographic failure",
    [GRANTD_ECONFIG] = "invalid configuration",
    [GRANTD_EIO] = "system call failed",
    [GRANTD_ENOTSUP] = "operation not supported",
    [GRANTD_EREPLAYED] = "used more than once",
    [GRANTD_EREFUSED] = "refused by a protocol rule",
};

const char *grantd_strerror(grantd_rc rc)
{
    if ((unsigned)rc >= GRANTD_RC_COUNT)
        return "unknown error";
    return messages[rc];
}
