/* grantd client update: changes a registered client's settings. The options are turned into
 * the admin API's JSON merge body (PATCH .../clients/{id}, admin/body.h), which goes through
 * the same parser and record rules, so the CLI and the API accept and refuse the same
 * changes with the same words. The change and its audit entry (client.update, naming the
 * members changed) are one transaction.
 *
 * A list option (--redirect-uri, --grant, --resource, --post-logout-redirect-uri) replaces
 * the whole list; --reset NAME puts a lifetime, the ID token algorithm or an optional list
 * back to its default. Not here: the secret (rotate-secret), disabling (disable), the
 * client_id and public/confidential, which never change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/audit.h"
#include "admin/body.h"
#include "cli/client_int.h"
#include "core/clock.h"

static const char update_usage[] =
    "Usage: grantd client update CLIENT_ID [--name NAME] [--redirect-uri URI]...\n"
    "                            [--scope \"A B\"] [--grant TYPE]... [--resource URI]...\n"
    "                            [--post-logout-redirect-uri URI]...\n"
    "                            [--id-token-signed-response-alg RS256|ES256]\n"
    "                            [--access-token-format opaque|jwt]\n"
    "                            [--code-ttl S] [--access-ttl S] [--refresh-ttl S|never]\n"
    "                            [--[no-]redirect-uri-wildcard] [--[no-]allow-plain-pkce]\n"
    "                            [--[no-]always-consent] [--[no-]introspect-any]\n"
    "                            [--allow-insecure-redirect] [--reset NAME]... [--json]\n"
    "                            [--config FILE] [--db URL] [--tenant NAME]\n"
    "\n"
    "Changes a client's settings; what is not named stays as it is. The rules are those of\n"
    "`grantd client create` and of the admin API's PATCH, checked on the client as a whole:\n"
    "a change that breaks one (say, the authorization_code grant without a redirect URI)\n"
    "changes nothing. A running server applies the change at once.\n"
    "\n"
    "Options:\n"
    "  --name NAME          display name\n"
    "  --redirect-uri URI   the redirect URIs (repeatable): the list given replaces the\n"
    "                       registered one (rules: grantd client create --help)\n"
    "  --scope \"A B\"        the scopes the client may ask for (\"\" for none)\n"
    "  --grant TYPE         the grants (repeatable; replaces them): authorization_code,\n"
    "                       refresh_token, client_credentials\n"
    "  --resource URI       the APIs the client may ask tokens for (repeatable; replaces)\n"
    "  --post-logout-redirect-uri URI\n"
    "                       where OpenID Connect logout may send the user back\n"
    "                       (repeatable; replaces)\n"
    "  --id-token-signed-response-alg RS256|ES256\n"
    "  --access-token-format opaque|jwt\n"
    "  --code-ttl S, --access-ttl S, --refresh-ttl S|never\n"
    "                       the client's own lifetimes (seconds)\n"
    "  --redirect-uri-wildcard, --allow-plain-pkce, --always-consent, --introspect-any\n"
    "                       turn a setting on; --no-... turns it off\n"
    "  --allow-insecure-redirect  accept http:// redirect URIs on any host (development)\n"
    "  --reset NAME         back to the default: code-ttl, access-ttl, refresh-ttl (the\n"
    "                       server's lifetimes), id-token-signed-response-alg (RS256),\n"
    "                       resources, post-logout-redirect-uris (none); repeatable\n"
    "  --json               print the client as one JSON object\n"
    "  --config FILE        configuration file\n"
    "  --db URL             database URL (e.g. sqlite:grantd.db)\n"
    "  --tenant NAME        the issuer (grantd tenant list; default: the default tenant)\n"
    "  --help               this text\n";

/* What --reset accepts, and the JSON member each one resets. */
static const struct {
    const char *option, *member;
    int list; /* reset to [] rather than null */
} resets[] = {
    {"code-ttl", "code_ttl", 0},
    {"access-ttl", "access_ttl", 0},
    {"refresh-ttl", "refresh_ttl", 0},
    {"id-token-signed-response-alg", "id_token_signed_response_alg", 0},
    {"resources", "resources", 1},
    {"post-logout-redirect-uris", "post_logout_redirect_uris", 1},
};

