/* grantd doctor: checks a configuration and its database before a start, changing nothing,
 * and prints one line per finding: "ok", "warn" (works, but look) or "FAIL" (serve would
 * fail or run unsafely). Exit status 0 when nothing failed, 1 otherwise, 2 for bad
 * arguments. What it checks: the configuration parses and validates; listen and
 * admin_listen can be bound now (nothing else holds them); the database exists, answers and
 * has a schema this grantd runs on (an older one is a warning: serve migrates it); the
 * master key is there and opens every published signing key of every tenant; the SQLite
 * file and the master key file are not readable by others (0600); and hints on TLS and
 * proxies (an http issuer on a non-loopback address, an admin listener off loopback,
 * trusted_proxies with a per-address connection cap). Not here: reaching the issuer's URL
 * from outside, certificates (TLS is the proxy's), migrating (grantd migrate). */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/admin.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "store/schema.h"
#include "token/keys.h"

static const char usage[] =
    "Usage: grantd doctor [--config FILE] [--db URL]\n"
    "\n"
    "Checks a configuration and its database before a start, changing nothing: the\n"
    "configuration parses, the listen addresses are free, the database answers with a\n"
    "schema this grantd runs on, the master key opens the signing keys, the SQLite file and\n"
    "key file are private (0600), and TLS/proxy settings make sense. One line per finding\n"
    "(ok, warn, FAIL); exit status 0 when nothing failed, 1 otherwise.\n"
    "\n"
    "Options:\n"
    "  --config FILE  configuration file (default: $GRANTD_CONFIG, else none)\n"
    "  --db URL       database (default: $GRANTD_DB, the config file's db, else\n"
    "                 sqlite:grantd.db)\n"
    "  --help         this text\n";

struct findings {
    int failed, warned;
};

__attribute__((format(printf, 3, 4)))
static void say(struct findings *f, const char *level, const char *fmt, ...)
{
    va_list ap;
    printf("%-5s ", level);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    f->failed += level[0] == 'F';
    f->warned += level[0] == 'w';
}

/* Loads the configuration as every command does, reporting instead of exiting. */
static int load_config(struct findings *f, struct grantd_config *cfg, const char *path,
                       const char *db)
{
    char err[512];
    grantd_config_defaults(cfg);
    if (!path) {
        const char *env = getenv("GRANTD_CONFIG");
        path = env && *env ? env : NULL;
    }
    if (path && grantd_config_load_file(cfg, path, err, sizeof(err)) != GRANTD_OK) {
        say(f, "FAIL", "config: %s", err);
        return 0;
    }
    grantd_config_apply_env(cfg);
    if (db)
        grantd_config_set(&cfg->db_url, db);
    if (grantd_config_validate(cfg, err, sizeof(err)) != GRANTD_OK) {
        say(f, "FAIL", "config: %s", err);
        return 0;
    }
    say(f, "ok", "config: %s", path ? path : "(no file: defaults and environment)");
    return 1;
}

static int loopback(const char *host)
{
    return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0 ||
           strcmp(host, "[::1]") == 0 || strcmp(host, "localhost") == 0 ||
           strncmp(host, "127.", 4) == 0;
}

/* Binds what (a listen setting) for a moment: in use or not permitted is a failure. */
static void check_bind(struct findings *f, const char *name, const char *listen)
{
    char host[256], port_text[16];
    unsigned port = 0;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    if (grantd_config_listen_parse(listen, host, sizeof(host), &port) != GRANTD_OK) {
        say(f, "FAIL", "%s %s: not HOST:PORT", name, listen);
        return;
    }
    if (port == 0) {
        say(f, "ok", "%s %s: any free port", name, listen);
        return;
    }
    snprintf(port_text, sizeof(port_text), "%u", port);
    int gai = getaddrinfo(host, port_text, &hints, &res);
    if (gai != 0) {
        say(f, "FAIL", "%s %s: %s", name, listen, gai_strerror(gai));
        return;
    }
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol), one = 1;
    int ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
             bind(fd, res->ai_addr, res->ai_addrlen) == 0;
    int e = errno;
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    if (ok)
        say(f, "ok", "%s %s: free", name, listen);
    else
        say(f, "FAIL", "%s %s: cannot bind: %s%s", name, listen, strerror(e),
            e == EADDRINUSE ? " (is another grantd running?)" : "");
}

