/* The parameter view and the pure parsers of untrusted request input.
 *
 * Query strings, application/x-www-form-urlencoded bodies and application/json bodies all
 * parse into one struct grantd_params, so handlers read parameters the same way whatever the
 * client sent. The view keeps every occurrence, so a repeated parameter is detected at lookup
 * (RFC 6749 §3.1: parameters MUST NOT be repeated), and an empty value reads as absent.
 *
 * Parsers are pure functions of (bytes, limits) into an arena: no I/O, no globals, and each
 * has a libFuzzer target in tests/fuzz/. All output strings are NUL-terminated; decoded
 * values never contain a NUL byte (a %00 or \u0000 is refused), so C string functions are
 * safe on them. */
#ifndef GRANTD_HTTP_PARAMS_H
#define GRANTD_HTTP_PARAMS_H

#include <stddef.h>

#include "core/error.h"
#include "core/mem.h"

struct grantd_param {
    const char *name;
    const char *value; /* "" when the parameter had no value */
};

struct grantd_params {
    struct grantd_param *items; /* arena memory */
    size_t count;
};

/* Caps on untrusted input; over them a parser answers GRANTD_ETOOBIG. */
struct grantd_parse_limits {
    size_t max_params;     /* occurrences, repeated ones included */
    size_t max_name_len;   /* decoded bytes */
    size_t max_value_len;  /* decoded bytes */
    /* NULL, or the one parameter name whose value may be up to carrier_len decoded bytes
     * instead (when that is more): the pages' hidden field that carries a whole request
     * target, whose values were each checked against max_value_len already. Form and query
     * parsing only; the defaults have none. */
    const char *carrier_name;
    size_t carrier_len;
};

#define GRANTD_DEFAULT_MAX_PARAMS 64
#define GRANTD_DEFAULT_MAX_NAME_LEN 128
#define GRANTD_DEFAULT_MAX_VALUE_LEN 4096

/* Fills *lim with the defaults above. */
void grantd_parse_limits_default(struct grantd_parse_limits *lim);

/* application/x-www-form-urlencoded (also used for query strings).
 * Pairs are separated by '&'; empty pairs ("a=1&&b=2") are skipped; a pair without '='
 * is a name with an empty value. '+' decodes to a space and %XX to the byte XX (hex digits
 * of either case). Errors (with *why set to a static English sentence fit for an
 * error_description):
 *   GRANTD_EINVAL  malformed percent-encoding, a decoded NUL byte, or an empty name;
 *   GRANTD_ETOOBIG more than max_params pairs or a name/value over its cap.
 * On error *out is left empty. */
GRANTD_MUST_USE grantd_rc grantd_form_parse(struct grantd_arena *a, const char *s, size_t len,
                                            const struct grantd_parse_limits *lim,
                                            struct grantd_params *out, const char **why);

/* application/json body: one object whose members are strings; a null member is absent.
 * Errors: GRANTD_EINVAL invalid JSON, not an object, a member that is not a string or null
 * (why names the problem), a NUL in a string; GRANTD_EREPEATED a duplicate member name;
 * GRANTD_ETOOBIG over the caps. Nesting is refused before jansson sees deep input. */
GRANTD_MUST_USE grantd_rc grantd_json_params_parse(struct grantd_arena *a, const char *s,
                                                   size_t len,
                                                   const struct grantd_parse_limits *lim,
                                                   struct grantd_params *out, const char **why);

/* Lookup by exact (case-sensitive) name.
 *   GRANTD_OK        present exactly once with a non-empty value (*value set);
 *   GRANTD_ENOTFOUND absent, or present once with an empty value;
 *   GRANTD_EREPEATED present more than once (empty occurrences count). */
GRANTD_MUST_USE grantd_rc grantd_params_get(const struct grantd_params *p, const char *name,
                                            const char **value);

/* The value when grantd_params_get would answer GRANTD_OK, else NULL (absent, empty or
 * repeated): for requests already checked for repeats (grantd_params_first_repeated). */
const char *grantd_params_value(const struct grantd_params *p, const char *name);

/* The name of the first parameter that occurs more than once, or NULL. */
const char *grantd_params_first_repeated(const struct grantd_params *p);
/* The same, except that the parameter multi (NULL: none) may repeat: RFC 8707's resource. */
const char *grantd_params_first_repeated_but(const struct grantd_params *p, const char *multi);

/* The non-empty values of every occurrence of name, in order, into values (up to max of
 * them); returns how many there are (more than max when values could not hold them all). */
size_t grantd_params_all(const struct grantd_params *p, const char *name, const char **values,
                         size_t max);

/* HTTP Basic credentials (RFC 7617) as OAuth uses them (RFC 6749 §2.3.1): the header value
 * is "Basic <base64(urlencode(id) ':' urlencode(secret))>". The scheme is matched
 * case-insensitively; both parts are form-urldecoded.
 *   GRANTD_ENOTFOUND the header is not Basic (another scheme, e.g. Bearer);
 *   GRANTD_EINVAL    Basic but malformed: bad base64, no ':', bad percent-encoding, a NUL,
 *                    an empty client id, or over GRANTD_DEFAULT_MAX_VALUE_LEN. */
GRANTD_MUST_USE grantd_rc grantd_basic_parse(struct grantd_arena *a, const char *header,
                                             const char **user, const char **password);

/* The Cookie request header (RFC 6265 §4.2): "name=value; name2=value2". Values are opaque
 * (no percent-decoding); surrounding double quotes are kept. Pairs without '=' or with an
 * empty name are skipped, since browsers send other applications' cookies too.
 *   GRANTD_ETOOBIG more than max_params cookies or a name/value over its cap. */
GRANTD_MUST_USE grantd_rc grantd_cookies_parse(struct grantd_arena *a, const char *header,
                                               const struct grantd_parse_limits *lim,
                                               struct grantd_params *out);

#endif
