/* grantd tenant create | list | show: the issuers one grantd serves.
 *
 * Every grantd has the default tenant, whose issuer is the configured one (`issuer`, or
 * derived from `listen`). A tenant created here is another issuer in the same process, with
 * its own clients, users, consents, codes, tokens and signing keys (--tenant on the client,
 * user and key commands), and its own profile: the text of a profile file
 * (examples/profiles/) stored with the tenant, applied over the server's configuration.
 *
 * Its --issuer is either an absolute URL (requests are routed to it by their Host header
 * and path prefix: the URL's authority and path) or a path prefix such as /admin (routed by
 * the prefix alone, its issuer being the default issuer's URL followed by the prefix).
 * Running servers serve a new tenant without a restart, by the time create returns (it waits
 * GRANTD_STORE_CHANGE_BOUND_MS after the commit; cli/issuers.c follows the tenants). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/admin.h"
#include "core/clock.h"
#include "core/config.h"
#include "oauth/routes.h"

#define COMMON_HELP                                                                          \
    "  --config FILE  configuration file\n"                                                  \
    "  --db URL       database URL (e.g. sqlite:grantd.db)\n"                                \
    "  --json         print JSON\n"                                                          \
    "  --help         this text\n"

static const char create_usage[] =
    "Usage: grantd tenant create NAME --issuer URL|/PREFIX [--profile FILE] [--json]\n"
    "                            [--config FILE] [--db URL]\n\n"
    "Adds an issuer to this grantd: its own clients, users, tokens and signing keys.\n"
    "NAME is 1..64 letters, digits, '_', '.' or '-'. --issuer is an absolute URL\n"
    "(https://test.apruve.com; requests reach it by Host and path) or a path prefix\n"
    "(/admin: under the default issuer). --profile stores a profile file's settings with\n"
    "the tenant (profile, lifetimes, scopes, account_member, keys.alg, keys.publish_ahead,\n"
    "registration).\n"
    "Restart running servers to serve it.\n\nOptions:\n"
    "  --issuer URL   the issuer URL, or a path prefix\n"
    "  --profile FILE a profile (examples/profiles/*.conf)\n" COMMON_HELP;
static const char list_usage[] =
    "Usage: grantd tenant list [--json] [--config FILE] [--db URL]\n\n"
    "Lists the tenants, the default one first.\n\nOptions:\n" COMMON_HELP;
static const char show_usage[] =
    "Usage: grantd tenant show NAME [--json] [--config FILE] [--db URL]\n\n"
    "Shows one tenant, with its profile's text.\n\nOptions:\n" COMMON_HELP;

struct tenant_args {
    struct grantd_admin_args a;
    const char *name, *issuer, *profile;
    int json;
};

static int valid_name(const char *v)
{
    size_t n = strlen(v);
    return n >= 1 && n <= 64 &&
           strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* Options and the NAME positional (want_name 1) of a tenant subcommand. */
