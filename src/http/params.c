/* The parameter view and its two body parsers: application/x-www-form-urlencoded (bodies and
 * query strings) and flat application/json objects, both into struct grantd_params in an
 * arena, plus lookup that treats a repeated parameter as an error and an empty one as absent.
 *
 * This module is pure: no I/O, no globals, no knowledge of which parameters an endpoint
 * wants. It is not the HTTP reader (http/server.c caps the body before it gets here), and it
 * does not parse Basic credentials or cookies (basic.c, cookie.c). Every input is untrusted:
 * caps are checked before memory proportional to the input is allocated, and each parser
 * has a libFuzzer target in tests/fuzz/. */
#include "http/params.h"

#include <string.h>

#include <jansson.h>

#include "core/crypto.h"
#include "http/params_internal.h"

/* Deeper than this is refused before jansson (which recurses) sees the input. A valid body is
 * a flat object (depth 1); 2 lets {"scope": ["a"]} get a precise "must be a string". */
#define JSON_MAX_DEPTH 2
/* Member names up to this long, of safe characters, are quoted in error descriptions. */
#define WHY_NAME_MAX 64

void grantd_parse_limits_default(struct grantd_parse_limits *lim)
{
    lim->max_params = GRANTD_DEFAULT_MAX_PARAMS;
    lim->max_name_len = GRANTD_DEFAULT_MAX_NAME_LEN;
    lim->max_value_len = GRANTD_DEFAULT_MAX_VALUE_LEN;
    lim->carrier_name = NULL;
    lim->carrier_len = 0;
}

static void set_why(const char **why, const char *text)
{
    if (why)
        *why = text;
}

/* Validates s as form-urlencoded and counts the bytes it decodes to. */
static grantd_rc urlencoded_measure(const char *s, size_t n, size_t *decoded, const char **why)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++, len++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\0') {
            set_why(why, "parameters must not contain a NUL byte");
            return GRANTD_EINVAL;
        }
        if (c != '%')
            continue;
        if (n - i < 3 || grantd_hex_value((unsigned char)s[i + 1]) < 0 ||
            grantd_hex_value((unsigned char)s[i + 2]) < 0) {
            set_why(why, "malformed percent-encoding");
            return GRANTD_EINVAL;
        }
        if (s[i + 1] == '0' && s[i + 2] == '0') {
            set_why(why, "parameters must not contain a NUL byte");
            return GRANTD_EINVAL;
        }
        i += 2;
    }
    *decoded = len;
    return GRANTD_OK;
}

/* Decodes input already accepted by urlencoded_measure; dst holds the decoded length + 1. */
static void urlencoded_decode(const char *s, size_t n, char *dst)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            c = (unsigned char)(grantd_hex_value((unsigned char)s[i + 1]) << 4 |
                                grantd_hex_value((unsigned char)s[i + 2]));
            i += 2;
        }
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
}

grantd_rc grantd_params_urldecode(struct grantd_arena *a, const char *s, size_t n, size_t cap,
                                  const char **out, const char **why)
{
    size_t len;
    grantd_rc rc = urlencoded_measure(s, n, &len, why);
    if (rc != GRANTD_OK)
        return rc;
    if (len > cap) {
        set_why(why, "parameter too long");
        return GRANTD_ETOOBIG;
    }
    char *dst = grantd_arena_alloc(a, len + 1);
    urlencoded_decode(s, n, dst);
    *out = dst;
    return GRANTD_OK;
}

/* The next non-empty '&'-separated pair at or after *pos; 0 when there is none. */
static int next_pair(const char *s, size_t len, size_t *pos, const char **pair, size_t *plen)
{
    while (*pos < len) {
        size_t start = *pos;
        const char *amp = memchr(s + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - s) : len;
        *pos = amp ? end + 1 : len;
        if (end > start) {
            *pair = s + start;
            *plen = end - start;
            return 1;
        }
    }
    return 0;
}

