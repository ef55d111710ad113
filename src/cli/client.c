/* grantd client: the subcommand table, and `client create`, which validates every argument
 * (redirect URIs, post-logout redirect URIs, ID token algorithm, scope, grants, id, flags,
 * lifetimes) before it opens the store, generates the client_id and secret, stores only the
 * secret's keyed hash, and shows the secret once.
 * The other subcommands are in client_manage.c and client_update.c. */
#include <stdio.h>
#include <string.h>

#include "admin/audit.h"
#include "cli/client_int.h"
#include "core/clock.h"
#include "oauth/redirect_uri.h"
#include "oauth/resource.h"
#include "oauth/scope.h"

#define CREATE_MAX_URIS GRANTD_CLIENT_MAX_URIS

static const char create_usage[] =
    "Usage: grantd client create --name NAME [--id CLIENT_ID] [--redirect-uri URI]...\n"
    "                            [--scope \"A B\"] [--grant TYPE]... [--public] [--json]\n"
    "                            [--allow-insecure-redirect] [--redirect-uri-wildcard]\n"
    "                            [--allow-plain-pkce] [--always-consent]\n"
    "                            [--access-token-format opaque|jwt] [--introspect-any]\n"
    "                            [--resource URI]...\n"
    "                            [--post-logout-redirect-uri URI]...\n"
    "                            [--id-token-signed-response-alg RS256|ES256]\n"
    "                            [--code-ttl S] [--access-ttl S] [--refresh-ttl S|never]\n"
    "                            [--config FILE] [--db URL]\n"
    "\n"
    "Registers a client. Confidential clients (the default) get a secret, printed once;\n"
    "grantd keeps only a keyed hash of it. Public clients (--public: apps that cannot keep\n"
    "a secret) have none and must use PKCE.\n"
    "\n"
    "Options:\n"
    "  --name NAME          display name (required)\n"
    "  --id CLIENT_ID       client_id, 1..128 of [A-Za-z0-9._~-] (default: random)\n"
    "  --redirect-uri URI   a redirect URI (repeatable): https, a loopback http URI\n"
    "                       (127.0.0.1, [::1], localhost) or a private-use scheme such as\n"
    "                       com.example.app:/cb; no fragment, userinfo or whitespace,\n"
    "                       no '*' without --redirect-uri-wildcard\n"
    "  --scope \"A B\"        the scopes the client may ask for, space-separated\n"
    "  --grant TYPE         authorization_code, refresh_token or client_credentials\n"
    "                       (repeatable; default: authorization_code and refresh_token)\n"
    "  --public             a public client: no secret, no client_credentials\n"
    "  --allow-insecure-redirect  accept http:// redirect URIs on any host (development)\n"
    "  --redirect-uri-wildcard    let each https redirect URI hold one '*': the whole\n"
    "                       leftmost host label (https://*.example.com/cb) or a path\n"
    "                       suffix after a '/' (https://app.example.com/cb/*); the client\n"
    "                       must then always send redirect_uri (see docs/redirect-uris.md)\n"
    "  --allow-plain-pkce   accept code_challenge_method=plain (default: S256 only)\n"
    "  --always-consent     show the consent page every time, even when the user has\n"
    "                       already granted the scopes\n"
    "  --access-token-format opaque|jwt\n"
    "                       opaque random access tokens (default), or signed JWTs\n"
    "                       (RFC 9068) that APIs can check without asking grantd\n"
    "  --introspect-any     may introspect every token, not only its own (for APIs)\n"
    "  --resource URI       an API the client may ask tokens for (repeatable; RFC 8707\n"
    "                       resource indicators): an absolute URI without a fragment; a\n"
    "                       token asked for it names it as its audience (JWT aud,\n"
    "                       introspection's aud, /check's X-Grantd-Audience)\n"
    "  --post-logout-redirect-uri URI\n"
    "                       where OpenID Connect logout may send the user back\n"
    "                       (repeatable; matched exactly): the rules of --redirect-uri,\n"
    "                       without '*'\n"
    "  --id-token-signed-response-alg RS256|ES256\n"
    "                       the algorithm of the client's ID tokens (default: RS256)\n"
    "  --code-ttl S         authorization codes live S seconds (1..3600)\n"
    "  --access-ttl S       access tokens live S seconds (1..31536000)\n"
    "  --refresh-ttl S|never\n"
    "                       refresh tokens live S seconds (1..315360000), or never\n"
    "                       expire (never, or 0); without these three options the\n"
    "                       server's lifetimes (configuration file) apply\n"
    "  --json               print one JSON object\n"
    "  --config FILE        configuration file\n"
    "  --db URL             database URL (e.g. sqlite:grantd.db)\n"
    "  --tenant NAME        the issuer (grantd tenant list; default: the default tenant)\n"
    "  --help               this text\n";