/* A finding at level when path exists and group or others may read or write it. */
static void check_private(struct findings *f, const char *what, const char *path,
                          const char *level)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    if (st.st_mode & 077)
        say(f, level, "%s %s: mode %04o, readable or writable by others: chmod 600", what,
            path, (unsigned)(st.st_mode & 07777));
    else
        say(f, "ok", "%s %s: mode %04o", what, path, (unsigned)(st.st_mode & 07777));
}

/* The SQLite file's path, or NULL for another driver or an in-memory database. */
static const char *sqlite_path(const struct grantd_config *cfg)
{
    const char *db = cfg->db_url;
    if (strncmp(db, "sqlite:", 7) != 0 || strcmp(db + 7, ":memory:") == 0 || !db[7])
        return NULL;
    return db + 7;
}

/* Where the master key comes from; 0 when it is a file that does not exist (loading it
 * would create it, or fail). */
static int master_key_present(struct findings *f, const struct grantd_config *cfg,
                              char *keyfile, size_t len)
{
    keyfile[0] = '\0';
    if (cfg->keys.master_key) {
        say(f, "ok", "master key: from $GRANTD_MASTER_KEY or keys.master_key");
        return 1;
    }
    const char *db = sqlite_path(cfg);
    if (cfg->keys.master_key_file)
        snprintf(keyfile, len, "%s", cfg->keys.master_key_file);
    else if (db)
        snprintf(keyfile, len, "%s.key", db);
    else if (strcmp(cfg->db_url, "sqlite::memory:") == 0)
        return 1;
    if (!keyfile[0]) {
        say(f, "FAIL", "master key: none (set GRANTD_MASTER_KEY, keys.master_key or "
                       "keys.master_key_file for this database)");
        return 0;
    }
    if (access(keyfile, F_OK) != 0) {
        say(f, cfg->keys.master_key_file ? "FAIL" : "warn",
            "master key file %s: missing%s", keyfile,
            cfg->keys.master_key_file ? "" : " (serve creates it; back it up with the database)");
        return 0;
    }
    if (!cfg->keys.master_key_file)
        say(f, "warn", "master key file %s beside the database: fine for a laptop; in "
                       "production set GRANTD_MASTER_KEY or keys.master_key_file", keyfile);
    check_private(f, "master key file", keyfile, "FAIL");
    return 1;
}

/* Opens the database (an SQLite file must exist: opening would create it) and pings it. */
static struct grantd_store *check_database(struct findings *f, const struct grantd_config *cfg)
{
    char err[512], url[512];
    struct grantd_store *s = NULL;
    const char *path = sqlite_path(cfg);
    grantd_cli_redact_url(cfg->db_url, url, sizeof(url));
    if (path && access(path, F_OK) != 0) {
        say(f, "warn", "database %s: does not exist yet (serve creates it)", url);
        return NULL;
    }
    if (grantd_store_open(cfg->db_url, &s, err, sizeof(err)) != GRANTD_OK) {
        say(f, "FAIL", "database: %s", err);
        return NULL;
    }
    grantd_rc rc = grantd_store_ping(s);
    if (rc == GRANTD_ESCHEMA) {
        say(f, "FAIL", "database %s: migrated by a newer grantd this one cannot run on "
                       "(schema %d): run the newer grantd", url, GRANTD_SCHEMA_VERSION);
    } else if (rc != GRANTD_OK) {
        say(f, "warn", "database %s: answers, but not at schema version %d (%s): serve "
                       "migrates it, or run grantd migrate", url, GRANTD_SCHEMA_VERSION,
            grantd_strerror(rc));
        grantd_store_close(s);
        return NULL;
    } else {
        say(f, "ok", "database %s: schema this grantd runs on (%d)", url,
            GRANTD_SCHEMA_VERSION);
    }
    if (path)
        check_private(f, "database file", path, "warn");
    if (rc != GRANTD_OK) {
        grantd_store_close(s);
        return NULL;
    }
    return s;
}

/* Without the master key: how many published keys tenant has (they cannot be opened). */
static size_t published_keys(struct grantd_store *s, struct grantd_arena *a, int64_t tenant)
{
    struct grantd_key *keys = NULL;
    size_t n = 0, count = 0;
    int64_t now = grantd_clock_now();
    if (grantd_store_key_list(s, a, tenant, &keys, &n) != GRANTD_OK)
        return 0;
    for (size_t i = 0; i < n; i++)
        count += keys[i].retire_at == 0 || keys[i].retire_at > now;
    return count;
}

