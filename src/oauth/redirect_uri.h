/* Redirect URI rules (RFC 6749 §3.1.2, RFC 8252, RFC 9700 §4.1).
 *
 * This header holds the check applied when a client *registers* a redirect URI. Matching a
 * request's redirect_uri against the registered ones (byte-for-byte, with the loopback port
 * relaxation) is a separate step. */
#ifndef GRANTD_OAUTH_REDIRECT_URI_H
#define GRANTD_OAUTH_REDIRECT_URI_H

#include "core/error.h"

/* Longest redirect URI accepted at registration, in bytes. */
#define GRANTD_REDIRECT_URI_MAX 2048

/* Checks that uri may be registered as a redirect URI:
 *   - an absolute URI with a scheme, only ASCII URI characters (no whitespace, control
 *     characters, backslashes or other bytes RFC 3986 does not allow), well-formed
 *     percent-escapes, no fragment, no userinfo in the authority;
 *   - not javascript:, data:, vbscript: or file: in any letter case;
 *   - http(s) URIs have a non-empty host and a numeric port if any; http:// is allowed only
 *     for the loopback hosts 127.0.0.1, [::1] and localhost (exactly so spelled) unless
 *     allow_insecure_http is set (development only);
 *   - private-use schemes such as com.example.app:/cb (RFC 8252 §7.1) are allowed.
 * Returns GRANTD_OK, GRANTD_ETOOBIG (over GRANTD_REDIRECT_URI_MAX) or GRANTD_EINVAL; on
 * error *why (when why is not NULL) is a static English sentence naming the problem. */
GRANTD_MUST_USE grantd_rc grantd_redirect_uri_check_registration(const char *uri,
                                                                 int allow_insecure_http,
                                                                 const char **why);

#endif
