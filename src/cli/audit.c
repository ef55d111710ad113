/* grantd audit list: the audit trail (admin/audit.h), oldest first, every entry that
 * matches: a table, or with --json one JSON object per line (JSON lines; the shape of the
 * admin API's GET .../audit events and of the audit_log file). Without --tenant it lists
 * every tenant's entries (admin keys of every tenant too); --client ID one client's
 * (of --tenant, else the default tenant); --since TIME those stamped at or after TIME (unix
 * seconds, or 2026-01-31T12:00:00Z). Read only: it records nothing. */
#define _GNU_SOURCE /* timegm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/audit.h"
#include "cli/admin.h"

#define PAGE 500

static const char list_usage[] =
    "Usage: grantd audit list [--tenant T] [--client ID] [--since TIME] [--json]\n"
    "                         [--config FILE] [--db URL]\n\n"
    "Lists the audit trail, oldest first: every change to clients, users, signing keys\n"
    "and admin keys, who made it (admin key, developer, cli, system) and when.\n\n"
    "Options:\n"
    "  --tenant T     only tenant T's entries (default: every tenant's)\n"
    "  --client ID    only client ID's entries (of --tenant, else the default tenant)\n"
    "  --since TIME   only entries at or after TIME: unix seconds or 2026-01-31T12:00:00Z\n"
    "  --json         one JSON object per line\n"
    "  --config FILE  configuration file\n"
    "  --db URL       database URL (e.g. sqlite:grantd.db)\n"
    "  --help         this text\n";

struct list_opts {
    struct grantd_admin_args *a;
    const char *client;
    int64_t since;
    int json;
};

/* TIME: digits (unix seconds) or YYYY-MM-DDTHH:MM:SSZ; -1 when neither. */
static int64_t parse_time(const char *text)
{
    size_t n = strlen(text);
    if (n >= 1 && n <= 12 && strspn(text, "0123456789") == n) {
        int64_t v = 0;
        for (size_t i = 0; i < n; i++)
            v = v * 10 + (text[i] - '0');
        return v;
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return end && !*end ? (int64_t)timegm(&tm) : -1;
}

static int each_option(void *ctx, int val)
{
    struct list_opts *o = ctx;
    if (val == 'j') {
        o->json = 1;
    } else if (val == 'C' && !o->client) {
        o->client = optarg;
    } else if (val == 's' && o->since == 0) {
        o->since = parse_time(optarg);
        if (o->since <= 0)
            return grantd_cli_usage_error(o->a->cmd, "--since must be unix seconds or "
                                                     "YYYY-MM-DDTHH:MM:SSZ");
    } else {
        return grantd_cli_usage_error(o->a->cmd, "unexpected or repeated option (see --help)");
    }
    return GRANTD_EXIT_OK;
}

static int parse(struct list_opts *o, int argc, char **argv)
{
    static const struct option opts[] = {GRANTD_ADMIN_COMMON_OPTIONS,
                                         {"json", no_argument, NULL, 'j'},
                                         {"client", required_argument, NULL, 'C'},
                                         {"since", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    int rc = grantd_admin_options(o->a, argc, argv, opts, each_option, o);
    if (rc != GRANTD_EXIT_OK)
        return rc;
    return grantd_admin_positionals(o->a, argc, argv, 0, 0, "");
}

/* The name of tenant id among list; NULL for 0 (every tenant) or an unknown one. */
static const char *tenant_name(const struct grantd_tenant *list, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].id == id)
            return list[i].name;
    return NULL;
}

static void print_entry(const struct grantd_audit *e, const char *tenant, int json)
{
    if (json) {
        json_t *o = grantd_audit_json(e, tenant);
        char *line = json_dumps(o, JSON_COMPACT);
        printf("%s\n", line ? line : "{}");
        free(line);
        json_decref(o);
        return;
    }
    char at[32];
    grantd_admin_format_time(e->at, at);
    printf("%-8lld  %-20s  %-12s  %-10s %-20s  %-22s  %s:%s\n", (long long)e->seq, at,
           tenant ? tenant : "*", e->actor_kind,
           e->actor_name ? e->actor_name : e->actor_id ? e->actor_id : "-", e->action,
           e->target_kind, e->target_id);
}

/* Prints every entry q matches, a page at a time. */
static grantd_rc print_all(struct grantd_admin_session *s, struct grantd_audit_query *q,
                           int json)
{
    struct grantd_tenant *tenants = NULL;
    size_t nt = 0, n = 0;
    grantd_rc rc = grantd_store_tenant_list(s->store, s->arena, &tenants, &nt);
    if (!json && rc == GRANTD_OK)
        printf("%-8s  %-20s  %-12s  %-31s  %-22s  %s\n", "SEQ", "AT", "TENANT", "ACTOR",
               "ACTION", "TARGET");
    do {
        struct grantd_audit *list = NULL;
        if (rc == GRANTD_OK)
            rc = grantd_store_audit_list(s->store, s->arena, q, &list, &n);
        for (size_t i = 0; rc == GRANTD_OK && i < n; i++) {
            print_entry(&list[i], tenant_name(tenants, nt, list[i].tenant), json);
            q->after = list[i].seq;
        }
    } while (rc == GRANTD_OK && n == q->limit);
    return rc;
}

static int audit_list(int argc, char **argv)
{
    struct grantd_admin_args a;
    struct grantd_admin_session s;
    struct list_opts o = {.a = &a};
    grantd_admin_args_init(&a, "audit list", list_usage);
    int rc = grantd_admin_start(&s, &a, parse(&o, argc, argv));
    if (rc != GRANTD_EXIT_OK)
        goto out;
    struct grantd_audit_query q = {.tenant = a.tenant || o.client ? s.tenant : 0,
                                   .target_kind = o.client ? "client" : NULL,
                                   .target_id = o.client, .since = o.since, .limit = PAGE};
    grantd_rc src = print_all(&s, &q, o.json);
    if (src != GRANTD_OK) {
        rc = grantd_admin_store_fail(a.cmd, "cannot read the audit trail", src);
        goto out;
    }
    rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
out:
    return grantd_admin_end(&s, rc);
}

static const struct grantd_admin_cmd audit_commands[] = {
    {"list", audit_list, "list the audit trail (--json: JSON lines)"},
};

int grantd_cli_audit(int argc, char **argv)
{
    return grantd_admin_dispatch("audit", audit_commands, GRANTD_ADMIN_COUNT(audit_commands),
                                 argc, argv);
}
