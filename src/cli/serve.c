/* grantd serve: load configuration, migrate the store, start the HTTP server, and run until
 * SIGINT or SIGTERM, then drain and stop. SIGHUP reopens the log file and the audit log
 * (rotation) and reloads nothing else. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/audit_log.h"
#include "cli/cli.h"
#include "cli/issuers.h"
#include "cli/janitor.h"
#include "cli/log_file.h"
#include "oauth/feed_wait.h"
#include "core/log.h"
#include "http/app.h"
#include "oauth/routes.h"
#include "http/server.h"
#include "oauth/token_cache.h"
#include "store/watch.h"
#include "token/keys.h"

static const char usage[] =
    "Usage: grantd serve [--config FILE] [--listen HOST:PORT] [--db URL] [--issuer URL]\n"
    "                    [--admin-listen HOST:PORT]\n"
    "\n"
    "Serves the authorization server until SIGINT or SIGTERM; SIGHUP reopens log_file and\n"
    "audit_log (after a rotation) and reloads nothing else. The database is migrated\n"
    "on start. Settings come from defaults, then the config file (--config or\n"
    "$GRANTD_CONFIG), then $GRANTD_LISTEN, $GRANTD_ADMIN_LISTEN, $GRANTD_DB, $GRANTD_ISSUER,\n"
    "then these flags. The admin listener (/check for proxies) is off unless set; never\n"
    "expose it. A port of 0 picks a free port. Once serving it prints one line on stdout,\n"
    "\"grantd listening on http://HOST:PORT, issuer URL\" (the port it got), followed by\n"
    "\", admin http://HOST:PORT\" when the admin listener is on, then logs JSON lines on\n"
    "stderr.\n";

/* Idle keep-alive connections each hold a descriptor: use all the process may have. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* The flags; NULL when absent. */
struct serve_args {
    const char *config, *listen, *admin_listen, *db, *issuer;
};

