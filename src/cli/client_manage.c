/* grantd client list | show | disable | enable | rotate-secret | delete: the subcommands
 * that work on clients already registered. Each takes the client_id as its one positional
 * argument (list takes none); an unknown id exits 1 with "client 'X' not found".
 *
 * disable revokes everything the client was granted in the same store transaction (its
 * tokens, their families, its unused codes, its consents: the store's client_set_disabled);
 * enable therefore brings a client back with no live grant, and with a new secret (printed
 * once, like rotate-secret), so that whoever held the old one has to be given the new. */
#include <stdio.h>
#include <string.h>

#include "cli/client_int.h"
#include "core/clock.h"

#define ID_ARG_MAX 256

#define COMMON_HELP                                                                          \
    "  --config FILE  configuration file\n"                                                  \
    "  --db URL       database URL (e.g. sqlite:grantd.db)\n"                                \
    "  --tenant NAME  the issuer (grantd tenant list; default: the default tenant)\n"        \
    "  --help         this text\n"

static const char list_usage[] =
    "Usage: grantd client list [--json] [--config FILE] [--db URL]\n\n"
    "Lists the registered clients, oldest first. FLAGS shows wildcard (wildcard redirect\n"
    "URIs), plain-pkce (PKCE plain allowed), always-consent, introspect-any and jwt (JWT\n"
    "access tokens), or '-' for none; LIFETIMES the lifetimes set for the client (seconds,\n"
    "or never), or '-' when the server's apply.\n\nOptions:\n"
    "  --json         print one JSON array of client objects\n" COMMON_HELP;
static const char show_usage[] =
    "Usage: grantd client show CLIENT_ID [--json] [--config FILE] [--db URL]\n\n"
    "Shows one client (never its secret, which grantd does not keep).\n\nOptions:\n"
    "  --json         print one JSON object\n" COMMON_HELP;
static const char disable_usage[] =
    "Usage: grantd client disable CLIENT_ID [--config FILE] [--db URL]\n\n"
    "Disables a client: it can no longer authenticate or obtain tokens, and everything it\n"
    "was granted is revoked at once (access and refresh tokens, unused authorization\n"
    "codes, remembered consents).\n\nOptions:\n" COMMON_HELP;
static const char enable_usage[] =
    "Usage: grantd client enable CLIENT_ID [--json] [--config FILE] [--db URL]\n\n"
    "Enables a disabled client again. It starts over: no token from before works, and a\n"
    "confidential client gets a new secret, printed once (the old one stops working).\n\n"
    "Options:\n"
    "  --json         print {\"client_id\": ..., \"disabled\": false, \"client_secret\": ...}\n"
    COMMON_HELP;
static const char rotate_usage[] =
    "Usage: grantd client rotate-secret CLIENT_ID [--json] [--config FILE] [--db URL]\n\n"
    "Replaces a confidential client's secret with a new random one, printed once. The old\n"
    "secret stops working at once.\n\nOptions:\n"
    "  --json         print {\"client_id\": ..., \"client_secret\": ...}\n" COMMON_HELP;
static const char delete_usage[] =
    "Usage: grantd client delete CLIENT_ID [--config FILE] [--db URL]\n\n"
    "Deletes a client. Everything it was granted is revoked first, as by disable, in the\n"
    "same transaction: none of its tokens is accepted anywhere afterwards.\n\nOptions:\n"
    COMMON_HELP;

/* Parses [--json] plus the common options and want_id positional client_id. Returns
 * GRANTD_EXIT_OK, -1 after --help, or a usage error. */