struct create_args {
    struct grantd_admin_args a;
    const char *name, *id, *scope, *format, *code_ttl, *access_ttl, *refresh_ttl;
    const char *uris[CREATE_MAX_URIS];
    size_t uri_count;
    const char *resources[GRANTD_RESOURCE_MAX];
    size_t resource_count;
    const char *logout_uris[CREATE_MAX_URIS]; /* --post-logout-redirect-uri */
    size_t logout_count;
    const char *id_token_alg;                 /* --id-token-signed-response-alg */
    unsigned grants, flags;
    int is_public, json, insecure;
    int64_t ttl[3]; /* code, access, refresh: 0 = the server's default */
    char norm_scope[GRANTD_CLIENT_SCOPE_MAX + 1];
};

/* Stores a single-valued option, refusing a second one. */
static int set_once(struct create_args *c, const char **slot, const char *opt)
{
    if (*slot)
        return grantd_cli_usage_error(c->a.cmd, "%s given twice", opt);
    *slot = optarg;
    return GRANTD_EXIT_OK;
}

/* Appends optarg to list (a repeated URI is registered once), at most CREATE_MAX_URIS. */
static int add_to(struct create_args *c, const char **list, size_t *count, const char *what)
{
    for (size_t i = 0; i < *count; i++)
        if (strcmp(list[i], optarg) == 0)
            return GRANTD_EXIT_OK; /* the same URI twice registers it once */
    if (*count == CREATE_MAX_URIS)
        return grantd_cli_usage_error(c->a.cmd, "at most %d %s", CREATE_MAX_URIS, what);
    list[(*count)++] = optarg;
    return GRANTD_EXIT_OK;
}

static int add_uri(struct create_args *c)
{
    return add_to(c, c->uris, &c->uri_count, "redirect URIs");
}

static int add_resource(struct create_args *c)
{
    const char *why = grantd_resource_problem(optarg);
    if (why)
        return grantd_cli_usage_error(c->a.cmd, "--resource '%.256s': %s", optarg, why);
    for (size_t i = 0; i < c->resource_count; i++)
        if (strcmp(c->resources[i], optarg) == 0)
            return GRANTD_EXIT_OK; /* the same resource twice registers it once */
    if (c->resource_count == GRANTD_RESOURCE_MAX)
        return grantd_cli_usage_error(c->a.cmd, "at most %d resources", GRANTD_RESOURCE_MAX);
    c->resources[c->resource_count++] = optarg;
    return GRANTD_EXIT_OK;
}

static int create_option(void *ctx, int opt)
{
    struct create_args *c = ctx;
    switch (opt) {
    case 'n': return set_once(c, &c->name, "--name");
    case 'i': return set_once(c, &c->id, "--id");
    case 's': return set_once(c, &c->scope, "--scope");
    case 'r': return add_uri(c);
    case 'e': return add_resource(c);
    case 'L': return add_to(c, c->logout_uris, &c->logout_count, "post-logout redirect URIs");
    case 'G': return set_once(c, &c->id_token_alg, "--id-token-signed-response-alg");
    case 'p': c->is_public = 1; return GRANTD_EXIT_OK;
    case 'j': c->json = 1; return GRANTD_EXIT_OK;
    case 'k': c->insecure = 1; return GRANTD_EXIT_OK;
    case 'W': c->flags |= GRANTD_CLIENT_REDIRECT_WILDCARD; return GRANTD_EXIT_OK;
    case 'P': c->flags |= GRANTD_CLIENT_ALLOW_PLAIN_PKCE; return GRANTD_EXIT_OK;
    case 'A': c->flags |= GRANTD_CLIENT_ALWAYS_CONSENT; return GRANTD_EXIT_OK;
    case 'I': c->flags |= GRANTD_CLIENT_INTROSPECT_ANY; return GRANTD_EXIT_OK;
    case 'F': return set_once(c, &c->format, "--access-token-format");
    case 'C': return set_once(c, &c->code_ttl, "--code-ttl");
    case 'T': return set_once(c, &c->access_ttl, "--access-ttl");
    case 'R': return set_once(c, &c->refresh_ttl, "--refresh-ttl");
    case 'g':
        if (grantd_rules_grant_parse(optarg, &c->grants))
            return GRANTD_EXIT_OK;
        return grantd_cli_usage_error(c->a.cmd, "unknown grant type '%.64s' (known: %s)", optarg,
                                      grantd_rules_grant_names());
    default:
        return grantd_cli_usage_error(c->a.cmd, "unexpected option (see --help)");
    }
}

