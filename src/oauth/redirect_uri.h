/* Redirect URI rules (RFC 6749 §3.1.2, RFC 8252, RFC 9700 §4.1).
 *
 * The check applied when a client *registers* a redirect URI, and the matching of a request's
 * redirect_uri against the registered ones (byte-for-byte, with the loopback port relaxation
 * and opt-in wildcards). docs/redirect-uris.md states the exact rules with examples. */
#ifndef GRANTD_OAUTH_REDIRECT_URI_H
#define GRANTD_OAUTH_REDIRECT_URI_H

#include <stddef.h>

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
 *   - private-use schemes such as com.example.app:/cb (RFC 8252 §7.1) are allowed;
 *   - no '*' unless allow_wildcard is set (the client opted in to wildcard redirect URIs);
 *     then at most one, in a URI starting with "https://", either as the whole leftmost host
 *     label followed by at least two lowercase DNS labels (host *.example.com), or as
 *     the last byte, right after a '/', of a path made of unreserved characters and '/'
 *     without '.', '..' or empty segments (https://app.example.com/cb/ followed by '*').
 * Returns GRANTD_OK, GRANTD_ETOOBIG (over GRANTD_REDIRECT_URI_MAX) or GRANTD_EINVAL; on
 * error *why (when why is not NULL) is a static English sentence naming the problem. */
GRANTD_MUST_USE grantd_rc grantd_redirect_uri_check_registration(const char *uri,
                                                                 int allow_insecure_http,
                                                                 int allow_wildcard,
                                                                 const char **why);

/* The redirect_uri value meaning "no redirect: show the code on a page" (out of band). */
#define GRANTD_REDIRECT_URI_OOB "urn:ietf:wg:oauth:2.0:oob"

/* 1 when requested matches the registered URI: byte-for-byte equal; or, for a registered
 * http://127.0.0.1[:port]/... or http://[::1][:port]/... URI, equal except for the port
 * (RFC 8252 §7.3); or, when wildcard is set and registered holds one '*', the wildcard rule
 * (docs/redirect-uris.md: one whole host label of [a-z0-9-], or a path suffix of unreserved
 * characters and '/' without dot or empty segments). 0 otherwise, and always 0 when
 * requested fails grantd_redirect_uri_check_registration(requested, 1, 0, ...) (so a
 * requested URI holding '*' never matches) or either argument is NULL. */
int grantd_redirect_uri_matches(const char *registered, const char *requested, int wildcard);

/* Picks the redirect URI of an authorization request from the client's registered ones
 * (count may be 0) and the requested one (NULL when the parameter was absent):
 *   - requested present: it must match a registered URI; *effective = requested;
 *   - requested absent (NULL or ""): allowed only when exactly one URI is registered and it
 *     holds no '*' (a pattern cannot be redirected to) and passes the registration check
 *     (insecure http allowed); *effective = it;
 *   - no URI registered: absent or GRANTD_REDIRECT_URI_OOB means out of band, *effective = NULL.
 * A client that registered GRANTD_REDIRECT_URI_OOB itself and asks for it gets *effective =
 * the requested string, so callers treat both NULL and that value as out of band.
 * *effective points into registered or at requested (no copy). Returns GRANTD_OK, or
 * GRANTD_EINVAL with *effective = NULL and *why (when why is not NULL) a static sentence
 * for the error page. */
GRANTD_MUST_USE grantd_rc grantd_redirect_uri_resolve(const char *const *registered, size_t count,
                                                      const char *requested, int wildcard,
                                                      const char **effective, const char **why);

#endif
