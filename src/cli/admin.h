/* Helpers shared by the admin commands (migrate, client, user, key, tenant): option parsing
 * with the options every command takes (--config, --db, --tenant, --help), subcommand
 * tables, opening the configured store, and output. Private to src/cli; serve.c does not
 * need it.
 *
 * Every admin command follows one order: parse and validate all arguments (a one-line
 * error and exit 2 on any problem, with nothing written), then load the configuration and
 * open (and migrate) the store, then act, then print. Opening the store creates the database
 * file, which is why it comes last. */
#ifndef GRANTD_CLI_ADMIN_H
#define GRANTD_CLI_ADMIN_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/mem.h"

/* The options every admin command accepts; put them first in each command's table.
 * --tenant's value is outside the char range, so no command's own letters collide. */
#define GRANTD_ADMIN_OPT_TENANT 0x1001
#define GRANTD_ADMIN_COMMON_OPTIONS                                                          \
    {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},          \
        {"tenant", required_argument, NULL, GRANTD_ADMIN_OPT_TENANT},                        \
        {"help", no_argument, NULL, 'h'}

/* grantd_admin_getopt returned because parsing is over: return args->exit. */
#define GRANTD_ADMIN_STOP (-2)

struct grantd_admin_args {
    const char *cmd;    /* "client create": names the command in messages */
    const char *usage;  /* printed to stdout by --help */
    const char *config; /* --config FILE, or NULL */
    const char *db;     /* --db URL, or NULL */
    const char *tenant; /* --tenant NAME, or NULL: the default tenant */
    int exit;           /* after GRANTD_ADMIN_STOP: GRANTD_EXIT_OK (--help) or _USAGE */
};

/* Fills a for command cmd with the given --help text and resets getopt for a new argv. */
void grantd_admin_args_init(struct grantd_admin_args *a, const char *cmd, const char *usage);
/* getopt_long over argv (argv[0] is the command's own name) with GNU permutation, so
 * options and positional arguments may come in any order. Handles the common options and
 * option errors itself; returns the val of any other option, -1 when options are done
 * (positional arguments start at optind), or GRANTD_ADMIN_STOP. */
int grantd_admin_getopt(struct grantd_admin_args *a, int argc, char **argv,
                        const struct option *opts);
/* Every option of argv through grantd_admin_getopt, each handed to each(ctx, val) until one
 * answers other than GRANTD_EXIT_OK. Returns that, grantd_admin_stopped's status (-1 after
 * --help), or GRANTD_EXIT_OK when the options are done (positionals start at optind). */
int grantd_admin_options(struct grantd_admin_args *a, int argc, char **argv,
                         const struct option *opts, int (*each)(void *ctx, int val), void *ctx);
/* After the options: requires between min and max positional arguments. Returns
 * GRANTD_EXIT_OK or a usage error naming what is missing or extra. */
int grantd_admin_positionals(const struct grantd_admin_args *a, int argc, char **argv,
                             int min, int max, const char *what);
/* For a command that takes the common options only, and no positional argument:
 * GRANTD_EXIT_OK, a's exit status after --help, or a usage error. */
int grantd_admin_common_only(struct grantd_admin_args *a, int argc, char **argv);

struct grantd_admin_cmd {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is name */
    const char *summary;
};

#define GRANTD_ADMIN_COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* After a change that running servers cache (a client disabled, enabled, deleted or given a
 * new secret; a user disabled or enabled), committed: waits GRANTD_STORE_CHANGE_BOUND_MS,
 * the time within which every running server's watcher (store/watch.h) has seen the change
 * and dropped what its caches read before, so that when the command returns every running
 * server answers with the change. */
void grantd_admin_wait_caches(void);

/* Runs the subcommand named by argv[1] of a command group ("client", "key"...) from its
 * table; "--help", "-h" and "help" list the subcommands, under "Usage: grantd GROUP
 * SUBCOMMAND [OPTIONS]". A missing or unknown subcommand is a usage error. */
int grantd_admin_dispatch(const char *group, const struct grantd_admin_cmd *table, size_t n,
                          int argc, char **argv);
/* The entry of table named name, or NULL (main.c's commands, the groups' subcommands). */
const struct grantd_admin_cmd *grantd_admin_find(const struct grantd_admin_cmd *table, size_t n,
                                                 const char *name);