/* Every tenant's published keys open with the master key (have_master: it is there; when
 * not, any published key is a failure: serve could not open it). */
static void check_keys(struct findings *f, struct grantd_store *s,
                       const struct grantd_config *cfg, int have_master)
{
    struct grantd_arena *a = grantd_arena_new(16384);
    struct grantd_tenant *tenants = NULL;
    size_t n = 0, total = 0;
    char err[512];
    grantd_rc rc = grantd_store_tenant_list(s, a, &tenants, &n);
    if (rc != GRANTD_OK)
        say(f, "FAIL", "signing keys: cannot list the tenants: %s", grantd_strerror(rc));
    for (size_t i = 0; rc == GRANTD_OK && i < n; i++) {
        size_t published = 0;
        if (!have_master) {
            published = published_keys(s, a, tenants[i].id);
            if (published)
                say(f, "FAIL", "signing keys of tenant %s: %zu published, and no master key "
                               "to open them (restore the key file from the backup)",
                    tenants[i].name, published);
            rc = published ? GRANTD_ECRYPTO : GRANTD_OK;
            continue;
        }
        if (grantd_keys_check_master(s, cfg, tenants[i].id, grantd_clock_now(), a, &published,
                                     err, sizeof(err)) != GRANTD_OK) {
            say(f, "FAIL", "signing keys of tenant %s: %s", tenants[i].name, err);
            rc = GRANTD_ECRYPTO;
        }
        total += published;
    }
    if (rc == GRANTD_OK && have_master)
        say(f, "ok", "signing keys: the master key opens all %zu published", total);
    grantd_arena_free(a);
}

/* TLS and proxy hints: the settings that work on a laptop and leak in production. */
static void check_hints(struct findings *f, const struct grantd_config *cfg)
{
    char host[256];
    unsigned port = 0;
    int local = grantd_config_listen_parse(cfg->listen, host, sizeof(host), &port) ==
                    GRANTD_OK && loopback(host);
    const char *iss = cfg->issuer ? cfg->issuer : "";
    if (!local && strncmp(iss, "https://", 8) != 0)
        say(f, "warn", "listen %s is not loopback and the issuer is not https: put a TLS "
                       "proxy in front and set issuer to its https:// URL (docs/deploy.md)",
            cfg->listen);
    if (cfg->admin_listen &&
        (grantd_config_listen_parse(cfg->admin_listen, host, sizeof(host), &port) !=
             GRANTD_OK || !loopback(host)))
        say(f, "warn", "admin_listen %s is not loopback: keep it on a private network, "
                       "never behind the public proxy", cfg->admin_listen);
    int proxied = cfg->trusted_proxies && cfg->trusted_proxies[0];
    if (proxied && cfg->limits.connections_per_ip != 0)
        say(f, "warn", "trusted_proxies is set and limits.connections_per_ip is %u: the cap "
                       "counts the proxy's connections; set it to 0 behind a proxy",
            cfg->limits.connections_per_ip);
    if (!proxied && strncmp(iss, "https://", 8) == 0 && local)
        say(f, "warn", "an https issuer on a loopback listener (a proxy in front?) and no "
                       "trusted_proxies: every log line shows the proxy's address");
}

int grantd_cli_doctor(int argc, char **argv)
{
    struct grantd_admin_args a;
    struct grantd_config cfg;
    struct findings f = {0, 0};
    char keyfile[4200];
    grantd_admin_args_init(&a, "doctor", usage);
    int rc = grantd_admin_common_only(&a, argc, argv);
    if (rc != GRANTD_EXIT_OK)
        return rc;
    if (load_config(&f, &cfg, a.config, a.db)) {
        check_bind(&f, "listen", cfg.listen);
        if (cfg.admin_listen)
            check_bind(&f, "admin_listen", cfg.admin_listen);
        struct grantd_store *s = check_database(&f, &cfg);
        int key = master_key_present(&f, &cfg, keyfile, sizeof(keyfile));
        if (s)
            check_keys(&f, s, &cfg, key);
        grantd_store_close(s);
        check_hints(&f, &cfg);
    }
    grantd_config_free(&cfg);
    printf("%d failed, %d warnings\n", f.failed, f.warned);
    return f.failed ? GRANTD_EXIT_FAIL : GRANTD_EXIT_OK;
}
