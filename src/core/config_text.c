/* Reading a configuration file's text (core/config_int.h). */
#include "core/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"

/* Reads path into a NUL-terminated heap buffer (at most GRANTD_CONFIG_FILE_MAX bytes). */
grantd_rc grantd_cfg_read_text(const char *path, char **out, char *err, size_t errlen)
{
    grantd_rc rc = GRANTD_EIO;
    struct stat st;
    char *text = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return GRANTD_EIO;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is a directory", path);
        goto out;
    }
    text = grantd_xmalloc(GRANTD_CONFIG_FILE_MAX + 1);
    len = fread(text, 1, GRANTD_CONFIG_FILE_MAX + 1, f);
    if (ferror(f)) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        goto out;
    }
    if (len > GRANTD_CONFIG_FILE_MAX) {
        snprintf(err, errlen, "%s: larger than %d bytes", path, GRANTD_CONFIG_FILE_MAX);
        goto out;
    }
    text[len] = '\0';
    *out = text;
    text = NULL;
    rc = GRANTD_OK;
out:
    free(text);
    fclose(f);
    return rc;
}

/* libconfig 1.5 reads an integer literal that does not fit 32 bits and has no L suffix by
 * silently wrapping it (4294967356 reads as 60). No setting needs more than nine decimal or
 * eight hex digits, so such literals are refused before libconfig sees the text. The
 * helpers below skip strings, comments and names so that only literals are looked at. */
static const char *skip_quoted(const char *p, int *line)
{
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
            p++;
        if (*p == '\n')
            (*line)++;
    }
    return *p ? p + 1 : p;
}

static const char *skip_comment(const char *p, int *line)
{
    if (*p == '#' || p[1] == '/')
        return p + strcspn(p, "\n");
    for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
        if (*p == '\n')
            (*line)++;
    return *p ? p + 2 : p;
}

static const char *skip_float(const char *p)
{
    while (isalnum((unsigned char)*p) || *p == '.' || *p == '+' || *p == '-')
        p++;
    return p;
}

static const char *skip_number(const char *p, int *too_big)
{
    if (*p == '.')
        return skip_float(p);
    int hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    p += hex ? 2 : 0;
    while (*p == '0')
        p++;
    const char *digits = p;
    while (hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p))
        p++;
    if (!hex && (*p == '.' || *p == 'e' || *p == 'E')) /* a float: a type error later */
        return skip_float(p);
    if (*p == 'L')
        return p + strspn(p, "L");
    *too_big = (size_t)(p - digits) > (hex ? 8u : 9u);
    return p;
}

grantd_rc grantd_cfg_check_int_literals(const char *text, const char *path, char *err,
                                    size_t errlen)
{
    int line = 1;
    const char *p = text;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        int too_big = 0;
        if (c == '\n') {
            line++;
            p++;
        } else if (c == '"') {
            p = skip_quoted(p, &line);
        } else if (c == '#' || (c == '/' && (p[1] == '/' || p[1] == '*'))) {
            p = skip_comment(p, &line);
        } else if (isalpha(c) || c == '*' || c == '@' || c == '_') {
            p = p + 1 + strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789-_*");
        } else if (isdigit(c) || (c == '.' && isdigit((unsigned char)p[1]))) {
            p = skip_number(p, &too_big);
        } else {
            p++;
        }
        if (too_big) {
            snprintf(err, errlen, "%s:%d: integer out of range", path, line);
            return GRANTD_ECONFIG;
        }
    }
    return GRANTD_OK;
}

