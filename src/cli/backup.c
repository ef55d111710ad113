/* grantd backup: a consistent copy of a live SQLite database (grantd_store_backup, one
 * snapshot while servers go on writing), written to PATH.tmp with mode 0600, flushed to disk
 * and renamed to PATH, so PATH is either the whole copy or absent. An existing PATH is kept
 * unless --force. The master key that seals the signing keys is not in the database: by
 * default it is not copied and the output says so; --with-key copies the key file beside the
 * database to PATH.key the same way (where `grantd serve --db sqlite:PATH` finds it).
 *
 * Not here: the copy itself (store/sqlite_backup.c; SQL lives only in src/store/), and
 * PostgreSQL, which is refused with a pointer to pg_dump. The database is neither created
 * nor migrated: a backup copies what is there. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/admin.h"

static const char usage[] =
    "Usage: grantd backup --to PATH [--force] [--with-key] [--config FILE] [--db URL]\n"
    "\n"
    "Writes a consistent copy of an SQLite database to PATH (mode 0600) while servers keep\n"
    "running on it: one snapshot, written to PATH.tmp and renamed, so PATH is never a half\n"
    "copy. To restore, stop the servers and put the copy in the database's place, or run\n"
    "`grantd serve --db sqlite:PATH`.\n"
    "\n"
    "The master key that seals the signing keys is NOT in the copy: back it up separately\n"
    "(the key file DATABASE.key beside the database, or wherever GRANTD_MASTER_KEY or\n"
    "keys.master_key_file keep it), or pass --with-key. A copy without its key cannot sign.\n"
    "PostgreSQL databases are backed up with pg_dump (docs/deploy.md).\n"
    "\n"
    "Options:\n"
    "  --to PATH      where the copy goes (required)\n"
    "  --force        replace an existing PATH (and PATH.key with --with-key)\n"
    "  --with-key     also copy the key file DATABASE.key to PATH.key (mode 0600)\n"
    "  --config FILE  configuration file (default: $GRANTD_CONFIG, else none)\n"
    "  --db URL       database, e.g. sqlite:grantd.db (default: $GRANTD_DB, the config\n"
    "                 file's db, else sqlite:grantd.db)\n"
    "  --help         this text\n";

#define CMD "backup"
#define OPT_TO 't'
#define OPT_FORCE 'f'
#define OPT_WITH_KEY 'k'

struct backup_args {
    const char *to;
    int force;
    int with_key;
};

static int each_option(void *ctx, int val)
{
    struct backup_args *b = ctx;
    if (val == OPT_TO)
        b->to = optarg;
    else if (val == OPT_FORCE)
        b->force = 1;
    else if (val == OPT_WITH_KEY)
        b->with_key = 1;
    return GRANTD_EXIT_OK;
}

/* "PATH" + suffix into out; a usage error when it does not fit. */
static int path_with(char *out, size_t outlen, const char *path, const char *suffix)
{
    if (snprintf(out, outlen, "%s%s", path, suffix) >= (int)outlen)
        return grantd_cli_usage_error(CMD, "path too long: %.64s...", path);
    return GRANTD_EXIT_OK;
}

/* The SQLite file cfg names, or a usage error for any other database. */
static int database_path(const struct grantd_config *cfg, const char **out)
{
    const char *url = cfg->db_url;
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        return grantd_cli_usage_error(
            CMD, "a PostgreSQL database is backed up with pg_dump, e.g. `pg_dump --format=custom "
                 "--file grantd.dump DBNAME` (see docs/deploy.md); grantd backup copies SQLite "
                 "databases");
    if (strncmp(url, "sqlite:", 7) != 0)
        return grantd_cli_usage_error(CMD, "cannot back up database URL '%.64s'", url);
    if (strcmp(url + 7, ":memory:") == 0)
        return grantd_cli_usage_error(CMD, "sqlite::memory: lives in one process: nothing to "
                                           "back up");
    struct stat sb;
    if (stat(url + 7, &sb) != 0 || !S_ISREG(sb.st_mode))
        return grantd_admin_fail(CMD, "no database at %s", url + 7);
    *out = url + 7;
    return GRANTD_EXIT_OK;
}