static int parse_args(int argc, char **argv, struct serve_args *a)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"listen", required_argument, NULL, 'l'},
        {"db", required_argument, NULL, 'd'},     {"issuer", required_argument, NULL, 'i'},
        {"admin-listen", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'c': a->config = optarg; break;
        case 'l': a->listen = optarg; break;
        case 'a': a->admin_listen = optarg; break;
        case 'd': a->db = optarg; break;
        case 'i': a->issuer = optarg; break;
        case 'h': fputs(usage, stdout); return -1;
        case ':': return grantd_cli_usage_error("serve", "%s needs a value", argv[optind - 1]);
        default: return grantd_cli_usage_error("serve", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return grantd_cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    return GRANTD_EXIT_OK;
}

/* SIGHUP: the log file and the audit log are opened anew (after a rotation renamed them);
 * nothing else is reloaded (signing keys reload by themselves: keys.reload; every other
 * setting needs a restart). Requests in flight and connections are not touched. */
static void reopen(const struct grantd_config *cfg, struct grantd_audit_log *audit_log)
{
    char err[512];
    grantd_rc rc = GRANTD_OK;
    if (cfg->log_file &&
        (rc = grantd_log_file_open(cfg->log_file, err, sizeof(err))) != GRANTD_OK)
        grantd_log(GRANTD_LOG_ERROR, "reopen_failed", "{s:s}", "error", err);
    if (audit_log && grantd_audit_log_reopen(audit_log, cfg->audit_log, err, sizeof(err)) !=
                         GRANTD_OK) {
        grantd_log(GRANTD_LOG_ERROR, "reopen_failed", "{s:s}", "error", err);
        rc = GRANTD_EIO;
    }
    if (rc == GRANTD_OK)
        grantd_log(GRANTD_LOG_INFO, "reopened", "{s:s?,s:s?}", "log_file", cfg->log_file,
                   "audit_log", cfg->audit_log);
}

static void wait_for_signal(const struct grantd_config *cfg, struct grantd_audit_log *audit_log)
{
    sigset_t set;
    int sig = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
        reopen(cfg, audit_log);
    grantd_log(GRANTD_LOG_INFO, "stopping", "{s:s}", "signal",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
}

/* "http://HOST:PORT" of a listen address with the port bound (the kernel's for port 0). */
static char *listen_url(const char *listen, unsigned port)
{
    char host[256], buf[320];
    unsigned configured;
    if (grantd_config_listen_parse(listen, host, sizeof(host), &configured) != GRANTD_OK)
        return grantd_xstrdup("http://localhost");
    int v6 = strchr(host, ':') != NULL;
    snprintf(buf, sizeof(buf), "http://%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
    return grantd_xstrdup(buf);
}

static char *bound_url(const struct grantd_config *cfg, unsigned port)
{
    return listen_url(cfg->listen, port);
}

static char *derive_issuer(const struct grantd_config *cfg, unsigned port)
{
    return cfg->issuer ? grantd_xstrdup(cfg->issuer) : bound_url(cfg, port);
}

static void app_init(struct grantd_app *app, const struct grantd_config *cfg,
                     struct grantd_store *store)
{
    memset(app, 0, sizeof(*app));
    app->cfg = cfg;
    app->store = store;
    app->now = grantd_clock_now;
    app->routes = &grantd_oauth_routes;
    app->admin_routes = &grantd_oauth_admin_routes;
    grantd_app_parse_limits(&app->limits, cfg);
}

/* The stop signals and SIGHUP go to sigwait only: blocked before any thread starts, which
 * inherits the mask. A client that hangs up must not kill the process with SIGPIPE. */
static void block_stop_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The "listening" log event (the database URL redacted: it may hold a password), one debug
 * event per further issuer, and the one plain line on stdout for people and scripts
 * (tests/integration/conftest.py, bench/issuers and scripts/demo's users read it): the
 * address bound, with the port the kernel picked for port 0, and the issuer. */
static void announce(const struct grantd_app *app, unsigned port, unsigned admin_port,
                     const char *issuer)
{
    const struct grantd_config *cfg = app->cfg;
    size_t count;
    const struct grantd_issuer *all = grantd_app_issuers(app, &count);
    char db_shown[512];
    char *url = bound_url(cfg, port);
    char *admin = cfg->admin_listen ? listen_url(cfg->admin_listen, admin_port) : NULL;
    grantd_cli_redact_url(cfg->db_url, db_shown, sizeof(db_shown));
    grantd_log(GRANTD_LOG_INFO, "listening", "{s:s,s:s,s:i,s:s,s:s,s:s?,s:i,s:s?}", "url", url,
               "listen", cfg->listen, "port", (int)port, "issuer", issuer, "db", db_shown,
               "profile", cfg->profile.name, "issuers", (int)count, "admin_url",
               admin);
    for (size_t i = 1; i < count; i++)
        grantd_log(GRANTD_LOG_DEBUG, "issuer", "{s:I,s:s,s:s?}", "tenant",
                   (json_int_t)all[i].tenant, "issuer", all[i].url, "profile",
                   all[i].cfg->profile.name);
    printf("grantd listening on %s, issuer %s%s%s\n", url, issuer, admin ? ", admin " : "",
           admin ? admin : "");
    fflush(stdout);
    free(admin);
    free(url);
}

/* The listeners and their servers: srv[0] public, srv[1] admin (NULL when off). */
struct listeners {
    struct grantd_server *srv[2];
    unsigned port[2];
};

/* Binds both first so the issuer URLs (the default one may name a port picked by the
 * kernel) are fixed before any worker thread can read them, and so a taken admin port
 * stops the start before anything is served. */
static grantd_rc start_server(struct grantd_app *app, struct grantd_served *served,
                              struct listeners *l, char **issuer, char *err, size_t errlen)
{
    int fd[2] = {-1, -1};
    const char *addr[2] = {app->cfg->listen, app->cfg->admin_listen};
    grantd_rc rc = GRANTD_OK;
    for (int i = 0; i < 2 && rc == GRANTD_OK; i++)
        if (addr[i])
            rc = grantd_server_listen(addr[i], &fd[i], &l->port[i], err, errlen);
    if (rc != GRANTD_OK)
        goto out;
    *issuer = derive_issuer(app->cfg, l->port[0]);
    grantd_served_publish(served, *issuer, app);
    grantd_token_cache_enable((int)app->cfg->token_cache);
    static const enum grantd_listener which[2] = {GRANTD_LISTENER_PUBLIC,
                                                  GRANTD_LISTENER_ADMIN};
    for (int i = 0; i < 2 && rc == GRANTD_OK; i++) {
        if (fd[i] < 0)
            continue;
        rc = grantd_server_start(app, which[i], fd[i], l->port[i], &l->srv[i], err, errlen);
        if (rc == GRANTD_OK)
            fd[i] = -1; /* the server's now */
    }
out:
    for (int i = 0; i < 2; i++)
        if (fd[i] >= 0)
            close(fd[i]);
    return rc;
}

/* --admin-listen over the file and environment, checked as the file's setting is. */
static int admin_listen_flag(struct grantd_config *cfg, const char *v)
{
    char host[256];
    unsigned port;
    if (grantd_config_listen_parse(v, host, sizeof(host), &port) != GRANTD_OK)
        return grantd_cli_usage_error("serve", "--admin-listen '%s' is not HOST:PORT", v);
    grantd_config_set(&cfg->admin_listen, v);
    return GRANTD_EXIT_OK;
}

/* The settings: defaults, file, environment, flags (--admin-listen last, as serve's own). */
static int serve_config(struct grantd_config *cfg, const struct serve_args *a)
{
    int rc = grantd_cli_config(cfg, a->config, a->listen, a->db, a->issuer);
    if (rc == GRANTD_EXIT_OK && a->admin_listen)
        rc = admin_listen_flag(cfg, a->admin_listen);
    return rc;
}

int grantd_cli_serve(int argc, char **argv)
{
    struct serve_args args = {0};
    int rc = parse_args(argc, argv, &args);
    if (rc != GRANTD_EXIT_OK)
        return rc < 0 ? GRANTD_EXIT_OK : rc;
    struct grantd_config cfg;
    struct grantd_store *store = NULL;
    struct listeners l = {{NULL, NULL}, {0, 0}};
    struct grantd_served *served = NULL;
    struct grantd_janitor *janitor = NULL;
    struct grantd_store_watch *watch = NULL;
    struct grantd_feed_waiter *feed_waiter = NULL;
    struct grantd_audit_log *audit_log = NULL;
    char *resolved_issuer = NULL;
    struct grantd_app app;
    char err[1024];
    rc = serve_config(&cfg, &args);
    if (rc != GRANTD_EXIT_OK)
        goto out;
    if (cfg.log_file && grantd_log_file_open(cfg.log_file, err, sizeof(err)) != GRANTD_OK) {
        fprintf(stderr, "grantd serve: %s\n", err);
        rc = GRANTD_EXIT_FAIL;
        goto out;
    }
    grantd_log_setup((enum grantd_log_level)grantd_log_level_parse(cfg.log_level), 2);
    if (grantd_router_check_profile(&grantd_oauth_routes, &cfg.profile, err, sizeof(err)) !=
        GRANTD_OK) {
        fprintf(stderr, "grantd serve: %s\n", err);
        rc = GRANTD_EXIT_USAGE;
        goto out;
    }
    /* before the store starts its threads (writer, checkpoint, change watcher): each thread
     * inherits the mask, and a stop signal delivered to one that does not block it would end
     * the process without the drain */
    block_stop_signals();
    rc = grantd_cli_open_store(&cfg, &store);
    if (rc != GRANTD_EXIT_OK)
        goto out;
    /* the caches drop what other processes change (the CLI, other servers) */
    grantd_rc wrc = grantd_store_watch_start(store, &watch);
    if (wrc != GRANTD_OK) {
        fprintf(stderr, "grantd serve: cannot follow the database's changes: %s\n",
                grantd_strerror(wrc));
        rc = GRANTD_EXIT_FAIL;
        goto out;
    }
    /* every issuer's settings and keys; a tenant's first start generates its first key */
    grantd_rc src = grantd_served_open(store, &cfg, &served, err, sizeof(err));
    if (src != GRANTD_OK) {
        fprintf(stderr, "grantd serve: %s\n", err);
        rc = src == GRANTD_ECONFIG ? GRANTD_EXIT_USAGE : GRANTD_EXIT_FAIL;
        goto out;
    }
    if (cfg.audit_log &&
        grantd_audit_log_start(store, cfg.audit_log, &audit_log, err, sizeof(err)) != GRANTD_OK) {
        fprintf(stderr, "grantd serve: %s\n", err);
        rc = GRANTD_EXIT_FAIL;
        goto out;
    }
    raise_fd_limit();
    app_init(&app, &cfg, store);
    if (cfg.admin_listen) /* the feed is on the admin listener only */
        app.feed_waiter = feed_waiter = grantd_feed_waiter_start(store);
    if (start_server(&app, served, &l, &resolved_issuer, err, sizeof(err)) != GRANTD_OK) {
        fprintf(stderr, "grantd serve: %s\n", err);
        rc = GRANTD_EXIT_FAIL;
        goto out;
    }
    announce(&app, l.port[0], l.port[1], resolved_issuer);
    /* tenants created from now on (here or by another process) are served without a
     * restart; they are logged as tenant_added */
    if (grantd_served_follow(served) != GRANTD_OK) {
        fprintf(stderr, "grantd serve: cannot start following the tenants\n");
        rc = GRANTD_EXIT_FAIL;
        goto out;
    }
    if (cfg.revocation_feed_retention < cfg.lifetimes.access_token)
        grantd_log(GRANTD_LOG_WARN, "feed_retention_short", "{s:I,s:I}", "retention",
                   (json_int_t)cfg.revocation_feed_retention, "access_token_lifetime",
                   (json_int_t)cfg.lifetimes.access_token);
    janitor = grantd_janitor_start(store, app.now, cfg.revocation_feed_retention);
    wait_for_signal(&cfg, audit_log);
    rc = GRANTD_EXIT_OK;
out:
    grantd_janitor_stop(janitor);
    grantd_feed_waiter_close(feed_waiter); /* long-polls answer now: nothing waits them out */
    grantd_server_stop(l.srv[1]);
    grantd_server_stop(l.srv[0]); /* no request runs after this: the keyrings can go */
    grantd_feed_waiter_free(feed_waiter);
    grantd_audit_log_stop(audit_log); /* after the listeners: the last changes are written */
    grantd_store_watch_stop(watch);
    grantd_served_free(served); /* the follower first, then every issuer set published */
    grantd_store_close(store);
    free(resolved_issuer);
    grantd_config_free(&cfg);
    return rc;
}
