/* Shared machinery of the admin commands: see admin.h. */
#include "cli/admin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "store/store.h"

/* The option as the user typed it, without any "=value", for messages. */
static void option_name(char **argv, char *out, size_t outlen)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    if (strncmp(arg, "--", 2) == 0) {
        size_t n = strcspn(arg, "=");
        snprintf(out, outlen, "%.*s", (int)(n > 64 ? 64 : n), arg);
    } else if (optopt > 0x20 && optopt < 0x7f) {
        snprintf(out, outlen, "-%c", optopt);
    } else {
        snprintf(out, outlen, "%.64s", arg);
    }
}

void grantd_admin_args_init(struct grantd_admin_args *a, const char *cmd, const char *usage)
{
    memset(a, 0, sizeof(*a));
    a->cmd = cmd;
    a->usage = usage;
    optind = 0; /* glibc: a full re-initialisation, for parsing a new argument vector */
}

int grantd_admin_options(struct grantd_admin_args *a, int argc, char **argv,
                         const struct option *opts, int (*each)(void *ctx, int val), void *ctx)
{
    int opt, rc = GRANTD_EXIT_OK;
    while (rc == GRANTD_EXIT_OK && (opt = grantd_admin_getopt(a, argc, argv, opts)) != -1) {
        if (opt == GRANTD_ADMIN_STOP)
            return grantd_admin_stopped(a);
        rc = each(ctx, opt);
    }
    return rc;
}

int grantd_admin_getopt(struct grantd_admin_args *a, int argc, char **argv,
                        const struct option *opts)
{
    char name[80];
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) == 'c' || c == 'd' ||
           c == GRANTD_ADMIN_OPT_TENANT) {
        if (c == 'c')
            a->config = optarg;
        else if (c == 'd')
            a->db = optarg;
        else
            a->tenant = optarg;
    }
    switch (c) {
    case 'h':
        fputs(a->usage, stdout);
        a->exit = GRANTD_EXIT_OK;
        return GRANTD_ADMIN_STOP;
    case ':':
        option_name(argv, name, sizeof(name));
        a->exit = grantd_cli_usage_error(a->cmd, "option %s needs a value", name);
        return GRANTD_ADMIN_STOP;
    case '?':
        option_name(argv, name, sizeof(name));
        /* a KID (a thumbprint) or a chosen id may start with '-': say how to pass one */
        a->exit = grantd_cli_usage_error(a->cmd, "unknown option '%s' (see --help; an argument "
                                                 "that starts with '-' goes after --)", name);
        return GRANTD_ADMIN_STOP;
    default:
        return c;
    }
}

int grantd_admin_positionals(const struct grantd_admin_args *a, int argc, char **argv,
                             int min, int max, const char *what)
{
    int n = argc - optind;
    if (n < min)
        return grantd_cli_usage_error(a->cmd, "missing %s", what);
    if (n > max)
        return grantd_cli_usage_error(a->cmd, "unexpected argument '%.64s'", argv[optind + max]);
    return GRANTD_EXIT_OK;
}

int grantd_admin_common_only(struct grantd_admin_args *a, int argc, char **argv)
{
    static const struct option opts[] = {GRANTD_ADMIN_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int c = grantd_admin_getopt(a, argc, argv, opts);
    if (c != -1)
        return c == GRANTD_ADMIN_STOP ? a->exit : GRANTD_EXIT_USAGE;
    return grantd_admin_positionals(a, argc, argv, 0, 0, "");
}

void grantd_admin_list_commands(FILE *out, const struct grantd_admin_cmd *table, size_t n)
{
    int width = 15; /* widened to the longest name (registration-token), so summaries align */
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(table[i].name) > width)
            width = (int)strlen(table[i].name);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-*s %s\n", width, table[i].name, table[i].summary);
}

static int is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "help") == 0;
}

const struct grantd_admin_cmd *grantd_admin_find(const struct grantd_admin_cmd *table, size_t n,
                                                 const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, table[i].name) == 0)
            return &table[i];
    return NULL;
}

int grantd_admin_dispatch(const char *group, const struct grantd_admin_cmd *table, size_t n,
                          int argc, char **argv)
{
    if (argc < 2)
        return grantd_cli_usage_error(group, "missing subcommand (see grantd %s --help)", group);
    if (is_help(argv[1])) {
        printf("Usage: grantd %s SUBCOMMAND [OPTIONS]\n\nSubcommands:\n", group);
        grantd_admin_list_commands(stdout, table, n);
        printf("\nRun 'grantd %s SUBCOMMAND --help' for a subcommand's options.\n", group);
        return GRANTD_EXIT_OK;
    }
    const struct grantd_admin_cmd *cmd = grantd_admin_find(table, n, argv[1]);
    if (cmd)
        return cmd->run(argc - 1, argv + 1);
    return grantd_cli_usage_error(group, "unknown subcommand '%.64s' (see grantd %s --help)",
                                  argv[1], group);
}