static int parse_create(struct create_args *c, int argc, char **argv)
{
    static const struct option opts[] = {
        GRANTD_ADMIN_COMMON_OPTIONS,
        {"name", required_argument, NULL, 'n'},
        {"id", required_argument, NULL, 'i'},
        {"redirect-uri", required_argument, NULL, 'r'},
        {"resource", required_argument, NULL, 'e'},
        {"post-logout-redirect-uri", required_argument, NULL, 'L'},
        {"id-token-signed-response-alg", required_argument, NULL, 'G'},
        {"scope", required_argument, NULL, 's'},
        {"grant", required_argument, NULL, 'g'},
        {"public", no_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},
        {"allow-insecure-redirect", no_argument, NULL, 'k'},
        {"redirect-uri-wildcard", no_argument, NULL, 'W'},
        {"allow-plain-pkce", no_argument, NULL, 'P'},
        {"always-consent", no_argument, NULL, 'A'},
        {"introspect-any", no_argument, NULL, 'I'},
        {"access-token-format", required_argument, NULL, 'F'},
        {"code-ttl", required_argument, NULL, 'C'},
        {"access-ttl", required_argument, NULL, 'T'},
        {"refresh-ttl", required_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    int rc = grantd_admin_options(&c->a, argc, argv, opts, create_option, c);
    if (rc != GRANTD_EXIT_OK)
        return rc;
    return grantd_admin_positionals(&c->a, argc, argv, 0, 0, "");
}

/* --access-token-format and the lifetimes. */
static int validate_tokens(struct create_args *c)
{
    const char *cmd = c->a.cmd;
    if (c->format && strcmp(c->format, "jwt") == 0)
        c->flags |= GRANTD_CLIENT_JWT_ACCESS;
    else if (c->format && strcmp(c->format, "opaque") != 0)
        return grantd_cli_usage_error(cmd, "--access-token-format must be opaque or jwt");
    static const struct {
        const char *opt;
        int64_t max;
        int never;
    } lim[3] = {{"--code-ttl", GRANTD_CLIENT_CODE_TTL_MAX, 0},
                {"--access-ttl", GRANTD_CLIENT_ACCESS_TTL_MAX, 0},
                {"--refresh-ttl", GRANTD_CLIENT_REFRESH_TTL_MAX, 1}};
    const char *values[3] = {c->code_ttl, c->access_ttl, c->refresh_ttl};
    for (int i = 0; i < 3; i++) {
        if (values[i] && !grantd_cli_ttl_parse(values[i], lim[i].max, lim[i].never, &c->ttl[i]))
            return grantd_cli_usage_error(cmd, "%s must be a number of seconds from 1 to %lld%s",
                                          lim[i].opt, (long long)lim[i].max,
                                          lim[i].never ? ", or never" : "");
    }
    return GRANTD_EXIT_OK;
}

/* Everything that can be wrong with the arguments, checked before the store is opened. */
static int validate_create(struct create_args *c)
{
    const char *cmd = c->a.cmd, *why;
    if (!c->name)
        return grantd_cli_usage_error(cmd, "--name is required");
    if ((why = grantd_rules_name_why(c->name)) != NULL)
        return grantd_cli_usage_error(cmd, "--name %s", why);
    if (c->id && !grantd_rules_client_id_valid(c->id))
        return grantd_cli_usage_error(cmd, "--id must be 1 to 128 characters of "
                                           "A-Z a-z 0-9 . _ ~ -");
    int wildcard = (c->flags & GRANTD_CLIENT_REDIRECT_WILDCARD) != 0;
    for (size_t i = 0; i < c->uri_count; i++) {
        if (grantd_redirect_uri_check_registration(c->uris[i], c->insecure, wildcard, &why) !=
            GRANTD_OK)
            return grantd_cli_usage_error(cmd, "--redirect-uri '%.256s': %s", c->uris[i], why);
    }
    for (size_t i = 0; i < c->logout_count; i++) {
        if ((why = grantd_rules_post_logout_uri_why(c->logout_uris[i], c->insecure)) != NULL)
            return grantd_cli_usage_error(cmd, "--post-logout-redirect-uri '%.256s': %s",
                                          c->logout_uris[i], why);
    }
    if (c->id_token_alg && !grantd_rules_id_token_alg(c->id_token_alg))
        return grantd_cli_usage_error(cmd, "--id-token-signed-response-alg must be RS256 or "
                                           "ES256");
    why = grantd_rules_scope_normalize(c->scope ? c->scope : "", c->norm_scope,
                                       sizeof(c->norm_scope));
    if (why)
        return grantd_cli_usage_error(cmd, "--scope %s", why);
    if (!c->grants)
        c->grants = GRANTD_GRANT_AUTHORIZATION_CODE | GRANTD_GRANT_REFRESH_TOKEN;
    if (c->is_public && (c->grants & GRANTD_GRANT_CLIENT_CREDENTIALS))
        return grantd_cli_usage_error(cmd, "public clients cannot use client_credentials "
                                           "(they have no secret)");
    return validate_tokens(c);
}

static void create_output(const struct create_args *c, const struct grantd_client *cl,
                          const char *secret)
{
    if (c->json)
        grantd_admin_print_json(grantd_cli_client_json(cl, secret));
    else
        grantd_cli_client_print(cl, secret);
}

static int client_create(int argc, char **argv)
{
    struct create_args c;
    struct grantd_admin_session s;
    struct grantd_client cl;
    char id[32], secret[GRANTD_CLIENT_SECRET_LEN];
    memset(&c, 0, sizeof(c));
    memset(&cl, 0, sizeof(cl));
    grantd_admin_args_init(&c.a, "client create", create_usage);
    secret[0] = '\0';
    int rc = parse_create(&c, argc, argv);
    if (rc == GRANTD_EXIT_OK)
        rc = validate_create(&c);
    rc = grantd_admin_start(&s, &c.a, rc);
    if (rc != GRANTD_EXIT_OK)
        goto out;
    rc = GRANTD_EXIT_FAIL;
    if (!c.id && grantd_rules_random_id(id) != GRANTD_OK) {
        grantd_admin_fail(c.a.cmd, "cannot generate a client_id");
        goto out;
    }
    cl.tenant = s.tenant;
    cl.id = c.id ? c.id : id;
    cl.name = c.name;
    cl.is_public = c.is_public;
    cl.redirect_uris = c.uris;
    cl.redirect_uri_count = c.uri_count;
    cl.scope = c.norm_scope;
    cl.resources = grantd_scope_join(s.arena, c.resources, c.resource_count);
    cl.post_logout_redirect_uris = grantd_scope_join(s.arena, c.logout_uris, c.logout_count);
    cl.id_token_alg = c.id_token_alg ? grantd_rules_id_token_alg(c.id_token_alg) : NULL;
    cl.grants = c.grants;
    cl.flags = c.flags;
    cl.code_ttl = c.ttl[0];
    cl.access_ttl = c.ttl[1];
    cl.refresh_ttl = c.ttl[2];
    cl.created_at = cl.updated_at = grantd_clock_now();
    cl.tokens_after = grantd_clock_now_us();
    if (!c.is_public &&
        grantd_rules_new_secret(s.store, secret, cl.secret_hash) != GRANTD_OK) {
        grantd_admin_fail(c.a.cmd, "cannot generate a client secret");
        goto out;
    }
    grantd_rc src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_end(&s, -1, "client.create", "client", cl.id,
                                     grantd_audit_client_created(&cl),
                                     grantd_store_client_put(s.store, &cl));
    if (src == GRANTD_EEXIST) {
        grantd_admin_fail(c.a.cmd, "client '%s' already exists", cl.id);
        goto out;
    }
    if (src != GRANTD_OK) {
        grantd_admin_store_fail(c.a.cmd, "cannot store the client", src);
        goto out;
    }
    create_output(&c, &cl, c.is_public ? NULL : secret);
    rc = grantd_admin_finish(c.a.cmd, GRANTD_EXIT_OK);
out:
    explicit_bzero(secret, sizeof(secret));
    return grantd_admin_end(&s, rc);
}

static const struct grantd_admin_cmd client_commands[] = {
    {"create", client_create, "register a client (prints its secret once)"},
    {"list", grantd_cli_client_list, "list clients"},
    {"show", grantd_cli_client_show, "show one client"},
    {"update", grantd_cli_client_update, "change a client's settings"},
    {"disable", grantd_cli_client_disable, "stop a client and revoke all its tokens"},
    {"enable", grantd_cli_client_enable, "allow a disabled client again (new secret)"},
    {"rotate-secret", grantd_cli_client_rotate, "replace a client's secret (prints it once)"},
    {"delete", grantd_cli_client_delete, "delete a client"},
};

int grantd_cli_client(int argc, char **argv)
{
    return grantd_admin_dispatch("client", client_commands, GRANTD_ADMIN_COUNT(client_commands),
                                 argc, argv);
}