static int parse(struct grantd_admin_args *a, int argc, char **argv, int allow_json,
                 int want_id, int *json, const char **id)
{
    static const struct option with_json[] = {
        GRANTD_ADMIN_COMMON_OPTIONS, {"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    static const struct option plain[] = {GRANTD_ADMIN_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = grantd_admin_getopt(a, argc, argv, allow_json ? with_json : plain)) != -1) {
        if (opt == GRANTD_ADMIN_STOP)
            return grantd_admin_stopped(a);
        *json = 1; /* 'j', the only other option */
    }
    int rc = grantd_admin_positionals(a, argc, argv, want_id, want_id, "CLIENT_ID");
    if (rc != GRANTD_EXIT_OK || !want_id)
        return rc;
    *id = argv[optind];
    if (!**id || strlen(*id) > ID_ARG_MAX)
        return grantd_cli_usage_error(a->cmd, "CLIENT_ID must be 1 to %d bytes", ID_ARG_MAX);
    return GRANTD_EXIT_OK;
}

/* The message for a failed operation on client id. */
static int client_fail(const char *cmd, const char *id, grantd_rc rc)
{
    if (rc == GRANTD_ENOTFOUND)
        return grantd_admin_fail(cmd, "client '%s' not found", id);
    return grantd_admin_store_fail(cmd, "database", rc);
}

/* Widens *w to fit s. */
static void fit(int *w, const char *s)
{
    if ((int)strlen(s) > *w)
        *w = (int)strlen(s);
}

static void print_table(struct grantd_admin_session *s, const void *records, size_t count)
{
    const struct grantd_client *list = records;
    char flags[GRANTD_CLIENT_FLAGS_BRIEF_MAX], ttls[GRANTD_CLIENT_TTLS_BRIEF_MAX];
    int w = 9, fw = 5, tw = 9;
    for (size_t i = 0; i < count; i++) {
        fit(&w, list[i].id);
        grantd_cli_client_flags_brief(list[i].flags, flags, sizeof(flags));
        fit(&fw, flags);
        grantd_cli_client_ttls_brief(&list[i], ttls, sizeof(ttls));
        fit(&tw, ttls);
    }
    printf("%-*s  %-12s  %-8s  %-*s  %-*s  %s\n", w, "CLIENT_ID", "TYPE", "STATUS", fw, "FLAGS",
           tw, "LIFETIMES", "NAME");
    for (size_t i = 0; i < count; i++) {
        grantd_cli_client_flags_brief(list[i].flags, flags, sizeof(flags));
        grantd_cli_client_ttls_brief(&list[i], ttls, sizeof(ttls));
        printf("%-*s  %-12s  %-8s  %-*s  %-*s  %s\n", w, list[i].id,
               list[i].is_public ? "public" : "confidential",
               list[i].disabled ? "disabled" : "enabled", fw, flags, tw, ttls, list[i].name);
    }
}

static json_t *list_item(struct grantd_admin_session *s, const void *records, size_t n,
                         size_t i)
{
    return grantd_cli_client_json(&((const struct grantd_client *)records)[i], NULL);
}

static grantd_rc list_fetch(struct grantd_admin_session *s, void **records, size_t *n)
{
    return grantd_store_client_list(s->store, s->arena, s->tenant,
                                    (struct grantd_client **)records, n);
}

int grantd_cli_client_list(int argc, char **argv)
{
    static const struct grantd_admin_lister lister = {list_fetch, list_item, print_table};
    struct grantd_admin_args a;
    int json = 0;
    grantd_admin_args_init(&a, "client list", list_usage);
    int rc = parse(&a, argc, argv, 1, 0, &json, NULL);
    return grantd_admin_list(&a, rc, json, &lister);
}

int grantd_cli_client_show(int argc, char **argv)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    struct grantd_client cl;
    const char *id = NULL;
    int json = 0;
    grantd_admin_args_init(&a, "client show", show_usage);
    int rc = grantd_admin_start(&s, &a, parse(&a, argc, argv, 1, 1, &json, &id));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    grantd_rc src = grantd_store_client_get(s.store, s.arena, s.tenant, id, &cl);
    if (src != GRANTD_OK) {
        rc = client_fail(a.cmd, id, src);
        goto out;
    }
    if (json)
        grantd_admin_print_json(grantd_cli_client_json(&cl, NULL));
    else
        grantd_cli_client_print(&cl, NULL);
    rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
out:
    return grantd_admin_end(&s, rc);
}

/* disable and delete: one store call on one client, one line of output. */
static int simple_op(int argc, char **argv, const char *cmd, const char *usage, int delete)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    const char *id = NULL;
    int json = 0;
    grantd_admin_args_init(&a, cmd, usage);
    int rc = grantd_admin_start(&s, &a, parse(&a, argc, argv, 0, 1, &json, &id));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    grantd_rc src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_end(
            &s, -1, delete ? "client.delete" : "client.disable", "client", id, NULL,
            delete ? grantd_store_client_delete(s.store, s.tenant, id)
                   : grantd_store_client_set_disabled(s.store, s.tenant, id, 1,
                                                      grantd_clock_now_us()));
    if (src != GRANTD_OK) {
        rc = client_fail(a.cmd, id, src);
        goto out;
    }
    grantd_admin_wait_caches();
    printf("client '%s' %s\n", id, delete ? "deleted" : "disabled");
    rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