int grantd_admin_open(struct grantd_admin_session *s, const struct grantd_admin_args *a)
{
    memset(s, 0, sizeof(*s));
    s->arena = grantd_arena_new(16 * 1024);
    s->tenant = GRANTD_DEFAULT_TENANT;
    int rc = grantd_cli_config(&s->cfg, a->config, NULL, a->db, NULL);
    if (rc == GRANTD_EXIT_OK) {
        /* a command's output is its own lines: the store's info events (its writer's
         * statistics at close) are for servers; warnings and errors still show */
        int level = grantd_log_level_parse(s->cfg.log_level);
        grantd_log_setup(level > GRANTD_LOG_WARN ? (enum grantd_log_level)level
                                                 : GRANTD_LOG_WARN, 2);
        rc = grantd_cli_open_store(&s->cfg, &s->store);
    }
    if (rc != GRANTD_EXIT_OK || !a->tenant)
        return rc;
    struct grantd_tenant t;
    grantd_rc src = grantd_store_tenant_find(s->store, s->arena, a->tenant, &t);
    if (src == GRANTD_ENOTFOUND)
        return grantd_admin_fail(a->cmd, "no tenant named '%s' (see grantd tenant list)",
                                 a->tenant);
    if (src != GRANTD_OK)
        return grantd_admin_store_fail(a->cmd, "cannot read the tenant", src);
    s->tenant = t.id;
    char err[512];
    if (t.profile &&
        grantd_config_load_issuer(&s->cfg, t.profile, t.name, err, sizeof(err)) != GRANTD_OK)
        return grantd_admin_fail(a->cmd, "tenant profile: %s", err);
    return GRANTD_EXIT_OK;
}

void grantd_admin_close(struct grantd_admin_session *s)
{
    grantd_store_close(s->store);
    s->store = NULL;
    grantd_config_free(&s->cfg);
    if (s->arena)
        grantd_arena_free(s->arena);
    s->arena = NULL;
}

int grantd_admin_start(struct grantd_admin_session *s, const struct grantd_admin_args *a,
                       int parse_rc)
{
    if (parse_rc == GRANTD_EXIT_OK)
        return grantd_admin_open(s, a);
    memset(s, 0, sizeof(*s));
    return parse_rc;
}

int grantd_admin_end(struct grantd_admin_session *s, int rc)
{
    grantd_admin_close(s);
    return rc < 0 ? GRANTD_EXIT_OK : rc;
}

int grantd_admin_stopped(const struct grantd_admin_args *a)
{
    return a->exit == GRANTD_EXIT_OK ? -1 : a->exit;
}

int grantd_admin_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    grantd_cli_vprint_error(cmd, fmt, ap);
    va_end(ap);
    return GRANTD_EXIT_FAIL;
}

int grantd_admin_store_fail(const char *cmd, const char *what, grantd_rc rc)
{
    return grantd_admin_fail(cmd, "%s: %s", what, grantd_strerror(rc));
}

void grantd_admin_print_json(json_t *v)
{
    json_dumpf(v, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(v);
}

int grantd_admin_list(const struct grantd_admin_args *a, int parse_rc, int json,
                      const struct grantd_admin_lister *l)
{
    struct grantd_admin_session s;
    void *records = NULL;
    size_t n = 0;
    int rc = grantd_admin_start(&s, a, parse_rc);
    if (rc != GRANTD_EXIT_OK)
        goto out;
    grantd_rc src = l->fetch(&s, &records, &n);
    if (src != GRANTD_OK) {
        rc = grantd_admin_store_fail(a->cmd, "database", src);
        goto out;
    }
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, l->item(&s, records, n, i));
        grantd_admin_print_json(arr);
    } else {
        l->table(&s, records, n);
    }
    rc = grantd_admin_finish(a->cmd, GRANTD_EXIT_OK);
out:
    return grantd_admin_end(&s, rc);
}

void grantd_admin_print_kv(const char *key, const char *value)
{
    if (!*value)
        printf("%s:\n", key);
    else
        printf("%s:%*s%s\n", key, (int)(strlen(key) < 15 ? 15 - strlen(key) : 1), "", value);
}

int grantd_admin_finish(const char *cmd, int ok)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return grantd_admin_fail(cmd, "cannot write the output");
    return ok;
}

void grantd_admin_format_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "%lld", (long long)t);
}

void grantd_admin_wait_caches(void)
{
    int64_t ms = GRANTD_STORE_CHANGE_BOUND_MS;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

grantd_rc grantd_admin_audit_begin(struct grantd_admin_session *s)
{
    return grantd_store_audit_begin(s->store);
}

grantd_rc grantd_admin_audit_end(struct grantd_admin_session *s, int64_t tenant,
                                 const char *action, const char *kind, const char *id,
                                 json_t *details, grantd_rc rc)
{
    struct grantd_actor who = grantd_audit_cli(s->arena);
    return grantd_audit_end(s->store, &who, tenant >= 0 ? tenant : s->tenant, grantd_clock_now(),
                            action, kind, id, details, rc);
}
