/* Private to the http parsers (params.c, basic.c): the strict form-urldecoder that
 * grantd_form_parse uses for every name and value, shared so that Basic credentials
 * (RFC 6749 §2.3.1) decode by exactly the same rules. Not for use outside src/http. */
#ifndef GRANTD_HTTP_PARAMS_INTERNAL_H
#define GRANTD_HTTP_PARAMS_INTERNAL_H

#include <stddef.h>

#include "core/error.h"
#include "core/mem.h"

/* Decodes the n bytes at s as one application/x-www-form-urlencoded name or value ('+' is a
 * space, %XX a byte) into a NUL-terminated arena string *out. The input is validated and
 * measured before anything is allocated.
 *   GRANTD_EINVAL  a '%' not followed by two hex digits, a %00, or a raw NUL byte;
 *   GRANTD_ETOOBIG the decoded length would exceed cap.
 * *why (if why is not NULL) gets a static sentence on error; *out is untouched then. */
GRANTD_MUST_USE grantd_rc grantd_params_urldecode(struct grantd_arena *a, const char *s,
                                                  size_t n, size_t cap, const char **out,
                                                  const char **why);

#endif
