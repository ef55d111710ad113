/* grantd admin-key create | list | revoke: the keys of the admin API (docs/admin-api.md),
 * sent as `Authorization: Bearer KEY` to the admin listener's /v1/tenants.
 *
 * create prints the key once ("grantd_ak_" and 43 base64url characters: 32 random bytes);
 * grantd keeps only its keyed hash, as for client secrets. A key made with --tenant sees
 * that tenant alone (every other answers 404, as if it did not exist); without, every
 * tenant. revoke stops a key at once: the server reads keys from the store at every
 * request. */
#include <stdio.h>
#include <string.h>

#include "admin/api.h"
#include "admin/rules.h"
#include "cli/admin.h"
#include "core/clock.h"

#define NAME_MAX_LEN 200

#define COMMON_HELP                                                                          \
    "  --config FILE  configuration file\n"                                                  \
    "  --db URL       database URL (e.g. sqlite:grantd.db)\n"                                \
    "  --help         this text\n"

static const char create_usage[] =
    "Usage: grantd admin-key create --name NAME [--tenant T] [--json] [--config FILE]\n"
    "                               [--db URL]\n\n"
    "Creates an admin API key and prints it once; grantd keeps only a keyed hash of it.\n"
    "Send it as 'Authorization: Bearer KEY' to the admin listener's /v1/tenants.\n\n"
    "Options:\n"
    "  --name NAME    who or what holds the key (required; shown in logs)\n"
    "  --tenant T     the one tenant the key may see (default: every tenant)\n"
    "  --json         print one JSON object\n" COMMON_HELP;
static const char list_usage[] =
    "Usage: grantd admin-key list [--json] [--config FILE] [--db URL]\n\n"
    "Lists the admin API keys, oldest first (never the keys themselves).\n\nOptions:\n"
    "  --json         print one JSON array\n" COMMON_HELP;
static const char revoke_usage[] =
    "Usage: grantd admin-key revoke ID [--config FILE] [--db URL]\n\n"
    "Revokes an admin API key: the next request with it is refused (401).\n\nOptions:\n"
    COMMON_HELP;

/* [--json] [--name NAME] and want positional IDs. */
static int parse(struct grantd_admin_args *a, int argc, char **argv, int want, int *json,
                 const char **name)
{
    static const struct option opts[] = {GRANTD_ADMIN_COMMON_OPTIONS,
                                         {"json", no_argument, NULL, 'j'},
                                         {"name", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = grantd_admin_getopt(a, argc, argv, opts)) != -1) {
        if (opt == GRANTD_ADMIN_STOP)
            return grantd_admin_stopped(a);
        if (opt == 'j' && json) {
            *json = 1;
        } else if (opt == 'n' && name) {
            if (*name)
                return grantd_cli_usage_error(a->cmd, "--name given twice");
            *name = optarg;
        } else {
            return grantd_cli_usage_error(a->cmd, "unexpected option (see --help)");
        }
    }
    if (a->tenant && !name)
        return grantd_cli_usage_error(a->cmd, "--tenant applies to create only");
    return grantd_admin_positionals(a, argc, argv, want, want, "ID");
}

static json_t *key_json(struct grantd_admin_session *s, const struct grantd_admin_key *k)
{
    struct grantd_tenant t;
    const char *tenant = NULL;
    if (k->tenant && grantd_store_tenant_get(s->store, s->arena, k->tenant, &t) == GRANTD_OK)
        tenant = t.name;
    return json_pack("{s:s,s:s,s:s?,s:I,s:o}", "id", k->id, "name", k->name, "tenant", tenant,
                     "created_at", (json_int_t)k->created_at, "revoked_at",
                     k->revoked_at ? json_integer(k->revoked_at) : json_null());
}

static int create_checks(struct grantd_admin_args *a, const char *name)
{
    const char *why;
    if (!name)
        return grantd_cli_usage_error(a->cmd, "--name is required");
    if ((why = grantd_rules_name_why(name)) != NULL)
        return grantd_cli_usage_error(a->cmd, "--name %s", why);
    return GRANTD_EXIT_OK;
}

static void create_output(struct grantd_admin_session *s, const struct grantd_admin_key *k,
                          const char *text, int json)
{
    const char *note = "the key is shown only once; store it now (grantd keeps only a hash)";
    json_t *o = key_json(s, k);
    if (json) {
        json_object_set_new(o, "key", json_string(text));
        grantd_admin_print_json(o);
        return;
    }
    const char *tenant = json_string_value(json_object_get(o, "tenant"));
    grantd_admin_print_kv("id", k->id);
    grantd_admin_print_kv("name", k->name);
    grantd_admin_print_kv("tenant", tenant ? tenant : "(every tenant)");
    grantd_admin_print_kv("key", text);
    grantd_admin_print_kv("note", note);
    json_decref(o);
}