void grantd_admin_list_commands(FILE *out, const struct grantd_admin_cmd *table, size_t n);

/* What an admin command works with once its arguments are valid. */
struct grantd_admin_session {
    int64_t tenant;             /* --tenant's id, else GRANTD_DEFAULT_TENANT */
    struct grantd_config cfg;   /* with the tenant's profile applied */
    struct grantd_store *store;
    struct grantd_arena *arena; /* records read from the store live here */
};

/* Loads the configuration (with a->config, a->db), opens the migrated store and finds
 * a->tenant (its profile applied over the configuration). Returns a GRANTD_EXIT_* code; the
 * session must be closed either way. */
int grantd_admin_open(struct grantd_admin_session *s, const struct grantd_admin_args *a);
void grantd_admin_close(struct grantd_admin_session *s);

/* The frame of every subcommand that works on the store:
 *     int rc = grantd_admin_start(&s, &a, parse(...));
 *     if (rc != GRANTD_EXIT_OK)
 *         goto out;
 *     ... act and print ...
 *     rc = grantd_admin_finish(a.cmd, GRANTD_EXIT_OK);
 * out:
 *     return grantd_admin_end(&s, rc);
 * parse_rc is what parsing (and any check before the store) gave: GRANTD_EXIT_OK, -1 after
 * --help, or an exit status. Only with GRANTD_EXIT_OK is the session opened; s can be ended
 * either way. grantd_admin_end closes s and turns -1 into GRANTD_EXIT_OK. */
int grantd_admin_start(struct grantd_admin_session *s, const struct grantd_admin_args *a,
                       int parse_rc);
int grantd_admin_end(struct grantd_admin_session *s, int rc);
/* After getopt returned GRANTD_ADMIN_STOP: -1 after --help, else the usage error's status. */
int grantd_admin_stopped(const struct grantd_admin_args *a);

/* Starts a change that the audit trail records (admin/audit.h): grantd_store_audit_begin. */
GRANTD_MUST_USE grantd_rc grantd_admin_audit_begin(struct grantd_admin_session *s);
/* Ends it: the change's writes (result rc) and its entry (actor: cli, the OS user running
 * the command; tenant: the session's unless tenant >= 0 says another, 0 for an admin key of
 * every tenant; at: now) are stored together or not at all. details (may be NULL) is
 * consumed. Returns rc or the store's failure to record. */
GRANTD_MUST_USE grantd_rc grantd_admin_audit_end(struct grantd_admin_session *s, int64_t tenant,
                                                 const char *action, const char *kind,
                                                 const char *id, json_t *details, grantd_rc rc);

/* "grantd <cmd>: <message>" on stderr; returns GRANTD_EXIT_FAIL. */
int grantd_admin_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A store failure as one line: "grantd <cmd>: <what>: <reason>"; returns GRANTD_EXIT_FAIL. */
int grantd_admin_store_fail(const char *cmd, const char *what, grantd_rc rc);

/* Writes v (consumed) as one JSON document and a newline to stdout. */
void grantd_admin_print_json(json_t *v);
/* What a `NOUN list` command prints: the records fetch reads (into the session's arena), as
 * a JSON array of item()s with --json, else as table(). */
struct grantd_admin_lister {
    grantd_rc (*fetch)(struct grantd_admin_session *s, void **records, size_t *n);
    json_t *(*item)(struct grantd_admin_session *s, const void *records, size_t n, size_t i);
    void (*table)(struct grantd_admin_session *s, const void *records, size_t n);
};
/* The rest of a list command once its arguments are parsed (parse_rc as for
 * grantd_admin_start): opens the session, fetches, prints, finishes and ends the session.
 * Returns the exit status. */
int grantd_admin_list(const struct grantd_admin_args *a, int parse_rc, int json,
                      const struct grantd_admin_lister *l);
/* "key:" padded to a column, then value, on stdout. */
void grantd_admin_print_kv(const char *key, const char *value);
/* Flushes stdout; GRANTD_EXIT_FAIL with a message when the output could not be written
 * (a secret that never reached the user must not pass for shown), else ok. */
int grantd_admin_finish(const char *cmd, int ok);
/* Unix seconds as "2024-05-01T12:00:00Z". */
void grantd_admin_format_time(int64_t t, char out[32]);

#endif
