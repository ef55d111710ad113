/* An issuer's stylesheet and CSP, cached per colours, and the look of a page (ui/theme.h).
 * The fixed rules and the script are string literals, so the bytes hashed into the CSP are
 * exactly the bytes written into the page. */
#include "ui/theme.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "http/app.h"
#include "http/params.h"
#include "ui/pages.h"

/* System font, a centred card at most 26rem wide, text contrast ≥ 7:1 with grantd's own
 * colours (WCAG AAA; control borders ≥ 4.5:1), a 3 px focus ring on everything focusable,
 * 44 px touch targets. The issuer's colours are the custom properties --p (primary), --on-p
 * (text on primary: black or white, whichever contrasts more), --bg (behind the card) and
 * --fg (text). No style="" attributes anywhere: the CSP would block them. */
#define THEME_RULES \
    "*{box-sizing:border-box}" \
    "html{color-scheme:light}" \
    "body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;" \
    "padding:1rem;background:var(--bg);color:var(--fg);" \
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}" \
    "main{width:100%;max-width:26rem;background:#fff;border:1px solid #d1d5db;" \
    "border-radius:.5rem;padding:1.5rem;overflow-wrap:anywhere}" \
    ".brand{font-weight:700;font-size:1.125rem;margin:0 0 1rem;padding:0 0 .5rem;" \
    "border-bottom:3px solid var(--p)}.logo{display:block;max-height:3rem;max-width:100%}" \
    "h1{font-size:1.375rem;line-height:1.3;margin:0 0 .5rem}" \
    "p,ul{margin:0 0 1rem}ul{padding-left:1.25rem}li{margin:.25rem 0}" \
    ".sub{color:#4b5563}.d{display:block}" \
    "label{display:block;font-weight:600;margin:0 0 .25rem}" \
    "input{display:block;width:100%;min-height:44px;margin:0 0 1rem;padding:.5rem .75rem;" \
    "font:inherit;color:inherit;background:#fff;border:1px solid #6b7280;border-radius:.375rem}" \
    "code,input[readonly]{font-family:ui-monospace,Menlo,Consolas,monospace}" \
    "code{background:#f3f4f6;padding:0 .25rem;border-radius:.25rem}" \
    "input[readonly]{background:#f9fafb;font-size:1.125rem}" \
    "button{min-height:44px;padding:.5rem 1.25rem;font:inherit;font-weight:600;cursor:pointer;" \
    "color:var(--on-p);background:var(--p);border:1px solid var(--p);border-radius:.375rem}" \
    "button:hover{filter:brightness(.85)}" \
    ".actions button+button{color:#111827;background:#fff;border-color:#6b7280}" \
    ".actions button+button:hover{background:#f3f4f6;filter:none}" \
    ":focus{outline:3px solid var(--p);outline-offset:2px}" \
    ".wide{width:100%}.actions{display:flex;gap:.75rem}.actions button{flex:1}" \
    ".error{color:#991b1b;background:#fef2f2;border:1px solid #fca5a5;" \
    "border-radius:.375rem;padding:.5rem .75rem}" \
    "main>:last-child{margin-bottom:0}[hidden]{display:none}" \
    "h2{font-size:1.125rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:0 0 .25rem}" \
    "a{color:var(--p)}a:hover{filter:brightness(.8)}" \
    ".label{font-weight:600;margin:0 0 .25rem}" \
    ".code{font:1.125rem/1.4 ui-monospace,Menlo,Consolas,monospace;background:#f9fafb;" \
    "border:1px solid #6b7280;border-radius:.375rem;padding:.5rem .75rem;" \
    "overflow-wrap:anywhere;word-break:break-all;user-select:all}" \
    ".notice{color:#065f46;background:#ecfdf5;border:1px solid #6ee7b7;" \
    "border-radius:.375rem;padding:.5rem .75rem}" \
    ".details{font-size:.875rem;color:#4b5563}" \
    "button.link{min-height:auto;padding:0;font-weight:400;color:var(--p);background:none;" \
    "border:0;text-decoration:underline}button.link:hover{background:none}" \
    "button.secondary{color:#111827;background:#fff;border-color:#6b7280}" \
    "button.secondary:hover{background:#f3f4f6;filter:none}" \
    "button.danger{color:#991b1b;background:#fff;border-color:#991b1b}" \
    "button.danger:hover{background:#fef2f2;filter:none}" \
    ".list{list-style:none;padding:0}.list>li{border-top:1px solid #e5e7eb;padding:1rem 0;" \
    "margin:0}.list>li:last-child{border-bottom:1px solid #e5e7eb}" \
    ".list form{margin:.5rem 0 0}" \
    "main:has(>.console){max-width:44rem}" \
    ".top{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;" \
    "margin:0 0 1rem}" \
    ".top form,.top p{margin:0}.row{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;" \
    "margin:0 0 1rem}" \
    ".row form{margin:0}.kv{margin:0 0 1rem}.kv dt{font-weight:600;margin:.5rem 0 0}" \
    ".kv dd{margin:0}.badge{display:inline-block;font-size:.8125rem;font-weight:600;" \
    "padding:0 .5rem;border-radius:1rem;border:1px solid #065f46;color:#065f46}" \
    ".badge.off{border-color:#991b1b;color:#991b1b}.code+.row{margin-top:.5rem}" \
    "textarea{display:block;width:100%;min-height:5rem;margin:0 0 1rem;padding:.5rem .75rem;" \
    "font:inherit;color:inherit;border:1px solid #6b7280;border-radius:.375rem}" \
    "fieldset{border:1px solid #d1d5db;border-radius:.375rem;margin:0 0 1rem;padding:.5rem .75rem}" \
    "legend{font-weight:600;padding:0 .25rem}.check{display:flex;gap:.5rem;align-items:center;" \
    "font-weight:400;min-height:44px;margin:0}.check input{width:auto;min-height:auto;margin:0}"

/* The OOB page's Copy button. The button starts hidden, so without JavaScript the page shows
 * the code as text that one tap selects whole (user-select: all); the script reveals it.
 * Clipboard API first; where it is missing or refused (no secure context, permission) the
 * field is selected and the user is told to press the copy shortcut. Its sentences are the
 * status element's data-copied and data-manual, in the page's language. Handlers are
 * attached here, never inline: the CSP allows this block by hash and nothing else. */
#define THEME_SCRIPT \
    "(function(){" \
    "var b=document.getElementById('copy'),f=document.getElementById('code')," \
    "s=document.getElementById('copy-status');" \
    "if(!b||!f||!s)return;" \
    "function pick(){var r=document.createRange(),g=window.getSelection();" \
    "r.selectNodeContents(f);g.removeAllRanges();g.addRange(r);}" \
    "function manual(){pick();s.textContent=s.dataset.manual;}" \
    "f.addEventListener('focus',pick);" \
    "b.addEventListener('click',function(){" \
    "if(!navigator.clipboard||!navigator.clipboard.writeText){manual();return;}" \
    "navigator.clipboard.writeText(f.textContent).then(function(){" \
    "s.textContent=s.dataset.copied;},manual);});" \
    "b.hidden=false;" \
    "})();"

const char grantd_theme_script[] = THEME_SCRIPT;
const size_t grantd_theme_script_len = sizeof(THEME_SCRIPT) - 1;

/* The console's Copy buttons: every button data-copy="ID" copies the text of element ID and
 * reports in element ID-status (its data-copied and data-manual, else English), as the OOB
 * page's script does; hidden until this runs. */
#define THEME_FIELDS_SCRIPT \
    "(function(){" \
    "document.querySelectorAll('button[data-copy]').forEach(function(b){" \
    "var f=document.getElementById(b.getAttribute('data-copy'))," \
    "s=document.getElementById(b.getAttribute('data-copy')+'-status');" \
    "if(!f||!s)return;" \
    "function manual(){var r=document.createRange(),g=window.getSelection();" \
    "r.selectNodeContents(f);g.removeAllRanges();g.addRange(r);" \
    "s.textContent=s.dataset.manual||'Selected. Press Ctrl+C (Cmd+C on a Mac) to copy it.';}" \
    "b.addEventListener('click',function(){" \
    "if(!navigator.clipboard||!navigator.clipboard.writeText){manual();return;}" \
    "navigator.clipboard.writeText(f.textContent).then(function(){" \
    "s.textContent=s.dataset.copied||'Copied.';},manual);});" \
    "b.hidden=false;});" \
    "})();"

const char grantd_theme_fields_script[] = THEME_FIELDS_SCRIPT;
const size_t grantd_theme_fields_script_len = sizeof(THEME_FIELDS_SCRIPT) - 1;

#define CSP_HEAD "default-src 'none'; style-src 'sha256-"
#define CSP_TAIL "; frame-ancestors 'none'; base-uri 'none'"

/* Standard base64 with padding (RFC 4648 §4), as CSP hash sources require; core/crypto.h
 * has only the URL-safe alphabet. out holds 4 * ((n + 2) / 3) + 1 bytes. */
static void b64_std_encode(const unsigned char *in, size_t n, char *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
}

void grantd_theme_hash(const char *s, size_t n, char out[45])
{
    unsigned char digest[GRANTD_SHA256_LEN];
    grantd_sha256(s, n, digest);
    b64_std_encode(digest, sizeof(digest), out);
}

/* printf into a heap string (aborts when memory runs out, like every grantd_x* helper). */
static char *heap_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = grantd_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* dst gets v when it is exactly #rrggbb (lower-cased), else fallback. */
static void color_or(char dst[8], const char *v, const char *fallback)
{
    int ok = v && strlen(v) == 7 && v[0] == '#';
    for (int i = 1; ok && i < 7; i++)
        ok = hex(v[i]) >= 0;
    const char *src = ok ? v : fallback;
    for (int i = 0; i < 8; i++)
        dst[i] = (char)(src[i] >= 'A' && src[i] <= 'F' ? src[i] + 32 : src[i]);
}

/* "#111827" or "#ffffff", whichever is more legible on c (WCAG relative luminance: above
 * 0.179 dark text contrasts more). */
static const char *on_color(const char c[8])
{
    double lum = 0;
    static const double weight[3] = {0.2126, 0.7152, 0.0722};
    for (int i = 0; i < 3; i++) {
        double v = (hex(c[1 + 2 * i]) * 16 + hex(c[2 + 2 * i])) / 255.0;
        double x = (v + 0.055) / 1.055;
        /* sRGB to linear: x^2.4, approximated as x^2 (0.6 + 0.4x) (within 0.012; no libm
         * for one choice between black and white) */
        lum += weight[i] * (v <= 0.04045 ? v / 12.92 : x * x * (0.6 + 0.4 * x));
    }
    return lum > 0.179 ? "#111827" : "#ffffff";
}

/* Fills t's strings (heap) from its colours. */
static void theme_build(struct grantd_theme *t)
{
    char style[45], script[45], fields[45];
    char *css = heap_printf(":root{--p:%s;--on-p:%s;--bg:%s;--fg:%s}" THEME_RULES,
                            t->primary, on_color(t->primary), t->background, t->text);
    t->style = css;
    t->style_len = strlen(css);
    grantd_theme_hash(css, t->style_len, style);
    grantd_theme_hash(THEME_SCRIPT, sizeof(THEME_SCRIPT) - 1, script);
    grantd_theme_hash(THEME_FIELDS_SCRIPT, sizeof(THEME_FIELDS_SCRIPT) - 1, fields);
    const char *img = t->logo_url ? t->logo_url : "'none'";
    t->csp_plain = heap_printf("%s%s'; script-src 'none'; img-src %s%s", CSP_HEAD, style, img,
                               CSP_TAIL);
    t->csp_script = heap_printf("%s%s'; script-src 'sha256-%s'; img-src %s%s", CSP_HEAD,
                                style, script, img, CSP_TAIL);
    t->csp_fields = heap_printf("%s%s'; script-src 'sha256-%s'; img-src %s%s", CSP_HEAD,
                                style, fields, img, CSP_TAIL);
}

static void theme_colors(struct grantd_theme *t, const struct grantd_profile *p)
{
    memset(t, 0, sizeof(*t));
    color_or(t->primary, p ? p->branding.primary_color : NULL, GRANTD_THEME_PRIMARY);
    color_or(t->background, p ? p->branding.background_color : NULL, GRANTD_THEME_BACKGROUND);
    color_or(t->text, p ? p->branding.text_color : NULL, GRANTD_THEME_TEXT);
    /* checked at load (grantd_config_check_logo_url); a profile built otherwise gets no logo */
    const char *logo = p ? p->branding.logo_url : NULL;
    t->logo_url = logo && !grantd_config_check_logo_url(logo) ? logo : NULL;
}

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct grantd_theme *cache[GRANTD_THEME_CACHE_MAX];
static size_t cache_count;

static int same_look(const struct grantd_theme *a, const struct grantd_theme *b)
{
    int same_logo = a->logo_url && b->logo_url ? strcmp(a->logo_url, b->logo_url) == 0
                                               : a->logo_url == b->logo_url;
    return strcmp(a->primary, b->primary) == 0 && strcmp(a->background, b->background) == 0 &&
           strcmp(a->text, b->text) == 0 && same_logo;
}

/* The theme in arena when the cache is full: the heap strings move into the arena. */
static const struct grantd_theme *uncached(struct grantd_theme *t, struct grantd_arena *arena)
{
    struct grantd_theme *copy = grantd_arena_alloc(arena, sizeof(*copy));
    *copy = *t;
    copy->logo_url = t->logo_url ? grantd_arena_strdup(arena, t->logo_url) : NULL;
    copy->style = grantd_arena_strdup(arena, t->style);
    copy->csp_plain = grantd_arena_strdup(arena, t->csp_plain);
    copy->csp_script = grantd_arena_strdup(arena, t->csp_script);
    copy->csp_fields = grantd_arena_strdup(arena, t->csp_fields);
    free((char *)t->style);
    free((char *)t->csp_plain);
    free((char *)t->csp_script);
    free((char *)t->csp_fields);
    return copy;
}

const struct grantd_theme *grantd_theme_get(const struct grantd_profile *profile,
                                            struct grantd_arena *arena)
{
    struct grantd_theme want;
    const struct grantd_theme *found = NULL;
    theme_colors(&want, profile);
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < cache_count && !found; i++)
        if (same_look(cache[i], &want))
            found = cache[i];
    if (!found && cache_count < GRANTD_THEME_CACHE_MAX) {
        struct grantd_theme *t = grantd_xmalloc(sizeof(*t));
        *t = want;
        /* the cache outlives the configuration the URL came from */
        t->logo_url = want.logo_url ? grantd_xstrdup(want.logo_url) : NULL;
        theme_build(t);
        cache[cache_count++] = t;
        found = t;
    }
    pthread_mutex_unlock(&cache_lock);
    if (found)
        return found;
    theme_build(&want);
    return uncached(&want, arena);
}

