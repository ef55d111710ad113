/* Shared pieces of the client subcommands: see client_int.h. */
#include "cli/client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/api.h"

/* The client flags: JSON boolean member (also the name on the "flags:" line of text output)
 * and short name for tables. JWT access tokens are no boolean: the JSON and text output
 * show them as access_token_format (NULL here), the table as "jwt". */
static const struct {
    const char *json, *brief;
    unsigned bit;
} flag_table[] = {
    {"redirect_uri_wildcard", "wildcard", GRANTD_CLIENT_REDIRECT_WILDCARD},
    {"allow_plain_pkce", "plain-pkce", GRANTD_CLIENT_ALLOW_PLAIN_PKCE},
    {"always_consent", "always-consent", GRANTD_CLIENT_ALWAYS_CONSENT},
    {"introspect_any", "introspect-any", GRANTD_CLIENT_INTROSPECT_ANY},
    {NULL, "jwt", GRANTD_CLIENT_JWT_ACCESS},
};

#define FLAG_COUNT (sizeof(flag_table) / sizeof(flag_table[0]))

int grantd_cli_ttl_parse(const char *value, int64_t max, int allow_never, int64_t *out)
{
    if (allow_never && (strcmp(value, "never") == 0 || strcmp(value, "0") == 0)) {
        *out = GRANTD_TTL_NEVER;
        return 1;
    }
    size_t n = strlen(value);
    int64_t v = 0;
    int plain = n >= 1 && n <= 10 && value[0] != '0' && strspn(value, "0123456789") == n;
    for (size_t i = 0; plain && i < n; i++)
        v = v * 10 + (value[i] - '0');
    if (!plain || v < 1 || v > max)
        return 0;
    *out = v;
    return 1;
}

/* A lifetime as JSON: null for the default, "never", or seconds. */
static json_t *ttl_json(int64_t ttl)
{
    if (ttl == 0)
        return json_null();
    if (ttl == GRANTD_TTL_NEVER)
        return json_string("never");
    return json_integer(ttl);
}

/* A lifetime as text: "default", "never", or "<n> s". */
static void ttl_text(int64_t ttl, char out[32])
{
    if (ttl == 0)
        snprintf(out, 32, "default");
    else if (ttl == GRANTD_TTL_NEVER)
        snprintf(out, 32, "never");
    else
        snprintf(out, 32, "%lld s", (long long)ttl);
}

static const char *format_name(unsigned flags)
{
    return flags & GRANTD_CLIENT_JWT_ACCESS ? "jwt" : "opaque";
}

json_t *grantd_cli_client_json(const struct grantd_client *c, const char *secret)
{
    json_t *uris = json_array();
    for (size_t i = 0; i < c->redirect_uri_count; i++)
        json_array_append_new(uris, json_string(c->redirect_uris[i]));
    json_t *o = json_object();
    json_object_set_new(o, "client_id", json_string(c->id));
    if (secret)
        json_object_set_new(o, "client_secret", json_string(secret));
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "redirect_uris", uris);
    json_object_set_new(o, "scope", json_string(c->scope ? c->scope : ""));
    json_object_set_new(o, "resources", grantd_api_words_json(c->resources));
    json_object_set_new(o, "post_logout_redirect_uris",
                        grantd_api_words_json(c->post_logout_redirect_uris));
    json_object_set_new(o, "id_token_signed_response_alg",
                        json_string(grantd_rules_client_id_token_alg(c)));
    json_object_set_new(o, "grant_types", grantd_api_grants_json(c->grants));
    json_object_set_new(o, "public", json_boolean(c->is_public));
    for (size_t i = 0; i < FLAG_COUNT; i++)
        if (flag_table[i].json)
            json_object_set_new(o, flag_table[i].json,
                                json_boolean(c->flags & flag_table[i].bit));
    json_object_set_new(o, "access_token_format", json_string(format_name(c->flags)));
    json_object_set_new(o, "code_ttl", ttl_json(c->code_ttl));
    json_object_set_new(o, "access_ttl", ttl_json(c->access_ttl));
    json_object_set_new(o, "refresh_ttl", ttl_json(c->refresh_ttl));
    json_object_set_new(o, "disabled", json_boolean(c->disabled));
    json_object_set_new(o, "created_at", json_integer(c->created_at));
    return o;
}

