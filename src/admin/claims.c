/* The table of the OpenID Connect claims grantd stores on users, and their rules (see
 * claims.h). Not here: email (rules.c), the claims' release by scope (oauth/userinfo.c). */
#include "admin/claims.h"

#include <stddef.h>
#include <string.h>

#include "admin/rules.h"

/* A string claim's rule: NULL when s (non-empty) is acceptable, else why not. */
typedef const char *(*claim_rule)(const char *s);

struct claim {
    const char *name;
    size_t offset;   /* of the const char * or the int in struct grantd_user */
    claim_rule rule; /* NULL: a boolean */
};

/* Text without control characters, at most max bytes; newlines allowed when lines. */
static const char *text_why(const char *s, size_t max, int lines)
{
    if (strlen(s) > max)
        return max == GRANTD_CLAIM_ADDRESS_MAX ? "is longer than 512 bytes"
                                               : "is longer than 200 bytes";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && !(lines && *p == '\n')) || *p == 0x7f)
            return "must not contain control characters";
    return NULL;
}

static const char *text_rule(const char *s)
{
    return text_why(s, GRANTD_CLAIM_TEXT_MAX, 0);
}

static const char *address_rule(const char *s)
{
    return text_why(s, GRANTD_CLAIM_ADDRESS_MAX, 1);
}

/* E.164: '+', then 4..15 digits, the first not 0. */
static const char *phone_rule(const char *s)
{
    size_t n = strlen(s);
    if (n < 5 || n > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9' ||
        strspn(s + 1, "0123456789") != n - 1)
        return "must be an E.164 number like +4930123456 ('+' and 4..15 digits)";
    return NULL;
}

/* BCP 47-ish: a 2..8-letter language, then '-' separated subtags of 1..8 letters or digits
 * (OpenID Connect also names the underscore form, which is accepted). */
static const char *locale_rule(const char *s)
{
#define LETTERS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    static const char alnum[] = LETTERS "0123456789";
    static const char *const why = "must be a BCP 47 language tag like en or de-CH";
    size_t letters = strspn(s, LETTERS);
#undef LETTERS
    /* the language: letters only, up to the first separator */
    if (strlen(s) > GRANTD_CLAIM_LOCALE_MAX || letters < 2 || letters > 8 ||
        strspn(s, alnum) != letters)
        return why;
    for (const char *p = s + letters; *p;) {
        size_t n = strspn(p + 1, alnum);
        if ((*p != '-' && *p != '_') || n < 1 || n > 8)
            return why;
        p += 1 + n;
    }
    return NULL;
}

#define STR(m, rule) {#m, offsetof(struct grantd_user, m), rule}
#define BOOL(m) {#m, offsetof(struct grantd_user, m), NULL}

static const struct claim claims[GRANTD_CLAIM_COUNT] = {
    STR(name, text_rule),          STR(given_name, text_rule),
    STR(family_name, text_rule),   STR(preferred_username, text_rule),
    BOOL(email_verified),          STR(phone_number, phone_rule),
    BOOL(phone_number_verified),   STR(locale, locale_rule),
    STR(address, address_rule),
};

const char *grantd_claim_name(size_t i, int *boolean)
{
    if (i >= GRANTD_CLAIM_COUNT)
        return NULL;
    if (boolean)
        *boolean = claims[i].rule == NULL;
    return claims[i].name;
}

int grantd_claim_find(const char *name)
{
    for (size_t i = 0; i < GRANTD_CLAIM_COUNT; i++)
        if (strcmp(claims[i].name, name) == 0)
            return (int)i;
    return -1;
}

static const char **str_slot(struct grantd_user *u, size_t i)
{
    return (const char **)(void *)((char *)u + claims[i].offset);
}

static int *bool_slot(struct grantd_user *u, size_t i)
{
    return (int *)(void *)((char *)u + claims[i].offset);
}

const char *grantd_claim_set(struct grantd_user *u, size_t i, const char *value)
{
    if (claims[i].rule == NULL) {
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0 && *value)
            return "must be true or false";
        *bool_slot(u, i) = strcmp(value, "true") == 0;
        return NULL;
    }
    const char *why = *value ? claims[i].rule(value) : NULL;
    if (!why)
        *str_slot(u, i) = *value ? value : NULL;
    return why;
}

const char *grantd_claim_set_json(struct grantd_arena *a, struct grantd_user *u, size_t i,
                                  json_t *v)
{
    const char *name = claims[i].name, *why;
    if (claims[i].rule == NULL) {
        if (!json_is_boolean(v))
            return grantd_arena_printf(a, "%s must be true or false", name);
        *bool_slot(u, i) = json_is_true(v);
        return NULL;
    }
    if (json_is_null(v)) {
        *str_slot(u, i) = NULL;
        return NULL;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return grantd_arena_printf(a, "%s must be a string or null", name);
    const char *s = grantd_arena_strdup(a, json_string_value(v));
    if ((why = grantd_claim_set(u, i, s)) != NULL)
        return grantd_arena_printf(a, "%s %s", name, why);
    return NULL;
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

void grantd_claims_unverify_changed(const struct grantd_user *before, struct grantd_user *after,
                                    int email_flag, int phone_flag)
{
    if (!email_flag && !same_text(before->email, after->email))
        after->email_verified = 0;
    if (!phone_flag && !same_text(before->phone_number, after->phone_number))
        after->phone_number_verified = 0;
}

void grantd_claims_to_json(const struct grantd_user *u, json_t *o)
{
    for (size_t i = 0; i < GRANTD_CLAIM_COUNT; i++) {
        const void *slot = (const char *)u + claims[i].offset;
        if (claims[i].rule == NULL) {
            json_object_set_new(o, claims[i].name, json_boolean(*(const int *)slot));
            continue;
        }
        const char *s = *(const char *const *)slot;
        json_object_set_new(o, claims[i].name, s ? json_string(s) : json_null());
    }
}
