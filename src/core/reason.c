/* The refusal reasons of a bearer token (reason.h): one table. */
#include "core/reason.h"

#include <string.h>

static const struct {
    const char *name, *error, *description;
    unsigned status;
} reasons[GRANTD_CHECK_REASON_COUNT] = {
    [GRANTD_CHECK_MISSING] = {"missing", NULL,
                              "an access token is required in the Authorization header", 401},
    [GRANTD_CHECK_INVALID] = {"invalid", "invalid_token", "the access token is not valid", 401},
    [GRANTD_CHECK_EXPIRED] = {"expired", "invalid_token", "the access token has expired", 401},
    [GRANTD_CHECK_REVOKED] = {"revoked", "invalid_token", "the access token has been revoked",
                              401},
    [GRANTD_CHECK_INSUFFICIENT_SCOPE] = {"insufficient_scope", "insufficient_scope",
                                         "the access token lacks a scope required", 403},
};

static unsigned idx(enum grantd_check_reason r)
{
    return (unsigned)r < GRANTD_CHECK_REASON_COUNT ? (unsigned)r : GRANTD_CHECK_INVALID;
}

const char *grantd_check_reason_name(enum grantd_check_reason r)
{
    return reasons[idx(r)].name;
}

int grantd_check_reason_parse(const char *name)
{
    for (int i = 0; i < GRANTD_CHECK_REASON_COUNT; i++)
        if (strcmp(reasons[i].name, name) == 0)
            return i;
    return -1;
}

unsigned grantd_check_reason_status(enum grantd_check_reason r)
{
    return reasons[idx(r)].status;
}

const char *grantd_check_reason_error(enum grantd_check_reason r)
{
    return reasons[idx(r)].error;
}

const char *grantd_check_reason_description(enum grantd_check_reason r)
{
    return reasons[idx(r)].description;
}
