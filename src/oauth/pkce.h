/* Proof Key for Code Exchange (RFC 7636). */
#ifndef GRANTD_OAUTH_PKCE_H
#define GRANTD_OAUTH_PKCE_H

/* Checks a code_challenge for its method at /authorize: S256 needs exactly 43 base64url
 * characters (a SHA-256); plain needs 43..128 unreserved characters ([A-Za-z0-9-._~]).
 * Returns NULL when well-formed, else a sentence for error_description. */
const char *grantd_pkce_challenge_problem(const char *method, const char *challenge);

/* 1 when verifier (43..128 unreserved characters) answers challenge under method; the final
 * comparison is constant-time. */
int grantd_pkce_verify(const char *method, const char *challenge, const char *verifier);

#endif
