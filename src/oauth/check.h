/* Checking a bearer token for a proxy in front of an API (/check, check.c): is it a live
 * access token of this issuer with every scope and the audience required, and if not, why
 * not (core/reason.h). The verdict is a value, so the verification library and the
 * revocation feed can share its vocabulary; only check.c's endpoints write HTTP. */
#ifndef GRANTD_OAUTH_CHECK_H
#define GRANTD_OAUTH_CHECK_H

#include <stddef.h>

#include "core/config.h"
#include "core/reason.h"
#include "http/request.h"
#include "oauth/token_cache.h"

/* What a proxy requires of a token. */
struct grantd_check_need {
    const char *const *scopes; /* every one of them; may be empty */
    size_t scope_count;
    const char *audience;      /* NULL: any */
};

struct grantd_check {
    int ok;                          /* 1: the token passes */
    enum grantd_check_reason reason; /* when not ok */
    struct grantd_token_facts f;     /* the token's facts, when it was found */
};

/* Checks token text (NULL: none was sent) for req->iss against need, into *out. Opaque
 * tokens and stored JWTs by their record (through the token cache, which a revocation
 * empties at once), self-contained JWTs by their signature and client (token_find.h);
 * either way the client must still exist (else invalid) and be enabled (else revoked).
 * A token issued for resources (RFC 8707) meets an audience requirement naming one of them,
 * JWT or opaque alike (its stored audience, or a self-contained JWT's aud); one issued for
 * none meets only the issuer's URL, and only as a JWT (whose aud it is): an opaque one is
 * invalid, as RFC 8707 §2 and RFC 9068 §4 have a resource server refuse a token not meant
 * for it. This is the one judge of an access token: /userinfo's bearer check (bearer.h)
 * asks it too. GRANTD_OK with the verdict in *out; other codes are store failures. */
GRANTD_MUST_USE grantd_rc grantd_check_token(struct grantd_request *req, const char *text,
                                             const struct grantd_check_need *need,
                                             struct grantd_check *out);

/* What the protected API answers for reason under issuer profile p: status, content type
 * and body (the profile's api_errors, each member unset taking the default: the reason's
 * status and RFC 6750 JSON). Strings are static, the profile's, or in arena a. */
void grantd_check_api_error(const struct grantd_profile *p, struct grantd_arena *a,
                            enum grantd_check_reason reason, unsigned *status,
                            const char **content_type, const char **body);

#endif