static int key_create(int argc, char **argv)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    struct grantd_admin_key k;
    const char *name = NULL;
    char id[32], text[GRANTD_API_KEY_LEN] = "";
    int json = 0;
    memset(&k, 0, sizeof(k));
    grantd_admin_args_init(&a, "admin-key create", create_usage);
    int rc = parse(&a, argc, argv, 0, &json, &name);
    if (rc == GRANTD_EXIT_OK)
        rc = create_checks(&a, name);
    rc = grantd_admin_start(&s, &a, rc);
    if (rc != GRANTD_EXIT_OK)
        goto out;
    k.id = id;
    k.name = name;
    k.tenant = a.tenant ? s.tenant : 0;
    k.created_at = grantd_clock_now();
    grantd_rc src = grantd_rules_random_id(id);
    if (src == GRANTD_OK)
        src = grantd_api_key_new(s.store, text, k.hash);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_end(&s, k.tenant, "admin_key.create", "admin_key", k.id,
                                     json_pack("{s:s}", "name", k.name),
                                     grantd_store_admin_key_put(s.store, &k));
    if (src != GRANTD_OK) {
        rc = grantd_admin_store_fail(a.cmd, "cannot store the key", src);
        goto out;
    }
    create_output(&s, &k, text, json);
    rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
out:
    explicit_bzero(text, sizeof(text));
    return grantd_admin_end(&s, rc);
}

static grantd_rc list_fetch(struct grantd_admin_session *s, void **records, size_t *n)
{
    return grantd_store_admin_key_list(s->store, s->arena, (struct grantd_admin_key **)records,
                                       n);
}

static json_t *list_item(struct grantd_admin_session *s, const void *records, size_t n,
                         size_t i)
{
    return key_json(s, &((const struct grantd_admin_key *)records)[i]);
}

static void print_table(struct grantd_admin_session *s, const void *records, size_t n)
{
    const struct grantd_admin_key *list = records;
    char created[32];
    printf("%-22s  %-8s  %-20s  %-16s  %s\n", "ID", "STATUS", "CREATED", "TENANT", "NAME");
    for (size_t i = 0; i < n; i++) {
        json_t *o = key_json(s, &list[i]);
        const char *tenant = json_string_value(json_object_get(o, "tenant"));
        grantd_admin_format_time(list[i].created_at, created);
        printf("%-22s  %-8s  %-20s  %-16s  %s\n", list[i].id,
               list[i].revoked_at ? "revoked" : "live", created, tenant ? tenant : "*",
               list[i].name);
        json_decref(o);
    }
}

static int key_list(int argc, char **argv)
{
    static const struct grantd_admin_lister lister = {list_fetch, list_item, print_table};
    struct grantd_admin_args a;
    int json = 0;
    grantd_admin_args_init(&a, "admin-key list", list_usage);
    int rc = parse(&a, argc, argv, 0, &json, NULL);
    return grantd_admin_list(&a, rc, json, &lister);
}

/* The tenant of admin key id (0: every tenant), which its audit entry names. */
static grantd_rc key_tenant(struct grantd_admin_session *s, const char *id, int64_t *tenant)
{
    struct grantd_admin_key *list = NULL;
    size_t n = 0;
    grantd_rc rc = grantd_store_admin_key_list(s->store, s->arena, &list, &n);
    for (size_t i = 0; rc == GRANTD_OK && i < n; i++)
        if (strcmp(list[i].id, id) == 0) {
            *tenant = list[i].tenant;
            return GRANTD_OK;
        }
    return rc == GRANTD_OK ? GRANTD_ENOTFOUND : rc;
}

static int key_revoke(int argc, char **argv)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    grantd_admin_args_init(&a, "admin-key revoke", revoke_usage);
    int rc = grantd_admin_start(&s, &a, parse(&a, argc, argv, 1, NULL, NULL));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    const char *id = argv[optind];
    int64_t tenant = 0;
    grantd_rc src = key_tenant(&s, id, &tenant);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_end(&s, tenant, "admin_key.revoke", "admin_key", id, NULL,
                                     grantd_store_admin_key_revoke(s.store, id,
                                                                   grantd_clock_now()));
    if (src == GRANTD_ENOTFOUND)
        rc = grantd_admin_fail(a.cmd, "no admin key '%.64s'", id);
    else if (src != GRANTD_OK)
        rc = grantd_admin_store_fail(a.cmd, "database", src);
    else {
        printf("admin key '%s' revoked\n", id);
        rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
    }
out:
    return grantd_admin_end(&s, rc);
}

static const struct grantd_admin_cmd key_commands[] = {
    {"create", key_create, "create an admin API key (prints it once)"},
    {"list", key_list, "list admin API keys"},
    {"revoke", key_revoke, "revoke an admin API key"},
};

int grantd_cli_admin_key(int argc, char **argv)
{
    return grantd_admin_dispatch("admin-key", key_commands, GRANTD_ADMIN_COUNT(key_commands),
                                 argc, argv);
}