/* Refuses a target that exists (unless force) or that is the database itself (always). */
static int check_target(const char *db, const char *path, int force)
{
    char a[PATH_MAX], b[PATH_MAX];
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return GRANTD_EXIT_OK;
    if (realpath(db, a) && realpath(path, b) && strcmp(a, b) == 0)
        return grantd_cli_usage_error(CMD, "%s is the database itself", path);
    if (!force)
        return grantd_cli_usage_error(CMD, "%s exists (pass --force to replace it)", path);
    return GRANTD_EXIT_OK;
}

/* Creates path empty with mode 0600 (never through a symlink); a stale one from an
 * interrupted backup is removed first when force. */
static int create_tmp(const char *path, int force)
{
    if (force)
        (void)unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        return grantd_admin_fail(CMD, "%s exists, left by an interrupted backup? (remove it or "
                                      "pass --force)", path);
    if (fd < 0)
        return grantd_admin_fail(CMD, "cannot create %s: %s", path, strerror(errno));
    close(fd);
    return GRANTD_EXIT_OK;
}

/* fsync of a file, or of the folder holding path (so a rename survives a crash). */
static int sync_path(const char *path, int folder)
{
    char dir[PATH_MAX];
    if (folder) {
        const char *slash = strrchr(path, '/');
        if (!slash)
            snprintf(dir, sizeof(dir), ".");
        else
            snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
        path = dir;
    }
    int fd = open(path, (folder ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return grantd_admin_fail(CMD, "cannot flush %s: %s", path, strerror(e));
    }
    close(fd);
    return GRANTD_EXIT_OK;
}

/* tmp, complete, flushed and renamed to path. */
static int commit_file(const char *tmp, const char *path)
{
    int rc = sync_path(tmp, 0);
    if (rc == GRANTD_EXIT_OK && chmod(tmp, 0600) != 0)
        rc = grantd_admin_fail(CMD, "cannot set the mode of %s: %s", tmp, strerror(errno));
    if (rc == GRANTD_EXIT_OK && rename(tmp, path) != 0)
        rc = grantd_admin_fail(CMD, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc == GRANTD_EXIT_OK)
        rc = sync_path(path, 1);
    return rc;
}

/* Copies the key file src to dst through dst.tmp (0600). */
static int copy_key(const char *src, const char *dst, int force)
{
    char tmp[PATH_MAX], buf[4096];
    int rc = path_with(tmp, sizeof(tmp), dst, ".tmp");
    if (rc == GRANTD_EXIT_OK)
        rc = create_tmp(tmp, force);
    if (rc != GRANTD_EXIT_OK)
        return rc;
    FILE *in = fopen(src, "rb"), *out = fopen(tmp, "wb");
    size_t n = 0;
    while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            break;
    int ok = in && out && !ferror(in) && n == 0;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    explicit_bzero(buf, sizeof(buf));
    rc = ok ? commit_file(tmp, dst)
            : grantd_admin_fail(CMD, "cannot copy the key file %s to %s", src, tmp);
    if (rc != GRANTD_EXIT_OK)
        (void)unlink(tmp);
    return rc;
}

/* With --with-key: the key file to copy into *key_src, after checking the key is kept there
 * and the target for it may be written. */
static int check_key(const struct grantd_config *cfg, const char *db, const char *to,
                     int force, char *key_src, char *key_dst)
{
    if (cfg->keys.master_key || cfg->keys.master_key_file)
        return grantd_cli_usage_error(
            CMD, "--with-key: the master key is configured (GRANTD_MASTER_KEY, keys.master_key "
                 "or keys.master_key_file), not kept beside the database: back it up where it "
                 "is kept");
    int rc = path_with(key_src, PATH_MAX, db, ".key");
    if (rc == GRANTD_EXIT_OK)
        rc = path_with(key_dst, PATH_MAX, to, ".key");
    if (rc != GRANTD_EXIT_OK)
        return rc;
    if (access(key_src, R_OK) != 0)
        return grantd_admin_fail(CMD, "--with-key: cannot read the key file %s: %s", key_src,
                                 strerror(errno));
    return check_target(key_src, key_dst, force);
}

/* The copy itself: PATH.tmp filled from the store, then renamed. */
static int write_copy(const struct grantd_config *cfg, const char *to, int force)
{
    char tmp[PATH_MAX], err[512];
    struct grantd_store *s = NULL;
    int rc = path_with(tmp, sizeof(tmp), to, ".tmp");
    if (rc == GRANTD_EXIT_OK)
        rc = create_tmp(tmp, force);
    if (rc != GRANTD_EXIT_OK)
        return rc;
    if (grantd_store_open(cfg->db_url, &s, err, sizeof(err)) != GRANTD_OK) {
        rc = grantd_admin_fail(CMD, "%s", err);
    } else {
        grantd_rc src = grantd_store_backup(s, tmp, err, sizeof(err));
        if (src == GRANTD_ENOTSUP)
            rc = grantd_admin_fail(CMD, "this database's driver has no backup");
        else if (src != GRANTD_OK)
            rc = grantd_admin_fail(CMD, "%s", err);
        else
            rc = commit_file(tmp, to);
    }
    grantd_store_close(s);
    if (rc != GRANTD_EXIT_OK)
        (void)unlink(tmp);
    return rc;
}

static void report(const char *db, const char *to, int with_key, const char *key_dst)
{
    struct stat sb;
    long long size = stat(to, &sb) == 0 ? (long long)sb.st_size : -1;
    printf("sqlite:%s backed up to %s (%lld bytes, mode 0600)\n", db, to, size);
    if (with_key)
        printf("master key copied to %s (mode 0600): keep it apart from the copy's readers\n",
               key_dst);
    else
        printf("the master key is NOT in the backup: back up %s.key (or GRANTD_MASTER_KEY / "
               "keys.master_key_file) separately, or rerun with --with-key; without it the "
               "copy's signing keys cannot be opened\n",
               db);
}

int grantd_cli_backup(int argc, char **argv)
{
    static const struct option opts[] = {GRANTD_ADMIN_COMMON_OPTIONS,
                                         {"to", required_argument, NULL, OPT_TO},
                                         {"force", no_argument, NULL, OPT_FORCE},
                                         {"with-key", no_argument, NULL, OPT_WITH_KEY},
                                         {NULL, 0, NULL, 0}};
    struct grantd_admin_args a;
    struct backup_args b = {0};
    struct grantd_config cfg;
    char key_src[PATH_MAX], key_dst[PATH_MAX];
    const char *db = NULL;
    grantd_admin_args_init(&a, CMD, usage);
    int rc = grantd_admin_options(&a, argc, argv, opts, each_option, &b);
    if (rc == -1)
        return GRANTD_EXIT_OK;
    if (rc == GRANTD_EXIT_OK)
        rc = grantd_admin_positionals(&a, argc, argv, 0, 0, "");
    if (rc == GRANTD_EXIT_OK && (!b.to || !*b.to))
        rc = grantd_cli_usage_error(CMD, "--to PATH is required");
    if (rc != GRANTD_EXIT_OK)
        return rc;

    rc = grantd_cli_config(&cfg, a.config, NULL, a.db, NULL);
    if (rc == GRANTD_EXIT_OK)
        rc = database_path(&cfg, &db);
    if (rc == GRANTD_EXIT_OK)
        rc = check_target(db, b.to, b.force);
    if (rc == GRANTD_EXIT_OK && b.with_key)
        rc = check_key(&cfg, db, b.to, b.force, key_src, key_dst);
    if (rc == GRANTD_EXIT_OK)
        rc = write_copy(&cfg, b.to, b.force);
    if (rc == GRANTD_EXIT_OK && b.with_key)
        rc = copy_key(key_src, key_dst, b.force);
    if (rc == GRANTD_EXIT_OK) {
        report(db, b.to, b.with_key, key_dst);
        rc = grantd_admin_finish(CMD, GRANTD_EXIT_OK);
    }
    grantd_config_free(&cfg);
    return rc;
}
