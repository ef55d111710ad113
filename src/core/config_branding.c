/* profile.branding's storage (core/config_int.h): freeing and copying it, and loading
 * profile.branding.texts, the issuer's wording of page texts per language. The simple
 * settings (product name, logo, colours, languages) are rows of config.c's tables; their
 * checkers are in config_check.c. Not here: how the pages use any of it (ui/theme.h,
 * ui/i18n.h). */
#include "core/config_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "core/config.h"
#include "core/mem.h"
#include "core/ui_texts.h"

#define TEXT_MAX 1024 /* bytes of one text */

static void texts_free(struct grantd_profile *p)
{
    for (size_t i = 0; i < p->branding.text_count; i++)
        free(p->branding.texts[i].value);
    free(p->branding.texts);
    p->branding.texts = NULL;
    p->branding.text_count = 0;
}

void grantd_cfg_branding_free(struct grantd_profile *p)
{
    free(p->branding.product_name);
    free(p->branding.logo_url);
    free(p->branding.primary_color);
    free(p->branding.background_color);
    free(p->branding.text_color);
    for (char **l = p->branding.languages; l && *l; l++)
        free(*l);
    free(p->branding.languages);
    texts_free(p);
    memset(&p->branding, 0, sizeof(p->branding));
}

void grantd_cfg_branding_copy(struct grantd_profile *dst, const struct grantd_profile *src)
{
    size_t n = 0;
    dst->branding = src->branding;
    dst->branding.product_name = grantd_cfg_str_copy(src->branding.product_name);
    dst->branding.logo_url = grantd_cfg_str_copy(src->branding.logo_url);
    dst->branding.primary_color = grantd_cfg_str_copy(src->branding.primary_color);
    dst->branding.background_color = grantd_cfg_str_copy(src->branding.background_color);
    dst->branding.text_color = grantd_cfg_str_copy(src->branding.text_color);
    dst->branding.languages = NULL;
    while (src->branding.languages && src->branding.languages[n])
        n++;
    if (src->branding.languages) {
        dst->branding.languages = grantd_xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
            dst->branding.languages[i] = grantd_xstrdup(src->branding.languages[i]);
    }
    dst->branding.texts = src->branding.text_count
                              ? grantd_xcalloc(src->branding.text_count,
                                               sizeof(*dst->branding.texts))
                              : NULL;
    for (size_t i = 0; i < src->branding.text_count; i++) {
        dst->branding.texts[i] = src->branding.texts[i];
        dst->branding.texts[i].value = grantd_xstrdup(src->branding.texts[i].value);
    }
}

/* The row of core/ui_texts.h named name, or -1. */
static int ui_text_id(const char *name)
{
#define TEXT_NAME(id, english) #id,
    static const char *const names[] = {GRANTD_UI_TEXTS(TEXT_NAME)};
#undef TEXT_NAME
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (name && strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

/* GRANTD_ECONFIG with *where = at and msg set from fmt. */
static grantd_rc fail(const config_setting_t *at, const config_setting_t **where, char *msg,
                      size_t msglen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
    *where = at;
    return GRANTD_ECONFIG;
}

static void add_text(struct grantd_profile *p, const char *lang, int id, const char *v)
{
    struct grantd_ui_text_override *o =
        grantd_xrealloc(p->branding.texts, (p->branding.text_count + 1) * sizeof(*o));
    p->branding.texts = o;
    o += p->branding.text_count++;
    memset(o, 0, sizeof(*o));
    snprintf(o->lang, sizeof(o->lang), "%s", lang);
    o->id = (unsigned)id;
    o->value = grantd_xstrdup(v);
}

/* One language's group: NAME = "text"; for names of core/ui_texts.h. A later setting of the
 * same text replaces the earlier one (ui/i18n.c looks from the end). */
static grantd_rc load_lang(struct grantd_profile *p, const config_setting_t *g,
                           const config_setting_t **where, char *msg, size_t msglen)
{
    const char *lang = config_setting_name(g);
    if (!lang || grantd_cfgchk_language(lang) || config_setting_type(g) != CONFIG_TYPE_GROUP)
        return fail(g, where, msg, msglen,
                    "profile.branding.texts: '%s' must be a group named by a language "
                    "grantd ships (en, de, nl): de = { NAME = \"...\"; };", lang ? lang : "");
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *t = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(t);
        int id = ui_text_id(name);
        if (id < 0)
            return fail(t, where, msg, msglen,
                        "profile.branding.texts.%s: unknown text '%s' (the names are in "
                        "docs/grantd.1, BRANDING)", lang, name ? name : "");
        const char *v = config_setting_get_string(t);
        if (!v || strlen(v) > TEXT_MAX)
            return fail(t, where, msg, msglen, "profile.branding.texts.%s.%s must be a string "
                        "of at most %d bytes", lang, name, TEXT_MAX);
        if (p->branding.text_count == GRANTD_UI_TEXT_OVERRIDES_MAX)
            return fail(t, where, msg, msglen, "profile.branding.texts: at most %d texts",
                        GRANTD_UI_TEXT_OVERRIDES_MAX);
        add_text(p, lang, id, v);
    }
    return GRANTD_OK;
}

grantd_rc grantd_cfg_load_texts(struct grantd_profile *p, const struct config_setting_t *s,
                                const struct config_setting_t **where, char *msg,
                                size_t msglen)
{
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return fail(s, where, msg, msglen, "profile.branding.texts must be a group: texts = "
                    "{ de = { NAME = \"...\"; }; };");
    texts_free(p);
    for (int i = 0; i < config_setting_length(s); i++) {
        grantd_rc rc = load_lang(p, config_setting_get_elem(s, (unsigned)i), where, msg,
                                 msglen);
        if (rc != GRANTD_OK)
            return rc;
    }
    return GRANTD_OK;
}
