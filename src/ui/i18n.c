/* Choosing a page's language and finding its texts (ui/i18n.h). The parsers read at most
 * GRANTD_LOCALE_INPUT_MAX bytes, never allocate and never write outside their own locals,
 * so any byte string is safe input. */
#include "ui/i18n.h"

#include <string.h>
#include <strings.h>

static const char *const english[GRANTD_TEXT_COUNT] = {
#define GRANTD_TEXT_ENGLISH(id, text) text,
    GRANTD_UI_TEXTS(GRANTD_TEXT_ENGLISH)
#undef GRANTD_TEXT_ENGLISH
};

static char *const only_english[] = {"en", NULL};

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The entry of offered whose code is the primary subtag of tag[0..n) ("de" of "de-AT"), or
 * NULL. A primary subtag is 1 to 8 letters followed by the end or '-'. */
static const char *match_tag(const char *tag, size_t n, char *const *offered)
{
    size_t primary = 0;
    while (primary < n && is_alpha((unsigned char)tag[primary]))
        primary++;
    if (primary == 0 || primary > 8 || (primary < n && tag[primary] != '-'))
        return NULL;
    for (size_t i = 0; offered[i]; i++)
        if (strlen(offered[i]) == primary && strncasecmp(offered[i], tag, primary) == 0)
            return offered[i];
    return NULL;
}

static size_t capped_len(const char *s)
{
    const char *end = memchr(s, '\0', GRANTD_LOCALE_INPUT_MAX);
    return end ? (size_t)(end - s) : GRANTD_LOCALE_INPUT_MAX;
}

const char *grantd_locale_from_ui_locales(const char *ui_locales, char *const *offered)
{
    if (!ui_locales)
        return NULL;
    offered = offered ? offered : only_english;
    size_t len = capped_len(ui_locales), i = 0;
    while (i < len) {
        while (i < len && ui_locales[i] == ' ')
            i++;
        size_t start = i;
        while (i < len && ui_locales[i] != ' ')
            i++;
        const char *hit = i > start ? match_tag(ui_locales + start, i - start, offered) : NULL;
        if (hit)
            return hit;
    }
    return NULL;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* A weight (RFC 9110 §12.4.2: "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")]) in thousandths, or
 * -1 when s[0..n) is not one. */
static int parse_qvalue(const char *s, size_t n)
{
    if (n < 1 || (s[0] != '0' && s[0] != '1') || (n > 1 && s[1] != '.') || n > 5)
        return -1;
    int w = (s[0] - '0') * 1000, scale = 100;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        w += (s[i] - '0') * scale;
    }
    return w > 1000 ? -1 : w;
}

/* The weight of one element's parameters p[0..n) (";q=0.5"), 1000 without a q; -1 when a
 * q is malformed. Parameters other than q are ignored. */
static int element_weight(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (p[i] == ';' || is_ows(p[i])))
            i++;
        size_t start = i;
        while (i < n && p[i] != ';')
            i++;
        size_t end = i;
        while (end > start && is_ows(p[end - 1]))
            end--;
        if (end - start >= 2 && (p[start] == 'q' || p[start] == 'Q') && p[start + 1] == '=')
            return parse_qvalue(p + start + 2, end - start - 2);
    }
    return 1000;
}

/* One element e[0..n) of the list: *lang gets the offered language it names (the default
 * for "*") or NULL; answers its weight, or -1. */
static int element(const char *e, size_t n, char *const *offered, const char **lang)
{
    size_t i = 0;
    while (i < n && is_ows(e[i]))
        i++;
    size_t start = i;
    while (i < n && e[i] != ';' && !is_ows(e[i]))
        i++;
    if (i == start)
        return -1;
    *lang = (i - start == 1 && e[start] == '*') ? offered[0]
                                                 : match_tag(e + start, i - start, offered);
    return element_weight(e + i, n - i);
}

const char *grantd_locale_from_accept_language(const char *header, char *const *offered)
{
    if (!header)
        return NULL;
    offered = offered ? offered : only_english;
    const char *best = NULL;
    int best_w = 0;
    size_t len = capped_len(header), i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && header[i] != ',')
            i++;
        const char *lang = NULL;
        int w = element(header + start, i - start, offered, &lang);
        if (lang && w > best_w) {
            best = lang;
            best_w = w;
        }
        i++; /* past the comma */
    }
    return best;
}

const char *grantd_locale_choose(const char *ui_locales, const char *accept_language,
                                 char *const *offered)
{
    offered = offered && offered[0] ? offered : only_english;
    const char *lang = grantd_locale_from_ui_locales(ui_locales, offered);
    if (!lang)
        lang = grantd_locale_from_accept_language(accept_language, offered);
    return lang ? lang : offered[0];
}

static const char *const *catalog(const char *lang)
{
    if (lang && strcmp(lang, "de") == 0)
        return grantd_i18n_de;
    if (lang && strcmp(lang, "nl") == 0)
        return grantd_i18n_nl;
    return english;
}

const char *grantd_i18n_text(const struct grantd_profile *profile, const char *lang,
                             enum grantd_text id)
{
    if ((unsigned)id >= GRANTD_TEXT_COUNT)
        return "";
    lang = lang ? lang : "en";
    /* from the end: a later setting of the same text wins */
    for (size_t i = profile ? profile->branding.text_count : 0; i-- > 0;) {
        const struct grantd_ui_text_override *o = &profile->branding.texts[i];
        if (o->id == (unsigned)id && strcmp(o->lang, lang) == 0)
            return o->value;
    }
    const char *t = catalog(lang)[id];
    return t ? t : english[id];
}
