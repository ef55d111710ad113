/* The shared page frame and the page headers (see layout.h). The stylesheet and script are
 * the theme's (ui/theme.c), written byte for byte as they were hashed into the CSP. */
#include "ui/layout.h"

#include <stdlib.h>

static const struct grantd_ui_look *or_default_look(const struct grantd_ui_look *look)
{
    return look ? look : grantd_ui_look_default();
}

static const char *product_name(const struct grantd_ui_look *look)
{
    const char *p = look->profile ? look->profile->branding.product_name : NULL;
    return p && *p ? p : NULL;
}

const char *grantd_layout_csp(const struct grantd_ui_look *look,
                              enum grantd_layout_script script)
{
    const struct grantd_theme *t = or_default_look(look)->theme;
    if (script == GRANTD_LAYOUT_COPY_FIELDS_SCRIPT)
        return t->csp_fields;
    return script == GRANTD_LAYOUT_COPY_SCRIPT ? t->csp_script : t->csp_plain;
}

void grantd_layout_open(struct grantd_html *h, const struct grantd_ui_look *look,
                        const char *title)
{
    look = or_default_look(look);
    const char *product = product_name(look);
    grantd_html_lit(h, "<!doctype html>\n<html");
    grantd_html_attr(h, "lang", look->lang);
    grantd_html_lit(h, ">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>");
    grantd_html_text(h, title);
    if (product) {
        grantd_html_lit(h, " \xe2\x80\x93 ");
        grantd_html_text(h, product);
    }
    grantd_html_lit(h, "</title>\n<style>");
    /* the theme's stylesheet: built by ui/theme.c from fixed rules and #rrggbb colours
     * only, and hashed into the CSP exactly as written here */
    grantd_html_markup_n(h, look->theme->style, look->theme->style_len);
    grantd_html_lit(h, "</style>\n</head>\n<body>\n<main>\n");
    if (look->theme->logo_url) {
        /* the logo stands for the product: its name is the alternative text */
        grantd_html_lit(h, "<p class=\"brand\" id=\"brand\"><img class=\"logo\"");
        grantd_html_attr(h, "src", look->theme->logo_url);
        grantd_html_attr(h, "alt", product ? product : "");
        grantd_html_lit(h, "></p>\n");
    } else if (product) {
        grantd_html_lit(h, "<p class=\"brand\" id=\"brand\">");
        grantd_html_text(h, product);
        grantd_html_lit(h, "</p>\n");
    }
}

void grantd_layout_close(struct grantd_html *h, enum grantd_layout_script script)
{
    grantd_html_lit(h, "</main>\n");
    if (script == GRANTD_LAYOUT_COPY_SCRIPT) {
        grantd_html_lit(h, "<script>");
        grantd_html_markup_n(h, grantd_theme_script, grantd_theme_script_len);
        grantd_html_lit(h, "</script>\n");
    } else if (script == GRANTD_LAYOUT_COPY_FIELDS_SCRIPT) {
        grantd_html_lit(h, "<script>");
        grantd_html_markup_n(h, grantd_theme_fields_script, grantd_theme_fields_script_len);
        grantd_html_lit(h, "</script>\n");
    }
    grantd_html_lit(h, "</body>\n</html>\n");
}

/* The page that replaces one that went over GRANTD_HTML_MAX: small, so it always fits. */
static void too_large_page(struct grantd_request *req, const struct grantd_ui_look *look,
                           const char **body, size_t *len)
{
    struct grantd_html h;
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, look, grantd_ui_t(look, GRANTD_T_too_large_title));
    grantd_html_lit(&h, "<h1>");
    grantd_html_text(&h, grantd_ui_t(look, GRANTD_T_too_large_title));
    grantd_html_lit(&h, "</h1>\n<p>");
    grantd_html_text(&h, grantd_ui_t(look, GRANTD_T_too_large_text));
    grantd_html_lit(&h, "</p>\n");
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    if (grantd_html_finish(&h, req->arena, body, len) != GRANTD_OK)
        abort(); /* texts are capped at config load: a page over the cap is a bug */
    grantd_html_free(&h);
}

void grantd_layout_send(struct grantd_request *req, struct grantd_response *resp, unsigned status,
                        struct grantd_html *h, const struct grantd_ui_look *look,
                        enum grantd_layout_script script)
{
    const char *body;
    size_t len;
    look = or_default_look(look);
    if (grantd_html_finish(h, req->arena, &body, &len) != GRANTD_OK) {
        too_large_page(req, look, &body, &len);
        status = 400;
        script = GRANTD_LAYOUT_NO_SCRIPT;
    }
    grantd_html_free(h);
    grantd_response_body(resp, status, "text/html; charset=utf-8", body, len);
    grantd_response_header(resp, "X-Frame-Options", "DENY");
    grantd_response_header(resp, "Referrer-Policy", "no-referrer");
    /* X-Content-Type-Options: nosniff comes from http/server.c on every response */
    grantd_response_header(resp, "Content-Security-Policy", grantd_layout_csp(look, script));
}