struct update_args {
    struct grantd_admin_args a;
    json_t *body; /* the merge, built option by option */
    int json;
};

/* Sets member to v (consumed), refusing a second single-valued option for it. */
static int put(struct update_args *u, const char *member, json_t *v, const char *opt)
{
    if (json_object_get(u->body, member)) {
        json_decref(v);
        return grantd_cli_usage_error(u->a.cmd, "%s given twice, or with --reset", opt);
    }
    json_object_set_new(u->body, member, v);
    return GRANTD_EXIT_OK;
}

/* Appends optarg to the list member (created by its first option). */
static int append(struct update_args *u, const char *member)
{
    json_t *list = json_object_get(u->body, member);
    if (!list) {
        list = json_array();
        json_object_set_new(u->body, member, list);
    } else if (!json_is_array(list) || json_array_size(list) == 0) {
        return grantd_cli_usage_error(u->a.cmd, "%s given with --reset", member);
    }
    json_array_append_new(list, json_string(optarg));
    return GRANTD_EXIT_OK;
}

/* A lifetime: a decimal number of seconds is sent as a number (the body's rules judge its
 * range), anything else as the string it is ("never"; the rules refuse the rest). */
static int put_ttl(struct update_args *u, const char *member, const char *opt)
{
    char *end = NULL;
    long long n = strtoll(optarg, &end, 10);
    int digits = optarg[0] >= '0' && optarg[0] <= '9' && end && *end == '\0';
    return put(u, member, digits ? json_integer(n) : json_string(optarg), opt);
}

static int put_reset(struct update_args *u)
{
    for (size_t i = 0; i < sizeof(resets) / sizeof(resets[0]); i++)
        if (strcmp(optarg, resets[i].option) == 0)
            return put(u, resets[i].member, resets[i].list ? json_array() : json_null(),
                       "--reset");
    return grantd_cli_usage_error(u->a.cmd,
                                  "--reset '%.64s': one of code-ttl, access-ttl, refresh-ttl, "
                                  "id-token-signed-response-alg, resources, "
                                  "post-logout-redirect-uris", optarg);
}

/* The boolean options: 'w', 'p', 'a', 'i' turn a setting on, their capitals off ('c', 'd'
 * and 'h' are the common options'). */
static const char *flag_member(int opt)
{
    switch (opt) {
    case 'w': case 'W': return "redirect_uri_wildcard";
    case 'p': case 'P': return "allow_plain_pkce";
    case 'a': case 'A': return "always_consent";
    case 'i': case 'I': return "introspect_any";
    default: return NULL;
    }
}

static int update_option(void *ctx, int opt)
{
    struct update_args *u = ctx;
    const char *flag = flag_member(opt);
    if (flag)
        return put(u, flag, json_boolean(opt >= 'a'), flag);
    switch (opt) {
    case 'n': return put(u, "client_name", json_string(optarg), "--name");
    case 's': return put(u, "scope", json_string(optarg), "--scope");
    case 'r': return append(u, "redirect_uris");
    case 'g': return append(u, "grant_types");
    case 'e': return append(u, "resources");
    case 'L': return append(u, "post_logout_redirect_uris");
    case 'G':
        return put(u, "id_token_signed_response_alg", json_string(optarg),
                   "--id-token-signed-response-alg");
    case 'F': return put(u, "access_token_format", json_string(optarg), "--access-token-format");
    case '1': return put_ttl(u, "code_ttl", "--code-ttl");
    case '2': return put_ttl(u, "access_ttl", "--access-ttl");
    case '3': return put_ttl(u, "refresh_ttl", "--refresh-ttl");
    case 'k': return put(u, "allow_insecure_redirect", json_true(), "--allow-insecure-redirect");
    case 'x': return put_reset(u);
    case 'j': u->json = 1; return GRANTD_EXIT_OK;
    default: return grantd_cli_usage_error(u->a.cmd, "unexpected option (see --help)");
    }
}