/* ---- the look of a page ---- */

static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static struct grantd_theme default_theme;
static struct grantd_ui_look default_look;

static void default_init(void)
{
    theme_colors(&default_theme, NULL);
    theme_build(&default_theme);
    default_look = (struct grantd_ui_look){.profile = NULL, .lang = "en",
                                           .theme = &default_theme};
}

const struct grantd_ui_look *grantd_ui_look_default(void)
{
    pthread_once(&default_once, default_init);
    return &default_look;
}

const char *grantd_ui_t(const struct grantd_ui_look *look, enum grantd_text id)
{
    if (!look)
        look = grantd_ui_look_default();
    return grantd_i18n_text(look->profile, look->lang, id);
}

/* ui_locales of the request: the query's (GET /authorize, GET /logout), else the form's
 * own (POST /logout), else that of the authorization request the login and consent forms
 * carry back in "request". NULL when absent, repeated or unparsable (the page then follows
 * Accept-Language). */
static const char *ui_locales(struct grantd_request *req)
{
    const char *v = grantd_params_value(&req->query, "ui_locales");
    if (!v)
        v = grantd_params_value(&req->form, "ui_locales");
    const char *carried = grantd_params_value(&req->form, "request");
    if (v || !carried)
        return v;
    struct grantd_parse_limits lim;
    struct grantd_params p = {0};
    const char *why;
    grantd_parse_limits_default(&lim);
    if (grantd_form_parse(req->arena, carried, strlen(carried), &lim, &p, &why) != GRANTD_OK)
        return NULL;
    return grantd_params_value(&p, "ui_locales");
}

void grantd_ui_look_get(struct grantd_request *req, struct grantd_ui_look *look)
{
    const struct grantd_profile *p = req->iss && req->iss->cfg ? &req->iss->cfg->profile : NULL;
    look->profile = p;
    look->lang = grantd_locale_choose(ui_locales(req),
                                      grantd_request_header(req, "accept-language"),
                                      p ? p->branding.languages : NULL);
    look->theme = grantd_theme_get(p, req->arena);
}

const char *grantd_ui_say(struct grantd_request *req, enum grantd_text id)
{
    struct grantd_ui_look look;
    grantd_ui_look_get(req, &look);
    return grantd_ui_t(&look, id);
}