/* Space-joins up to n strings into out (truncating at outlen). */
static void join(const char *const *items, size_t n, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < outlen; i++) {
        int w = snprintf(out + used, outlen - used, "%s%s", i ? " " : "", items[i]);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* The names (brief ones for tables, else the JSON booleans) of the flags set in flags into
 * names[FLAG_COUNT]; returns how many. */
static size_t set_flag_names(unsigned flags, int brief, const char **names)
{
    size_t n = 0;
    for (size_t i = 0; i < FLAG_COUNT; i++)
        if ((flags & flag_table[i].bit) && (brief || flag_table[i].json))
            names[n++] = brief ? flag_table[i].brief : flag_table[i].json;
    return n;
}

void grantd_cli_client_print(const struct grantd_client *c, const char *secret)
{
    const char *names[8], *name;
    unsigned bit;
    size_t n = 0;
    const char *flag_names[FLAG_COUNT];
    char grants[128], created[32], flags[128], code[32], access[32], refresh[32];
    char *uris = grantd_xmalloc(c->redirect_uri_count * 2049 + 1);
    for (size_t i = 0; (name = grantd_rules_grant_at(i, &bit)) != NULL && n < 8; i++)
        if (c->grants & bit)
            names[n++] = name;
    join(names, n, grants, sizeof(grants));
    join(flag_names, set_flag_names(c->flags, 0, flag_names), flags, sizeof(flags));
    join(c->redirect_uris, c->redirect_uri_count, uris, c->redirect_uri_count * 2049 + 1);
    grantd_admin_format_time(c->created_at, created);
    grantd_admin_print_kv("client_id", c->id);
    if (secret)
        grantd_admin_print_kv("client_secret", secret);
    grantd_admin_print_kv("name", c->name);
    grantd_admin_print_kv("public", c->is_public ? "true" : "false");
    grantd_admin_print_kv("redirect_uris", uris);
    grantd_admin_print_kv("scope", c->scope ? c->scope : "");
    grantd_admin_print_kv("resources", c->resources ? c->resources : "");
    grantd_admin_print_kv("logout_uris",
                          c->post_logout_redirect_uris ? c->post_logout_redirect_uris : "");
    grantd_admin_print_kv("id_token_alg", grantd_rules_client_id_token_alg(c));
    grantd_admin_print_kv("grant_types", grants);
    grantd_admin_print_kv("flags", flags);
    grantd_admin_print_kv("access_tokens", format_name(c->flags));
    ttl_text(c->code_ttl, code);
    ttl_text(c->access_ttl, access);
    ttl_text(c->refresh_ttl, refresh);
    grantd_admin_print_kv("code_ttl", code);
    grantd_admin_print_kv("access_ttl", access);
    grantd_admin_print_kv("refresh_ttl", refresh);
    grantd_admin_print_kv("disabled", c->disabled ? "true" : "false");
    grantd_admin_print_kv("created_at", created);
    if (secret)
        grantd_cli_client_secret_note();
    free(uris);
}

void grantd_cli_client_flags_brief(unsigned flags, char *out, size_t outlen)
{
    const char *names[FLAG_COUNT];
    size_t n = set_flag_names(flags, 1, names);
    join(names, n, out, outlen);
    if (n == 0)
        snprintf(out, outlen, "-");
    for (char *p = out; *p; p++)
        if (*p == ' ')
            *p = ',';
}

void grantd_cli_client_ttls_brief(const struct grantd_client *c, char *out, size_t outlen)
{
    const struct {
        const char *name;
        int64_t ttl;
    } ttls[] = {{"code", c->code_ttl}, {"access", c->access_ttl}, {"refresh", c->refresh_ttl}};
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(ttls) / sizeof(ttls[0]); i++) {
        if (ttls[i].ttl == 0 || used >= outlen)
            continue;
        int w = ttls[i].ttl == GRANTD_TTL_NEVER
                    ? snprintf(out + used, outlen - used, "%s%s=never", used ? "," : "",
                               ttls[i].name)
                    : snprintf(out + used, outlen - used, "%s%s=%lld", used ? "," : "",
                               ttls[i].name, (long long)ttls[i].ttl);
        used += w > 0 ? (size_t)w : 0;
    }
    if (!used)
        snprintf(out, outlen, "-");
}

void grantd_cli_client_secret_note(void)
{
    grantd_admin_print_kv("note", "the client secret is shown only once; store it now "
                                  "(grantd keeps only a hash of it)");
}
