/* Shared pieces of the grantd command line. One file per command (serve.c, migrate.c,
 * backup.c, client.c, user.c, key.c, tenant.c, admin_key.c, audit.c; client and user have helper files beside them); main.c
 * dispatches through a table.
 *
 * Exit status: 0 success, 1 an operational failure (not found, database error),
 * 2 bad arguments (a one-line error naming the problem; nothing is written). */
#ifndef GRANTD_CLI_CLI_H
#define GRANTD_CLI_CLI_H

#include <stdarg.h>

#include "core/config.h"
#include "store/store.h"

#define GRANTD_EXIT_OK 0
#define GRANTD_EXIT_FAIL 1
#define GRANTD_EXIT_USAGE 2

int grantd_cli_serve(int argc, char **argv);
int grantd_cli_migrate(int argc, char **argv);
int grantd_cli_backup(int argc, char **argv);
int grantd_cli_client(int argc, char **argv);
int grantd_cli_user(int argc, char **argv);
int grantd_cli_key(int argc, char **argv);
int grantd_cli_tenant(int argc, char **argv);
int grantd_cli_admin_key(int argc, char **argv);
int grantd_cli_registration_token(int argc, char **argv);
int grantd_cli_audit(int argc, char **argv);
int grantd_cli_doctor(int argc, char **argv);

/* Builds cfg: defaults, then the config file (config_path, else $GRANTD_CONFIG; none is
 * fine), then GRANTD_* environment, then the given flag values (NULL = not given), then
 * validation. Prints a one-line error and returns GRANTD_EXIT_USAGE on failure, else
 * GRANTD_EXIT_OK. cfg must be freed with grantd_config_free either way. */
int grantd_cli_config(struct grantd_config *cfg, const char *config_path, const char *listen,
                      const char *db, const char *issuer);
/* Opens cfg->db_url and migrates it (a newer database this grantd may run on is opened as it
 * is: src/store/schema.h). Prints a one-line error and returns GRANTD_EXIT_FAIL on failure,
 * else GRANTD_EXIT_OK with *out set. */
int grantd_cli_open_store(const struct grantd_config *cfg, struct grantd_store **out);
/* The reason a database of schema version version, compatible back to compat, is refused
 * (grantd_store_migrate's GRANTD_ESCHEMA: its *from and *to), naming both versions and what
 * to do. */
void grantd_cli_schema_refusal(int version, int compat, char *out, size_t outlen);
/* Prints "grantd CMD: MESSAGE" on stderr (the one line every CLI failure is). */
void grantd_cli_vprint_error(const char *cmd, const char *fmt, va_list ap);
/* The same line; returns GRANTD_EXIT_USAGE. */
int grantd_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Copies url into out with any password in its authority replaced by "***": the form of a
 * database URL that may be printed or logged. */
void grantd_cli_redact_url(const char *url, char *out, size_t outlen);

#endif
