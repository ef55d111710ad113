/* Record rules shared by the CLI and the admin API: see rules.h. */
#include "admin/rules.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/crypto.h"
#include "oauth/redirect_uri.h"

static const struct {
    const char *name;
    unsigned bit;
} grant_table[] = {
    {"authorization_code", GRANTD_GRANT_AUTHORIZATION_CODE},
    {"refresh_token", GRANTD_GRANT_REFRESH_TOKEN},
    {"client_credentials", GRANTD_GRANT_CLIENT_CREDENTIALS},
};

#define GRANT_COUNT (sizeof(grant_table) / sizeof(grant_table[0]))

int grantd_rules_grant_parse(const char *name, unsigned *grants)
{
    for (size_t i = 0; i < GRANT_COUNT; i++) {
        if (strcmp(name, grant_table[i].name) == 0) {
            *grants |= grant_table[i].bit;
            return 1;
        }
    }
    return 0;
}

const char *grantd_rules_grant_names(void)
{
    return "authorization_code, refresh_token, client_credentials";
}

const char *grantd_rules_grant_at(size_t i, unsigned *bit)
{
    if (i >= GRANT_COUNT)
        return NULL;
    *bit = grant_table[i].bit;
    return grant_table[i].name;
}

int grantd_rules_client_id_valid(const char *id)
{
    size_t n = strlen(id);
    return n >= 1 && n <= GRANTD_CLIENT_ID_MAX &&
           strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-") == n;
}

const char *grantd_rules_name_why(const char *name)
{
    size_t n = strlen(name);
    if (n == 0)
        return "must not be empty";
    if (n > GRANTD_CLIENT_NAME_MAX)
        return "is longer than 200 bytes";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return "must not contain control characters";
    json_t *probe = json_string(name); /* NULL when name is not valid UTF-8 */
    if (!probe)
        return "must be valid UTF-8";
    json_decref(probe);
    return NULL;
}

/* RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
static int scope_char(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

/* 1 when the token tok (len bytes) already occurs in the space-separated list out. */
static int scope_has(const char *out, const char *tok, size_t len)
{
    for (const char *p = out; *p;) {
        size_t n = strcspn(p, " ");
        if (n == len && memcmp(p, tok, len) == 0)
            return 1;
        p += n + (p[n] == ' ');
    }
    return 0;
}

const char *grantd_rules_scope_normalize(const char *in, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = in; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t n = 0;
        while (p[n] && p[n] != ' ') {
            if (!scope_char((unsigned char)p[n]))
                return "may hold only scope tokens separated by spaces "
                       "(no quotes, backslashes, control or non-ASCII characters)";
            n++;
        }
        if (!scope_has(out, p, n)) {
            if (used + (used > 0) + n + 1 > outlen)
                return "is longer than 1024 bytes";
            used += (size_t)sprintf(out + used, "%s%.*s", used ? " " : "", (int)n, p);
        }
        p += n;
    }
    return NULL;
}

int grantd_rules_is_token(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n < 1 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

const char *grantd_rules_username_why(const char *username)
{
    if (!grantd_rules_is_token(username, GRANTD_USERNAME_MAX))
        return "must be 1 to 128 printable ASCII characters without spaces";
    return NULL;
}

const char *grantd_rules_email_why(const char *email)
{
    if (!grantd_rules_is_token(email, GRANTD_EMAIL_MAX) || !strchr(email, '@'))
        return "must be an address like name@example.com (at most 254 characters)";
    return NULL;
}

const char *grantd_rules_post_logout_uri_why(const char *uri, int allow_insecure_http)
{
    const char *why = NULL;
    if (uri && strchr(uri, '*'))
        return "must not contain '*' (post-logout redirect URIs are matched exactly)";
    if (grantd_redirect_uri_check_registration(uri, allow_insecure_http, 0, &why) != GRANTD_OK)
        return why ? why : "is not a valid redirect URI";
    if (strcmp(uri, GRANTD_REDIRECT_URI_OOB) == 0)
        return "cannot be the out-of-band value (logout sends the browser back)";
    return NULL;
}

const char *grantd_rules_id_token_alg(const char *alg)
{
    if (alg && strcmp(alg, "RS256") == 0)
        return "RS256";
    if (alg && strcmp(alg, "ES256") == 0)
        return "ES256";
    return NULL;
}

const char *grantd_rules_client_id_token_alg(const struct grantd_client *c)
{
    return c->id_token_alg && *c->id_token_alg ? c->id_token_alg : "RS256";
}

grantd_rc grantd_rules_new_secret(struct grantd_store *s, char secret[GRANTD_CLIENT_SECRET_LEN],
                                  unsigned char hash[GRANTD_SHA256_LEN])
{
    grantd_rc rc = grantd_random_token(GRANTD_CLIENT_SECRET_BYTES, secret);
    if (rc != GRANTD_OK)
        return rc;
    return grantd_store_hash_secret(s, secret, hash);
}

grantd_rc grantd_rules_new_token(struct grantd_store *s, const char *prefix,
                                 char text[GRANTD_REG_TOKEN_LEN],
                                 unsigned char hash[GRANTD_SHA256_LEN])
{
    char random[48];
    grantd_rc rc = grantd_random_token(32, random);
    if (rc == GRANTD_OK) {
        snprintf(text, GRANTD_REG_TOKEN_LEN, "%s%s", prefix, random);
        rc = grantd_store_hash_secret(s, text, hash);
    }
    explicit_bzero(random, sizeof(random));
    return rc;
}

grantd_rc grantd_rules_random_id(char out[32])
{
    /* An id starting with '-' or '_' would read as an option on the next command line
     * (`grantd client show -x...`): draw again, which happens for 1 in 32 ids. */
    for (;;) {
        grantd_rc rc = grantd_random_token(16, out);
        if (rc != GRANTD_OK || (out[0] != '-' && out[0] != '_'))
            return rc;
    }
}
