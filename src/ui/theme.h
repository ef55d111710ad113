/* Internal to ui/: an issuer's look (issue 13 item 5) — its stylesheet with its colours and
 * the Content-Security-Policy that pins it — and the look of one page (theme, language,
 * the profile whose texts it uses).
 *
 * The colours enter the one inline stylesheet as CSS custom properties in a `:root{...}`
 * rule before the fixed rules; the values were checked as #rrggbb when the configuration
 * was loaded (core/config_check.c), and are checked again here, so no other byte can reach
 * the stylesheet. A logo is an image at one URL (profile.branding.logo_url, checked at load
 * to be a valid CSP source): img-src names exactly that URL, else img-src is 'none'.
 * The stylesheet's SHA-256 is in the CSP, so a theme's CSP is computed per theme: once,
 * cached by its colours and logo URL (not by issuer, so a restarted configuration or
 * another issuer with the same look shares it), under a mutex. Cached themes live until exit; there are at most
 * GRANTD_THEME_CACHE_MAX of them, and a theme past that is built into the request's arena.
 * Not here: the frame's markup (ui/layout.h), texts and languages (ui/i18n.h). */
#ifndef GRANTD_UI_THEME_H
#define GRANTD_UI_THEME_H

#include <stddef.h>

#include "core/config.h"
#include "core/mem.h"
#include "http/request.h"
#include "ui/i18n.h"

#define GRANTD_THEME_CACHE_MAX 256

/* grantd's own colours: what a profile without branding shows */
#define GRANTD_THEME_PRIMARY "#1e40af"
#define GRANTD_THEME_BACKGROUND "#f3f4f6"
#define GRANTD_THEME_TEXT "#111827"

struct grantd_theme {
    char primary[8], background[8], text[8];
    const char *logo_url;     /* the image the pages show, which img-src names; NULL: none */
    const char *style;        /* the inline stylesheet's bytes, exactly as hashed */
    size_t style_len;
    const char *csp_plain;    /* CSP of a page without script */
    const char *csp_script;   /* CSP of the out-of-band page (its copy script) */
    const char *csp_fields;   /* CSP of a console page with Copy buttons (their script) */
};

/* What one page is drawn with. */
struct grantd_ui_look {
    const struct grantd_profile *profile; /* product name and text overrides; NULL: none */
    const char *lang;                     /* the page's language: <html lang>, its texts */
    const struct grantd_theme *theme;
};

/* The theme of profile (NULL: grantd's own). Never NULL: from the cache, or, when the cache
 * is full, built in arena. Thread-safe. */
const struct grantd_theme *grantd_theme_get(const struct grantd_profile *profile,
                                            struct grantd_arena *arena);

/* The look of the page req asks for: req->iss's profile and theme, and the language chosen
 * (ui/i18n.h) from ui_locales (the query's, or that of the authorization request carried in
 * the form field "request"), then Accept-Language, then the issuer's default. */
void grantd_ui_look_get(struct grantd_request *req, struct grantd_ui_look *look);

/* grantd's own look in English, for pages without a request's issuer. */
const struct grantd_ui_look *grantd_ui_look_default(void);

/* A text of the look's language (look NULL: the default look). */
const char *grantd_ui_t(const struct grantd_ui_look *look, enum grantd_text id);

/* The out-of-band page's copy script (the same for every theme; its texts come from data-
 * attributes of the page, so its hash does not depend on the language). */
extern const char grantd_theme_script[];
extern const size_t grantd_theme_script_len;
/* The console's Copy buttons' script (every button data-copy="ID"). */
extern const char grantd_theme_fields_script[];
extern const size_t grantd_theme_fields_script_len;

/* SHA-256 of s[0..n) as standard base64 with padding, as CSP hash sources are written;
 * out holds 45 bytes. */
void grantd_theme_hash(const char *s, size_t n, char out[45]);

#endif
