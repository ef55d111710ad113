/* grantd migrate: brings the database schema to this binary's version and reports the
 * versions. Idempotent: on an up-to-date database it changes nothing, and on a newer one
 * (another instance's newer grantd migrated it) it changes nothing either: it says whether
 * this grantd may still run on it (src/store/schema.h). */
#include <stdio.h>

#include "cli/admin.h"
#include "core/clock.h"
#include "store/schema.h"

static const char usage[] =
    "Usage: grantd migrate [--config FILE] [--db URL]\n"
    "\n"
    "Creates or upgrades the database schema and prints \"URL: schema version FROM -> TO\".\n"
    "Running it again is harmless. Every other command migrates on its own too.\n"
    "A database a newer grantd migrated is left as it is: when its schema is still\n"
    "compatible with this grantd, this says so and succeeds; when it is not, it fails\n"
    "naming the version it needs.\n"
    "\n"
    "Options:\n"
    "  --config FILE  configuration file (default: $GRANTD_CONFIG, else none)\n"
    "  --db URL       database, e.g. sqlite:grantd.db (default: $GRANTD_DB, the config\n"
    "                 file's db, else sqlite:grantd.db)\n"
    "  --help         this text\n";

int grantd_cli_migrate(int argc, char **argv)
{
    struct grantd_admin_args a;
    struct grantd_config cfg;
    struct grantd_store *s = NULL;
    char err[512], url[512];
    int from = 0, to = 0;
    grantd_admin_args_init(&a, "migrate", usage);
    int rc = grantd_admin_common_only(&a, argc, argv);
    if (rc != GRANTD_EXIT_OK)
        return rc;

    rc = grantd_cli_config(&cfg, a.config, NULL, a.db, NULL);
    if (rc != GRANTD_EXIT_OK)
        goto out;
    grantd_cli_redact_url(cfg.db_url, url, sizeof(url));
    rc = GRANTD_EXIT_FAIL;
    if (grantd_store_open(cfg.db_url, &s, err, sizeof(err)) != GRANTD_OK) {
        grantd_admin_fail("migrate", "%s", err); /* it names the database */
        goto out;
    }
    grantd_rc src = grantd_store_migrate(s, grantd_clock_now(), &from, &to);
    if (src == GRANTD_ESCHEMA) {
        grantd_cli_schema_refusal(from, to, err, sizeof(err));
        grantd_admin_fail("migrate", "%s: %s", url, err);
        goto out;
    }
    if (src != GRANTD_OK) {
        grantd_admin_fail("migrate", "%s: %s", url, grantd_strerror(src));
        goto out;
    }
    if (to > GRANTD_SCHEMA_VERSION)
        printf("%s: schema version %d, newer than this grantd's %d and compatible with it: "
               "nothing to do (migrate with the newer grantd)\n",
               url, to, GRANTD_SCHEMA_VERSION);
    else
        printf("%s: schema version %d -> %d%s\n", url, from, to,
               from == to ? " (up to date)" : "");
    rc = grantd_admin_finish("migrate", GRANTD_EXIT_OK);
out:
    grantd_store_close(s);
    grantd_config_free(&cfg);
    return rc;
}
