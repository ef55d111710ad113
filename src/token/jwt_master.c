/* The master key that seals signing keys at rest (AES-256-GCM, core/seal.h).
 *
 * Where it comes from, first match wins:
 *   1. keys.master_key (config) or $GRANTD_MASTER_KEY: base64 of 32 bytes;
 *   2. the file keys.master_key_file;
 *   3. "<database path>.key" beside an SQLite database ("sqlite:PATH");
 *   4. for "sqlite::memory:", a random key that lives as long as the process.
 * Files hold base64 text. The file of case 3 is created with 32 random bytes, mode 0600, when
 * missing; the file of case 2 must exist (see from_configured_file). Two
 * processes starting at once must end up with one key: the file is written under a
 * temporary name and published with link(2), which fails with EEXIST for the loser, who then
 * reads the winner's complete file (an O_EXCL create would let the loser read a file the
 * winner has not finished writing).
 *
 * Cases 3 and 4 log one warning per process when the caller asks (the server does): a key
 * beside the database travels with every copy of the database, so production should set
 * GRANTD_MASTER_KEY. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/crypto.h"
#include "core/log.h"
#include "token/jwt_int.h"

#define FILE_MAX 1024 /* a key file is 45 bytes; anything much bigger is the wrong file */

static atomic_int warned;
static pthread_once_t memory_once = PTHREAD_ONCE_INIT;
static unsigned char memory_key[GRANTD_SEAL_KEY_LEN];
static int memory_ok;

static void memory_init(void)
{
    memory_ok = grantd_random_bytes(memory_key, sizeof(memory_key)) == GRANTD_OK;
}

static void warn_once(const char *where)
{
    if (atomic_exchange(&warned, 1))
        return;
    grantd_log(GRANTD_LOG_WARN, "master_key_default", "{s:s,s:s}", "source", where, "message",
               "signing keys are sealed with a master key kept beside the database (or in "
               "memory); production should set GRANTD_MASTER_KEY (base64 of 32 random bytes, "
               "e.g. `openssl rand -base64 32`) or keys.master_key_file");
}

/* base64 text (surrounding whitespace ignored) of exactly 32 bytes. */
static int parse_key(const char *text, size_t len, unsigned char key[GRANTD_SEAL_KEY_LEN])
{
    unsigned char raw[FILE_MAX];
    size_t n = 0;
    while (len > 0 && strchr(" \t\r\n", text[len - 1]))
        len--;
    while (len > 0 && strchr(" \t\r\n", *text)) {
        text++;
        len--;
    }
    if (len == 0 || len > 64 || grantd_b64_decode(text, len, 1, raw, &n) != GRANTD_OK ||
        n != GRANTD_SEAL_KEY_LEN) {
        OPENSSL_cleanse(raw, sizeof(raw));
        return 0;
    }
    memcpy(key, raw, GRANTD_SEAL_KEY_LEN);
    OPENSSL_cleanse(raw, sizeof(raw));
    return 1;
}

