/* Building URLs for redirects: percent-encoding of query components. */
#ifndef GRANTD_HTTP_URL_H
#define GRANTD_HTTP_URL_H

#include "core/mem.h"

/* s with every byte outside RFC 3986 unreserved ([A-Za-z0-9-._~]) as %XX (arena string).
 * Decoding the result with any form or URL decoder gives back exactly the bytes of s. */
const char *grantd_url_encode(struct grantd_arena *a, const char *s);

#endif