/* One "name[=value]" pair into *item. */
static grantd_rc parse_pair(struct grantd_arena *a, const char *pair, size_t plen,
                            const struct grantd_parse_limits *lim, struct grantd_param *item,
                            const char **why)
{
    const char *eq = memchr(pair, '=', plen);
    size_t nlen = eq ? (size_t)(eq - pair) : plen;
    if (nlen == 0) {
        set_why(why, "empty parameter name");
        return GRANTD_EINVAL;
    }
    grantd_rc rc = grantd_params_urldecode(a, pair, nlen, lim->max_name_len, &item->name, why);
    if (rc == GRANTD_ETOOBIG)
        set_why(why, "parameter name too long");
    if (rc != GRANTD_OK)
        return rc;
    if (!eq) {
        item->value = "";
        return GRANTD_OK;
    }
    size_t cap = lim->max_value_len;
    if (lim->carrier_name && strcmp(item->name, lim->carrier_name) == 0 &&
        lim->carrier_len > cap)
        cap = lim->carrier_len;
    rc = grantd_params_urldecode(a, eq + 1, plen - nlen - 1, cap, &item->value, why);
    if (rc == GRANTD_ETOOBIG)
        set_why(why, "parameter value too long");
    return rc;
}

grantd_rc grantd_form_parse(struct grantd_arena *a, const char *s, size_t len,
                            const struct grantd_parse_limits *lim, struct grantd_params *out,
                            const char **why)
{
    out->items = NULL;
    out->count = 0;
    set_why(why, NULL);
    const char *pair;
    size_t count = 0, pos = 0, plen;
    /* count first: the item array is the one allocation proportional to the pair count */
    while (next_pair(s, len, &pos, &pair, &plen)) {
        if (++count > lim->max_params) {
            set_why(why, "too many parameters");
            return GRANTD_ETOOBIG;
        }
    }
    if (count == 0)
        return GRANTD_OK;
    struct grantd_param *items = grantd_arena_alloc(a, count * sizeof(*items));
    pos = 0;
    for (size_t i = 0; next_pair(s, len, &pos, &pair, &plen); i++) {
        grantd_rc rc = parse_pair(a, pair, plen, lim, &items[i], why);
        if (rc != GRANTD_OK)
            return rc;
    }
    out->items = items;
    out->count = count;
    return GRANTD_OK;
}

/* A linear pass that jansson never gets to recurse on: refuses nesting deeper than
 * JSON_MAX_DEPTH and more than max_params members in the outer object. */
static grantd_rc json_prescan(const char *s, size_t len, const struct grantd_parse_limits *lim,
                              const char **why)
{
    int in_string = 0, escaped = 0;
    size_t depth = 0, members = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (c == '\\')
                escaped = 1;
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > JSON_MAX_DEPTH) {
                set_why(why, "JSON body nested too deeply");
                return GRANTD_EINVAL;
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        } else if (c == ':' && depth == 1 && ++members > lim->max_params) {
            set_why(why, "too many parameters");
            return GRANTD_ETOOBIG;
        }
    }
    return GRANTD_OK;
}

/* Whether name may be quoted in an error_description (RFC 6749 §5.2 limits its characters;
 * the name is attacker-chosen). */
static int name_is_quotable(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > WHY_NAME_MAX)
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static const char *not_a_string_why(struct grantd_arena *a, const char *name)
{
    if (!name_is_quotable(name))
        return "JSON body members must be strings";
    return grantd_arena_printf(a, "parameter '%s' must be a string", name);
}

/* One member into *item; GRANTD_ENOTFOUND for a null member, which is absent. */
static grantd_rc json_member(struct grantd_arena *a, const char *key, json_t *val,
                             const struct grantd_parse_limits *lim, struct grantd_param *item,
                             const char **why)
{
    size_t klen = strlen(key); /* jansson refuses a NUL byte in a key */
    if (klen == 0) {
        set_why(why, "empty parameter name");
        return GRANTD_EINVAL;
    }
    if (klen > lim->max_name_len) {
        set_why(why, "parameter name too long");
        return GRANTD_ETOOBIG;
    }
    if (json_is_null(val))
        return GRANTD_ENOTFOUND;
    if (!json_is_string(val)) {
        set_why(why, not_a_string_why(a, key));
        return GRANTD_EINVAL;
    }
    size_t vlen = json_string_length(val);
    const char *v = json_string_value(val);
    if (memchr(v, '\0', vlen)) {
        set_why(why, "parameters must not contain a NUL byte");
        return GRANTD_EINVAL;
    }
    if (vlen > lim->max_value_len) {
        set_why(why, "parameter value too long");
        return GRANTD_ETOOBIG;
    }
    item->name = grantd_arena_strndup(a, key, klen);
    item->value = grantd_arena_strndup(a, v, vlen);
    return GRANTD_OK;
}

