/* JSON text writer (see jsonw.h). */
#include "core/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void grantd_jsonw_raw(struct grantd_jsonw *w, const char *s, size_t n)
{
    if (w->buf)
        memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* Length of the UTF-8 sequence starting at s (at most left bytes), 0 when invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
    unsigned c = s[0];
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    if (c < 0xc2 || c > 0xf4 || left < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
        (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

void grantd_jsonw_str(struct grantd_jsonw *w, const char *s)
{
    grantd_jsonw_strn(w, s, strlen(s));
}

void grantd_jsonw_strn(struct grantd_jsonw *w, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    grantd_jsonw_raw(w, "\"", 1);
    for (size_t i = 0; i < len;) {
        size_t run = i;
        while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        grantd_jsonw_raw(w, s + i, run - i);
        i = run;
        if (i == len)
            break;
        if (p[i] >= 0x80) {
            size_t n = utf8_seq(p + i, len - i);
            if (n == 0) {
                w->bad = 1;
                return;
            }
            grantd_jsonw_raw(w, s + i, n);
            i += n;
            continue;
        }
        char esc[6] = {'\\', (char)p[i], 0, 0, 0, 0};
        size_t n = 2;
        if (p[i] < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[p[i] >> 4];
            esc[5] = hex[p[i] & 15];
            n = 6;
        }
        grantd_jsonw_raw(w, esc, n);
        i++;
    }
    grantd_jsonw_raw(w, "\"", 1);
}

void grantd_jsonw_int(struct grantd_jsonw *w, int64_t v)
{
    char num[32];
    int n = snprintf(num, sizeof(num), "%" PRId64, v);
    grantd_jsonw_raw(w, num, (size_t)n);
}

static void name(struct grantd_jsonw *w, int first, const char *n)
{
    grantd_jsonw_raw(w, first ? "{\"" : ",\"", 2);
    grantd_jsonw_raw(w, n, strlen(n));
    grantd_jsonw_raw(w, "\":", 2);
}

void grantd_jsonw_member_str(struct grantd_jsonw *w, int first, const char *n, const char *value)
{
    name(w, first, n);
    grantd_jsonw_str(w, value);
}

void grantd_jsonw_member_int(struct grantd_jsonw *w, int first, const char *n, int64_t value)
{
    name(w, first, n);
    grantd_jsonw_int(w, value);
}

void grantd_jsonw_member_list(struct grantd_jsonw *w, int first, const char *n, const char *list)
{
    name(w, first, n);
    int several = strchr(list, ' ') != NULL;
    if (several)
        grantd_jsonw_raw(w, "[", 1);
    int written = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, " ");
        if (len) {
            if (written++)
                grantd_jsonw_raw(w, ",", 1);
            grantd_jsonw_strn(w, p, len);
        }
        p += len + (p[len] == ' ');
    }
    if (several)
        grantd_jsonw_raw(w, "]", 1);
    else if (!written)
        grantd_jsonw_str(w, "");
}
