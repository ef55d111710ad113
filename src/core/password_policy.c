/* The password policy (password_policy.h): length in code points, the username, runs, the
 * built-in list and the passwords.blocklist file, which is read once per process into a
 * sorted array (the process's lifetime: a server, or one CLI command). */
#include "core/password_policy.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/password.h"

#define BLOCKLIST_LINE_MAX 256

/* The blocklist file's lines, lowercased and sorted; loaded for path. */
static struct {
    pthread_mutex_t lock;
    char *path;      /* the file these lines are of; NULL: none loaded yet */
    char **lines;
    size_t count;
    int failed;      /* the file could not be read */
} blocklist = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, 0};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* Reads path's lines (trailing CR/LF removed, empty ones skipped, lowercased) into
 * blocklist; failed when it cannot be opened. Called with the lock held. */
static void blocklist_load(const char *path)
{
    char line[BLOCKLIST_LINE_MAX];
    size_t cap = 0;
    FILE *f = fopen(path, "r");
    blocklist.path = grantd_xstrdup(path);
    if (!f) {
        blocklist.failed = 1;
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        lower_ascii(line);
        if (blocklist.count == cap) {
            cap = cap ? cap * 2 : 1024;
            blocklist.lines = grantd_xrealloc(blocklist.lines, cap * sizeof(char *));
        }
        blocklist.lines[blocklist.count++] = grantd_xstrdup(line);
    }
    fclose(f);
    qsort(blocklist.lines, blocklist.count, sizeof(char *), cmp_str);
}

/* 1 when lower (lowercased) is a line of path; -1 when path cannot be read. */
static int in_blocklist(const char *path, const char *lower)
{
    pthread_mutex_lock(&blocklist.lock);
    if (!blocklist.path || strcmp(blocklist.path, path) != 0) {
        for (size_t i = 0; i < blocklist.count; i++)
            free(blocklist.lines[i]);
        free(blocklist.lines);
        free(blocklist.path);
        blocklist.lines = NULL;
        blocklist.path = NULL;
        blocklist.count = 0;
        blocklist.failed = 0;
        blocklist_load(path);
    }
    int found = blocklist.failed ? -1
                                 : bsearch(&lower, blocklist.lines, blocklist.count,
                                           sizeof(char *), cmp_str) != NULL;
    pthread_mutex_unlock(&blocklist.lock);
    return found;
}

static int in_common(const char *lower)
{
    return bsearch(&lower, grantd_password_common, grantd_password_common_count,
                   sizeof(char *), cmp_str) != NULL;
}

/* The number of Unicode code points of s (UTF-8; a stray byte counts as one). */
static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/* 1 when s (at least 2 bytes) is one byte repeated or a run of consecutive bytes up or
 * down ("aaaa", "1234", "dcba"). */
static int is_run(const char *s)
{
    size_t n = strlen(s);
    if (n < 2)
        return 0;
    int step = (unsigned char)s[1] - (unsigned char)s[0];
    if (step < -1 || step > 1)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((unsigned char)s[i] - (unsigned char)s[i - 1] != step)
            return 0;
    return 1;
}

/* lower without its trailing digits and punctuation ("password123!" -> "password"), into
 * out; 0 when nothing was removed or nothing would be left. */
static int base_word(const char *lower, char *out, size_t outlen)
{
    size_t n = strlen(lower);
    while (n > 0 && (isdigit((unsigned char)lower[n - 1]) || ispunct((unsigned char)lower[n - 1])))
        n--;
    if (n == 0 || n == strlen(lower) || n >= outlen)
        return 0;
    memcpy(out, lower, n);
    out[n] = '\0';
    return 1;
}

__attribute__((format(printf, 3, 4)))
static const char *say(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return why;
}

const char *grantd_password_policy_check(const struct grantd_config *cfg, const char *username,
                                         const char *password, char *why, size_t whylen)
{
    char lower[GRANTD_PASSWORD_MAX + 1], base[GRANTD_PASSWORD_MAX + 1];
    unsigned min = cfg->passwords.min_length ? cfg->passwords.min_length : 1;
    size_t len = strlen(password);
    if (len == 0)
        return say(why, whylen, "must not be empty");
    if (len > GRANTD_PASSWORD_MAX)
        return say(why, whylen, "is longer than %d bytes", GRANTD_PASSWORD_MAX);
    if (code_points(password) < min)
        return say(why, whylen, "is too short: at least %u characters", min);
    memcpy(lower, password, len + 1);
    lower_ascii(lower);
    if (username && strcasecmp(password, username) == 0)
        return say(why, whylen, "must not be the username");
    if (is_run(lower))
        return say(why, whylen, "is a run of repeated or consecutive characters");
    if (in_common(lower) || (base_word(lower, base, sizeof(base)) && in_common(base)))
        return say(why, whylen, "is one of the most common passwords: choose another");
    if (cfg->passwords.blocklist) {
        int found = in_blocklist(cfg->passwords.blocklist, lower);
        if (found < 0)
            return say(why, whylen, "cannot be checked: passwords.blocklist %.200s cannot be "
                                    "read", cfg->passwords.blocklist);
        if (found)
            return say(why, whylen, "is on the list of refused passwords: choose another");
    }
    return NULL;
}