static grantd_rc json_load_error(const json_error_t *err, const char **why)
{
    if (json_error_code(err) == json_error_duplicate_key) {
        set_why(why, "a parameter is repeated in the JSON body");
        return GRANTD_EREPEATED;
    }
    if (json_error_code(err) == json_error_null_character ||
        json_error_code(err) == json_error_null_byte_in_key) {
        set_why(why, "parameters must not contain a NUL byte");
        return GRANTD_EINVAL;
    }
    set_why(why, "malformed JSON body");
    return GRANTD_EINVAL;
}

grantd_rc grantd_json_params_parse(struct grantd_arena *a, const char *s, size_t len,
                                   const struct grantd_parse_limits *lim,
                                   struct grantd_params *out, const char **why)
{
    out->items = NULL;
    out->count = 0;
    set_why(why, NULL);
    grantd_rc rc = json_prescan(s, len, lim, why);
    if (rc != GRANTD_OK)
        return rc;
    json_error_t err;
    /* no JSON_DISABLE_EOF_CHECK: anything after the object is an error */
    json_t *root = json_loadb(s ? s : "", len, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return json_load_error(&err, why);
    rc = GRANTD_EINVAL;
    if (!json_is_object(root)) {
        set_why(why, "JSON body must be an object");
        goto out;
    }
    size_t n = json_object_size(root), count = 0;
    struct grantd_param *items = grantd_arena_alloc(a, (n ? n : 1) * sizeof(*items));
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        grantd_rc mrc = json_member(a, key, val, lim, &items[count], why);
        if (mrc == GRANTD_ENOTFOUND)
            continue;
        if (mrc != GRANTD_OK) {
            rc = mrc;
            goto out;
        }
        count++;
    }
    out->items = count ? items : NULL;
    out->count = count;
    rc = GRANTD_OK;
out:
    json_decref(root);
    return rc;
}

grantd_rc grantd_params_get(const struct grantd_params *p, const char *name,
                            const char **value)
{
    const char *found = NULL;
    size_t seen = 0;
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->items[i].name, name) == 0) {
            found = p->items[i].value;
            seen++;
        }
    }
    if (value)
        *value = NULL;
    if (seen > 1)
        return GRANTD_EREPEATED;
    if (seen == 0 || found[0] == '\0')
        return GRANTD_ENOTFOUND;
    if (value)
        *value = found;
    return GRANTD_OK;
}

const char *grantd_params_value(const struct grantd_params *p, const char *name)
{
    const char *v = NULL;
    return grantd_params_get(p, name, &v) == GRANTD_OK ? v : NULL;
}

const char *grantd_params_first_repeated(const struct grantd_params *p)
{
    return grantd_params_first_repeated_but(p, NULL);
}

const char *grantd_params_first_repeated_but(const struct grantd_params *p, const char *multi)
{
    /* in order of first occurrence; quadratic, but count is capped by max_params (64) */
    for (size_t i = 0; i < p->count; i++) {
        if (multi && strcmp(p->items[i].name, multi) == 0)
            continue;
        for (size_t j = i + 1; j < p->count; j++) {
            if (strcmp(p->items[i].name, p->items[j].name) == 0)
                return p->items[i].name;
        }
    }
    return NULL;
}

size_t grantd_params_all(const struct grantd_params *p, const char *name, const char **values,
                         size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->items[i].name, name) != 0 || !p->items[i].value[0])
            continue;
        if (n < max)
            values[n] = p->items[i].value;
        n++;
    }
    return n;
}
