/* grantd internal failure codes (curl's CURLcode pattern).
 *
 * Every fallible function returns a grantd_rc. These are *internal* outcomes; OAuth protocol
 * outcomes such as invalid_grant are values of enum grantd_oauth_error (oauth/errors.h), not
 * failures. Only http/response.c maps these codes to HTTP statuses. */
#ifndef GRANTD_CORE_ERROR_H
#define GRANTD_CORE_ERROR_H

#define GRANTD_MUST_USE __attribute__((warn_unused_result))

typedef enum grantd_rc {
    GRANTD_OK = 0,
    GRANTD_ENOTFOUND,   /* the thing asked for does not exist (or a parameter is absent/empty) */
    GRANTD_EEXIST,      /* a unique key is already taken */
    GRANTD_EINVAL,      /* malformed input */
    GRANTD_ETOOBIG,     /* input over a named cap */
    GRANTD_EREPEATED,   /* given more than once: a parameter or a JSON member */
    GRANTD_ECONFLICT,   /* a compare-and-swap lost (already consumed, rotated, ...) */
    GRANTD_ESTORE,      /* the storage backend failed */
    GRANTD_EBUSY,       /* the storage backend is busy or unavailable; retry later */
    GRANTD_ESCHEMA,     /* the database schema is newer than this binary */
    GRANTD_ECRYPTO,     /* a cryptographic primitive failed */
    GRANTD_ECONFIG,     /* configuration is invalid */
    GRANTD_EIO,         /* an operating-system call failed */
    GRANTD_ENOTSUP,     /* the operation is not offered (a store driver without it) */
    GRANTD_EREPLAYED,   /* a single-use thing (an authorization code) was presented again */
    GRANTD_EREFUSED,    /* not a failure: a protocol rule refused the request, and the
                           struct grantd_refusal the caller passed says how (oauth/errors.h) */
    GRANTD_RC_COUNT
} grantd_rc;

/* A short English description of rc; never NULL, static storage. */
const char *grantd_strerror(grantd_rc rc);

#endif