static grantd_rc read_file(const char *path, unsigned char key[GRANTD_SEAL_KEY_LEN], char *err,
                           size_t errlen)
{
    char buf[FILE_MAX + 1];
    struct stat st;
    ssize_t n = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot read master key file %s: %s", path, strerror(errno));
        return GRANTD_EIO;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        n = read(fd, buf, sizeof(buf));
    int saved = errno;
    close(fd);
    if (n < 0) {
        snprintf(err, errlen, "cannot read master key file %s: %s", path,
                 S_ISREG(st.st_mode) ? strerror(saved) : "not a regular file");
        return GRANTD_EIO;
    }
    int ok = n <= FILE_MAX && parse_key(buf, (size_t)n, key);
    OPENSSL_cleanse(buf, sizeof(buf));
    if (!ok) {
        snprintf(err, errlen, "master key file %s does not hold the base64 of 32 bytes", path);
        return GRANTD_ECONFIG;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        grantd_log(GRANTD_LOG_WARN, "master_key_file_mode", "{s:s,s:s}", "path", path, "message",
                   "the master key file is readable by others; chmod 600 it");
    return GRANTD_OK;
}

/* Writes a fresh key into the new file tmp (O_EXCL) and key. 0 on failure (errno set;
 * EEXIST when tmp exists). */
static int write_temp(const char *tmp, unsigned char key[GRANTD_SEAL_KEY_LEN])
{
    unsigned char raw[GRANTD_SEAL_KEY_LEN];
    char text[64];
    if (grantd_random_bytes(raw, sizeof(raw)) != GRANTD_OK) {
        errno = EIO;
        return 0;
    }
    int n = EVP_EncodeBlock((unsigned char *)text, raw, (int)sizeof(raw));
    text[n++] = '\n';
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int ok = fd >= 0 && fchmod(fd, 0600) == 0 && write(fd, text, (size_t)n) == n &&
             fsync(fd) == 0;
    int saved = errno;
    if (fd >= 0)
        close(fd);
    if (ok)
        memcpy(key, raw, sizeof(raw));
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(text, sizeof(text));
    errno = saved;
    return ok;
}

/* Creates path with a fresh key, or reads the key another process created first. */
static grantd_rc create_file(const char *path, unsigned char key[GRANTD_SEAL_KEY_LEN], char *err,
                             size_t errlen)
{
    char tmp[4200], rnd[17];
    unsigned char r[8];
    if (strlen(path) > 4096 || grantd_random_bytes(r, sizeof(r)) != GRANTD_OK) {
        snprintf(err, errlen, "cannot create master key file %.256s", path);
        return GRANTD_EIO;
    }
    grantd_hex_encode(r, sizeof(r), rnd);
    /* path is at most 4096 bytes (above); the precision says so to the compiler too */
    snprintf(tmp, sizeof(tmp), "%.4096s.tmp-%ld-%s", path, (long)getpid(), rnd);
    if (!write_temp(tmp, key)) {
        snprintf(err, errlen, "cannot create master key file %s: %s", path, strerror(errno));
        unlink(tmp);
        return GRANTD_EIO;
    }
    int linked = link(tmp, path) == 0, saved = errno;
    if (!linked && saved != EEXIST) {
        /* a file system without hard links: O_EXCL on the name itself (a racing reader may
         * then see a short file for a moment, and fail with a clear message) */
        linked = write_temp(path, key);
        saved = errno;
    }
    unlink(tmp);
    if (linked)
        return GRANTD_OK;
    OPENSSL_cleanse(key, GRANTD_SEAL_KEY_LEN);
    if (saved == EEXIST) /* another process won the race: use its key */
        return read_file(path, key, err, errlen);
    snprintf(err, errlen, "cannot create master key file %s: %s", path, strerror(saved));
    return GRANTD_EIO;
}

/* keys.master_key_file: never created. A configured file that is missing is a typo in the
 * path or a volume that is not mounted; creating a key there would seal new signing keys
 * under a key nobody has kept, and leave the existing ones unreadable. */
static grantd_rc from_configured_file(const char *path, unsigned char key[GRANTD_SEAL_KEY_LEN],
                                      char *err, size_t errlen)
{
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        snprintf(err, errlen, "master key file %s (keys.master_key_file) does not exist: "
                              "fix the path, or create it with `openssl rand -base64 32`",
                 path);
        return GRANTD_ECONFIG;
    }
    return read_file(path, key, err, errlen);
}

static grantd_rc from_file(const char *path, unsigned char key[GRANTD_SEAL_KEY_LEN], char *err,
                           size_t errlen)
{
    if (access(path, F_OK) == 0 || errno != ENOENT)
        return read_file(path, key, err, errlen);
    return create_file(path, key, err, errlen);
}

grantd_rc grantd_master_key_load(const struct grantd_config *cfg, int warn,
                                 unsigned char key[GRANTD_SEAL_KEY_LEN], char *where,
                                 size_t wherelen, char *err, size_t errlen)
{
    const char *k = cfg->keys.master_key;
    if (k) {
        snprintf(where, wherelen, "master key from $GRANTD_MASTER_KEY (or keys.master_key)");
        if (parse_key(k, strlen(k), key))
            return GRANTD_OK;
        snprintf(err, errlen, "keys.master_key must be the base64 of 32 random bytes");
        return GRANTD_ECONFIG;
    }
    if (cfg->keys.master_key_file) {
        snprintf(where, wherelen, "master key file %s", cfg->keys.master_key_file);
        return from_configured_file(cfg->keys.master_key_file, key, err, errlen);
    }
    const char *db = cfg->db_url ? cfg->db_url : "";
    if (strncmp(db, "sqlite:", 7) != 0 || !db[7]) {
        snprintf(err, errlen, "no master key: set GRANTD_MASTER_KEY (or keys.master_key, or "
                              "keys.master_key_file) for this database");
        return GRANTD_ECONFIG;
    }
    if (strcmp(db + 7, ":memory:") == 0) {
        snprintf(where, wherelen, "in-memory master key");
        pthread_once(&memory_once, memory_init);
        if (!memory_ok) {
            snprintf(err, errlen, "cannot generate a master key");
            return GRANTD_ECRYPTO;
        }
        memcpy(key, memory_key, GRANTD_SEAL_KEY_LEN);
        if (warn)
            warn_once("memory");
        return GRANTD_OK;
    }
    char path[4200];
    if (snprintf(path, sizeof(path), "%s.key", db + 7) >= (int)sizeof(path)) {
        snprintf(err, errlen, "database path too long for a master key file");
        return GRANTD_ECONFIG;
    }
    snprintf(where, wherelen, "master key file %s", path);
    grantd_rc rc = from_file(path, key, err, errlen);
    if (rc == GRANTD_OK && warn)
        warn_once(path);
    return rc;
}