out:
    return grantd_admin_end(&s, rc);
}

int grantd_cli_client_disable(int argc, char **argv)
{
    return simple_op(argc, argv, "client disable", disable_usage, 0);
}

int grantd_cli_client_delete(int argc, char **argv)
{
    return simple_op(argc, argv, "client delete", delete_usage, 1);
}

static void enable_output(const char *id, const char *secret, int json)
{
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "client_id", json_string(id));
        json_object_set_new(o, "disabled", json_false());
        if (secret)
            json_object_set_new(o, "client_secret", json_string(secret));
        grantd_admin_print_json(o);
        return;
    }
    grantd_admin_print_kv("client_id", id);
    grantd_admin_print_kv("disabled", "false");
    if (!secret)
        return;
    grantd_admin_print_kv("client_secret", secret);
    grantd_cli_client_secret_note();
}

static void rotate_output(const char *id, const char *secret, int json)
{
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "client_id", json_string(id));
        json_object_set_new(o, "client_secret", json_string(secret));
        grantd_admin_print_json(o);
        return;
    }
    grantd_admin_print_kv("client_id", id);
    grantd_admin_print_kv("client_secret", secret);
    grantd_cli_client_secret_note();
}

/* enable and rotate-secret: a new secret for a confidential client (enable: then the client
 * is enabled; public clients are enabled without one; rotate-secret refuses them).
 *
 * The new secret goes in before the client is enabled, so the old one never works again;
 * both and the audit entry are one transaction: if enabling fails, nothing changed. */
static int secret_op(int argc, char **argv, const char *cmd, const char *usage, int enable)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    struct grantd_client cl;
    unsigned char hash[GRANTD_SHA256_LEN];
    char secret[GRANTD_CLIENT_SECRET_LEN] = "";
    const char *id = NULL;
    int json = 0;
    grantd_admin_args_init(&a, cmd, usage);
    int rc = grantd_admin_start(&s, &a, parse(&a, argc, argv, 1, 1, &json, &id));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    grantd_rc src = grantd_store_client_get(s.store, s.arena, s.tenant, id, &cl);
    if (src == GRANTD_OK && cl.is_public && !enable) {
        rc = grantd_cli_usage_error(a.cmd, "public clients have no secret");
        goto out;
    }
    if (src == GRANTD_OK && !cl.is_public)
        src = grantd_rules_new_secret(s.store, secret, hash);
    if (src == GRANTD_OK)
        src = grantd_admin_audit_begin(&s);
    if (src == GRANTD_OK) {
        grantd_rc wrc = GRANTD_OK;
        if (!cl.is_public)
            wrc = grantd_store_client_set_secret(s.store, s.tenant, id, hash, grantd_clock_now());
        if (wrc == GRANTD_OK && enable)
            wrc = grantd_store_client_set_disabled(s.store, s.tenant, id, 0,
                                                   grantd_clock_now_us());
        src = grantd_admin_audit_end(&s, -1, enable ? "client.enable" : "client.secret_rotate",
                                     "client", id,
                                     enable ? json_pack("{s:b}", "new_secret", !cl.is_public)
                                            : json_pack("{s:i}", "overlap", 0),
                                     wrc);
    }
    if (src != GRANTD_OK) {
        rc = client_fail(a.cmd, id, src);
        goto out;
    }
    grantd_admin_wait_caches();
    if (enable)
        enable_output(id, cl.is_public ? NULL : secret, json);
    else
        rotate_output(id, secret, json);
    rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
out:
    explicit_bzero(secret, sizeof(secret));
    return grantd_admin_end(&s, rc);
}

int grantd_cli_client_enable(int argc, char **argv)
{
    return secret_op(argc, argv, "client enable", enable_usage, 1);
}

int grantd_cli_client_rotate(int argc, char **argv)
{
    return secret_op(argc, argv, "client rotate-secret", rotate_usage, 0);
}
