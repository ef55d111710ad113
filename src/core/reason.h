/* Why a bearer token is refused: the vocabulary /check answers with (X-Grantd-Reason), a
 * profile's API errors are indexed by (profile.api_errors), and the verification library
 * and revocation feed will share. Pure functions; nothing here reads a token.
 *
 *   missing             no Bearer token in the Authorization header
 *   invalid             unknown, malformed, not an access token (a refresh token), another
 *                       issuer's, of a client that no longer exists, or not meant for the
 *                       audience required
 *   expired             past its expiry
 *   revoked             revoked, rotated, of a revoked family, or its client or user disabled
 *   insufficient_scope  live, but without every scope required */
#ifndef GRANTD_CORE_REASON_H
#define GRANTD_CORE_REASON_H

enum grantd_check_reason {
    GRANTD_CHECK_MISSING,
    GRANTD_CHECK_INVALID,
    GRANTD_CHECK_EXPIRED,
    GRANTD_CHECK_REVOKED,
    GRANTD_CHECK_INSUFFICIENT_SCOPE,
    GRANTD_CHECK_REASON_COUNT
};

/* "missing", "invalid", "expired", "revoked", "insufficient_scope". */
const char *grantd_check_reason_name(enum grantd_check_reason r);
/* The reason called name, or -1. */
int grantd_check_reason_parse(const char *name);
/* RFC 6750 §3.1: 403 for insufficient_scope, 401 for the others. */
unsigned grantd_check_reason_status(enum grantd_check_reason r);
/* The challenge's error attribute: NULL for missing (RFC 6750 §3.1: no error when no token
 * was sent), "insufficient_scope", else "invalid_token". */
const char *grantd_check_reason_error(enum grantd_check_reason r);
/* A sentence for error_description ("the access token has expired"). */
const char *grantd_check_reason_description(enum grantd_check_reason r);

#endif