static int parse_update(struct update_args *u, int argc, char **argv, const char **id)
{
    static const struct option opts[] = {
        GRANTD_ADMIN_COMMON_OPTIONS,
        {"name", required_argument, NULL, 'n'},
        {"scope", required_argument, NULL, 's'},
        {"redirect-uri", required_argument, NULL, 'r'},
        {"grant", required_argument, NULL, 'g'},
        {"resource", required_argument, NULL, 'e'},
        {"post-logout-redirect-uri", required_argument, NULL, 'L'},
        {"id-token-signed-response-alg", required_argument, NULL, 'G'},
        {"access-token-format", required_argument, NULL, 'F'},
        {"code-ttl", required_argument, NULL, '1'},
        {"access-ttl", required_argument, NULL, '2'},
        {"refresh-ttl", required_argument, NULL, '3'},
        {"redirect-uri-wildcard", no_argument, NULL, 'w'},
        {"no-redirect-uri-wildcard", no_argument, NULL, 'W'},
        {"allow-plain-pkce", no_argument, NULL, 'p'},
        {"no-allow-plain-pkce", no_argument, NULL, 'P'},
        {"always-consent", no_argument, NULL, 'a'},
        {"no-always-consent", no_argument, NULL, 'A'},
        {"introspect-any", no_argument, NULL, 'i'},
        {"no-introspect-any", no_argument, NULL, 'I'},
        {"allow-insecure-redirect", no_argument, NULL, 'k'},
        {"reset", required_argument, NULL, 'x'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    int rc = grantd_admin_options(&u->a, argc, argv, opts, update_option, u);
    if (rc == GRANTD_EXIT_OK)
        rc = grantd_admin_positionals(&u->a, argc, argv, 1, 1, "CLIENT_ID");
    if (rc != GRANTD_EXIT_OK)
        return rc;
    *id = argv[optind];
    size_t members = json_object_size(u->body);
    if (json_object_get(u->body, "allow_insecure_redirect"))
        members--; /* not a setting: it only lets this change register http:// URIs */
    if (members == 0)
        return grantd_cli_usage_error(u->a.cmd, "nothing to change (see --help)");
    return GRANTD_EXIT_OK;
}

int grantd_cli_client_update(int argc, char **argv)
{
    struct update_args u = {.body = json_object()};
    struct grantd_admin_session s;
    struct grantd_client cl;
    const char *id = NULL, *why = NULL;
    char *body = NULL;
    grantd_admin_args_init(&u.a, "client update", update_usage);
    int rc = grantd_admin_start(&s, &u.a, parse_update(&u, argc, argv, &id));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    body = json_dumps(u.body, JSON_COMPACT);
    grantd_rc src = grantd_store_client_get(s.store, s.arena, s.tenant, id, &cl);
    if (src == GRANTD_ENOTFOUND) {
        rc = grantd_admin_fail(u.a.cmd, "client '%s' not found", id);
        goto out;
    }
    if (src != GRANTD_OK) {
        rc = grantd_admin_store_fail(u.a.cmd, "database", src);
        goto out;
    }
    if (grantd_api_client_parse(s.arena, body, strlen(body), 1, &cl, &why) != GRANTD_OK) {
        rc = grantd_cli_usage_error(u.a.cmd, "%s", why);
        goto out;
    }
    src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_end(&s, -1, "client.update", "client", id,
                                     grantd_audit_members(body, strlen(body)),
                                     grantd_store_client_update(s.store, &cl,
                                                                grantd_clock_now()));
    if (src == GRANTD_OK)
        src = grantd_store_client_get(s.store, s.arena, s.tenant, id, &cl);
    if (src != GRANTD_OK) {
        rc = src == GRANTD_ENOTFOUND ? grantd_admin_fail(u.a.cmd, "client '%s' not found", id)
                                     : grantd_admin_store_fail(u.a.cmd, "database", src);
        goto out;
    }
    grantd_admin_wait_caches();
    if (u.json)
        grantd_admin_print_json(grantd_cli_client_json(&cl, NULL));
    else
        grantd_cli_client_print(&cl, NULL);
    rc = grantd_admin_finish(u.a.cmd, GRANTD_EXIT_OK);
out:
    free(body);
    json_decref(u.body);
    return grantd_admin_end(&s, rc);
}