static int parse(struct tenant_args *t, int argc, char **argv, int create, int want_name)
{
    static const struct option plain[] = {
        GRANTD_ADMIN_COMMON_OPTIONS, {"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    static const struct option with_issuer[] = {GRANTD_ADMIN_COMMON_OPTIONS,
                                                {"json", no_argument, NULL, 'j'},
                                                {"issuer", required_argument, NULL, 'i'},
                                                {"profile", required_argument, NULL, 'p'},
                                                {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = grantd_admin_getopt(&t->a, argc, argv, create ? with_issuer : plain)) != -1) {
        if (opt == GRANTD_ADMIN_STOP)
            return grantd_admin_stopped(&t->a);
        if (opt == 'j')
            t->json = 1;
        else if (opt == 'i')
            t->issuer = optarg;
        else
            t->profile = optarg;
    }
    if (t->a.tenant)
        return grantd_cli_usage_error(t->a.cmd, "--tenant does not apply here");
    int rc = grantd_admin_positionals(&t->a, argc, argv, want_name, want_name, "NAME");
    if (rc != GRANTD_EXIT_OK || !want_name)
        return rc;
    t->name = argv[optind];
    if (!valid_name(t->name))
        return grantd_cli_usage_error(t->a.cmd, "NAME must be 1 to 64 letters, digits, '_', "
                                                "'.' or '-'");
    if (!create)
        return GRANTD_EXIT_OK;
    if (!t->issuer)
        return grantd_cli_usage_error(t->a.cmd, "--issuer is required");
    const char *why = t->issuer[0] == '/' ? grantd_config_check_path(t->issuer)
                                          : grantd_config_check_issuer(t->issuer);
    if (why)
        return grantd_cli_usage_error(t->a.cmd, "--issuer %s", why);
    if (t->issuer[0] == '/' && t->issuer[strlen(t->issuer) - 1] == '/')
        return grantd_cli_usage_error(t->a.cmd, "--issuer must not end with a slash");
    return GRANTD_EXIT_OK;
}

/* The profile's name, from its text (NULL when none or unreadable). */
static const char *profile_name(struct grantd_admin_session *s, const struct grantd_tenant *t)
{
    if (!t->profile)
        return NULL;
    struct grantd_config c;
    char err[256];
    const char *name = NULL;
    grantd_config_copy(&c, &s->cfg);
    if (grantd_config_load_issuer(&c, t->profile, t->name, err, sizeof(err)) == GRANTD_OK &&
        c.profile.name)
        name = grantd_arena_strdup(s->arena, c.profile.name);
    grantd_config_free(&c);
    return name;
}

/* The profile as the text output names it: its name, "(unnamed)" or "none". */
static const char *profile_label(struct grantd_admin_session *s, const struct grantd_tenant *t)
{
    const char *pn = profile_name(s, t);
    return pn ? pn : (t->profile ? "(unnamed)" : "none");
}

static json_t *tenant_json(struct grantd_admin_session *s, const struct grantd_tenant *t,
                           int with_text)
{
    char when[32];
    grantd_admin_format_time(t->created_at, when);
    json_t *o = json_pack("{s:I,s:s,s:s?,s:s?,s:s}", "id", (json_int_t)t->id, "name", t->name,
                          "issuer", t->issuer, "profile", profile_name(s, t), "created_at",
                          when);
    if (with_text)
        json_object_set_new(o, "profile_text", t->profile ? json_string(t->profile) : json_null());
    return o;
}

/* Reads and checks --profile's file (when given) before anything is written: its text goes
 * to *text (malloc'd; NULL without --profile). A usage error names what is wrong. */
static int read_profile(const struct tenant_args *t, char **text)
{
    struct grantd_config overlay;
    char err[512];
    grantd_config_defaults(&overlay);
    grantd_rc prc = t->profile ? grantd_config_load_issuer_file(&overlay, t->profile, text, err,
                                                                sizeof(err))
                               : GRANTD_OK;
    if (prc == GRANTD_OK)
        prc = grantd_router_check_profile(&grantd_oauth_routes, &overlay.profile, err,
                                          sizeof(err));
    grantd_config_free(&overlay);
    if (prc == GRANTD_OK)
        return GRANTD_EXIT_OK;
    free(*text);
    *text = NULL;
    return grantd_cli_usage_error(t->a.cmd, "%s", err);
}

static int tenant_create(int argc, char **argv)
{
    struct tenant_args t = {0};
    struct grantd_admin_session s;
    char *text = NULL;
    grantd_admin_args_init(&t.a, "tenant create", create_usage);
    int rc = parse(&t, argc, argv, 1, 1);
    if (rc == GRANTD_EXIT_OK)
        rc = read_profile(&t, &text);
    rc = grantd_admin_start(&s, &t.a, rc);
    if (rc != GRANTD_EXIT_OK)
        goto out;
    struct grantd_tenant *all = NULL;
    size_t n = 0;
    grantd_rc src = grantd_store_tenant_list(s.store, s.arena, &all, &n);
    for (size_t i = 0; src == GRANTD_OK && i < n; i++)
        if (all[i].issuer && strcmp(all[i].issuer, t.issuer) == 0) {
            rc = grantd_admin_fail(t.a.cmd, "tenant '%s' already has issuer %s", all[i].name,
                                   t.issuer);
            goto out;
        }
    struct grantd_tenant nt = {.name = t.name, .issuer = t.issuer, .profile = text,
                               .created_at = grantd_clock_now()};
    int64_t id = 0;
    if (src == GRANTD_OK)
        src = grantd_store_tenant_put(s.store, &nt, &id);
    if (src == GRANTD_EEXIST) {
        rc = grantd_admin_fail(t.a.cmd, "a tenant named '%s' exists", t.name);
        goto out;
    }
    if (src != GRANTD_OK) {
        rc = grantd_admin_store_fail(t.a.cmd, "database", src);
        goto out;
    }
    grantd_admin_wait_caches(); /* running servers serve it once this returns */
    struct grantd_tenant got;
    if (grantd_store_tenant_get(s.store, s.arena, id, &got) != GRANTD_OK) {
        rc = grantd_admin_store_fail(t.a.cmd, "database", GRANTD_ESTORE);
        goto out;
    }
    if (t.json) {
        grantd_admin_print_json(tenant_json(&s, &got, 0));
    } else {
        grantd_admin_print_kv("tenant", got.name);
        grantd_admin_print_kv("issuer", got.issuer);
        grantd_admin_print_kv("profile", profile_label(&s, &got));
    }
    rc = grantd_admin_finish(t.a.cmd, GRANTD_EXIT_OK);
out:
    free(text);
    return grantd_admin_end(&s, rc);
}

static json_t *list_item(struct grantd_admin_session *s, const void *records, size_t n,
                         size_t i)
{
    return tenant_json(s, &((const struct grantd_tenant *)records)[i], 0);
}

static grantd_rc list_fetch(struct grantd_admin_session *s, void **records, size_t *n)
{
    return grantd_store_tenant_list(s->store, s->arena, (struct grantd_tenant **)records, n);
}

static void print_table(struct grantd_admin_session *session, const void *records, size_t n)
{
    const struct grantd_tenant *all = records;
    printf("%-6s  %-24s  %-24s  %s\n", "ID", "NAME", "PROFILE", "ISSUER");
    for (size_t i = 0; i < n; i++) {
        const char *pn = profile_name(session, &all[i]);
        printf("%-6lld  %-24s  %-24s  %s\n", (long long)all[i].id, all[i].name,
               pn ? pn : "-", all[i].issuer ? all[i].issuer : "(configured issuer)");
    }
}

static int tenant_list(int argc, char **argv)
{
    static const struct grantd_admin_lister lister = {list_fetch, list_item, print_table};
    struct tenant_args t = {0};
    grantd_admin_args_init(&t.a, "tenant list", list_usage);
    int rc = parse(&t, argc, argv, 0, 0);
    return grantd_admin_list(&t.a, rc, t.json, &lister);
}

static int tenant_show(int argc, char **argv)
{
    struct tenant_args t = {0};
    struct grantd_admin_session s;
    grantd_admin_args_init(&t.a, "tenant show", show_usage);
    int rc = grantd_admin_start(&s, &t.a, parse(&t, argc, argv, 0, 1));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    struct grantd_tenant got;
    grantd_rc src = grantd_store_tenant_find(s.store, s.arena, t.name, &got);
    if (src == GRANTD_ENOTFOUND) {
        rc = grantd_admin_fail(t.a.cmd, "no tenant named '%s'", t.name);
        goto out;
    }
    if (src != GRANTD_OK) {
        rc = grantd_admin_store_fail(t.a.cmd, "database", src);
        goto out;
    }
    if (t.json) {
        grantd_admin_print_json(tenant_json(&s, &got, 1));
    } else {
        char when[32], id[24];
        grantd_admin_format_time(got.created_at, when);
        snprintf(id, sizeof(id), "%lld", (long long)got.id);
        grantd_admin_print_kv("id", id);
        grantd_admin_print_kv("name", got.name);
        grantd_admin_print_kv("issuer", got.issuer ? got.issuer : "(configured issuer)");
        grantd_admin_print_kv("profile", profile_label(&s, &got));
        grantd_admin_print_kv("created_at", when);
        if (got.profile)
            printf("\n%s%s", got.profile,
                   got.profile[strlen(got.profile) - 1] == '\n' ? "" : "\n");
    }
    rc = grantd_admin_finish(t.a.cmd, GRANTD_EXIT_OK);
out:
    return grantd_admin_end(&s, rc);
}

static const struct grantd_admin_cmd tenant_commands[] = {
    {"create", tenant_create, "add an issuer (prints it)"},
    {"list", tenant_list, "list the issuers"},
    {"show", tenant_show, "show one issuer and its profile"},
};

int grantd_cli_tenant(int argc, char **argv)
{
    return grantd_admin_dispatch("tenant", tenant_commands, GRANTD_ADMIN_COUNT(tenant_commands),
                                 argc, argv);
}
