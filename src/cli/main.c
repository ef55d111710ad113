/* grantd's entry point: dispatches the first argument through the command table. Each
 * command parses its own options (see cli.h for the exit statuses). */
#include <stdio.h>
#include <string.h>

#include "cli/admin.h"

#ifndef GRANTD_VERSION
#define GRANTD_VERSION "0.1.0"
#endif

static const struct grantd_admin_cmd commands[] = {
    {"serve", grantd_cli_serve, "run the authorization server"},
    {"migrate", grantd_cli_migrate, "create or upgrade the database schema"},
    {"doctor", grantd_cli_doctor, "check a configuration and database before a start"},
    {"backup", grantd_cli_backup, "copy a live SQLite database to a file (backup --to PATH)"},
    {"client", grantd_cli_client, "manage OAuth clients (create, list, show, ...)"},
    {"user", grantd_cli_user, "manage users who log in (create, passwd, ...)"},
    {"key", grantd_cli_key, "manage token signing keys (rotate, retire, revoke, list)"},
    {"tenant", grantd_cli_tenant, "manage issuers served by one grantd (create, list, show)"},
    {"admin-key", grantd_cli_admin_key, "manage admin API keys (create, list, revoke)"},
    {"registration-token", grantd_cli_registration_token,
     "initial access tokens for /register (create)"},
    {"audit", grantd_cli_audit, "show the audit trail of changes (list)"},
};

#define COMMAND_COUNT GRANTD_ADMIN_COUNT(commands)

static void usage(FILE *out)
{
    fputs("Usage: grantd COMMAND [OPTIONS]\n"
          "       grantd --help | --version\n\n"
          "grantd is an OAuth 2.0 authorization server.\n\nCommands:\n",
          out);
    grantd_admin_list_commands(out, commands, COMMAND_COUNT);
    fputs("\nRun 'grantd COMMAND --help' for a command's options. Every command takes\n"
          "--config FILE (default: $GRANTD_CONFIG, else none) and --db URL.\n",
          out);
}

/* `grantd help [COMMAND]`. */
static int help(int argc, char **argv)
{
    if (argc < 3) {
        usage(stdout);
        return GRANTD_EXIT_OK;
    }
    const struct grantd_admin_cmd *cmd = grantd_admin_find(commands, COMMAND_COUNT, argv[2]);
    if (!cmd)
        return grantd_cli_usage_error("help", "unknown command '%.64s'", argv[2]);
    char flag[] = "--help";
    char *sub[] = {argv[2], flag, NULL};
    return cmd->run(2, sub);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return GRANTD_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0)
        return help(argc, argv);
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0 ||
        strcmp(name, "version") == 0) {
        printf("grantd %s\n", GRANTD_VERSION);
        return GRANTD_EXIT_OK;
    }
    const struct grantd_admin_cmd *cmd = grantd_admin_find(commands, COMMAND_COUNT, name);
    if (!cmd) {
        fprintf(stderr, "grantd: unknown command '%.64s' (see grantd --help)\n", name);
        return GRANTD_EXIT_USAGE;
    }
    return cmd->run(argc - 1, argv + 1);
}
