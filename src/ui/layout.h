/* Internal to ui/: the frame every page shares — document head with <html lang> in the
 * page's language, the issuer's one inline stylesheet (ui/theme.h), its product name above
 * the page, the optional inline script, the page security headers with their
 * Content-Security-Policy, and handing the finished body to the response.
 *
 * The CSP allows exactly the inline <style> of the issuer's theme and (on the out-of-band
 * page) the inline <script> by their SHA-256 hashes, computed once per theme (ui/theme.h).
 * It does not carry form-action: Chromium applies form-action to the redirect that follows
 * a POST, which would block the 303 back to the client's redirect URI after consent.
 *
 * Every function takes the page's look (ui/theme.h: grantd_ui_look_get(req, &look) once per
 * page); NULL is grantd's own look in English. */
#ifndef GRANTD_UI_LAYOUT_H
#define GRANTD_UI_LAYOUT_H

#include "http/request.h"
#include "ui/html.h"
#include "ui/theme.h"

enum grantd_layout_script {
    GRANTD_LAYOUT_NO_SCRIPT,   /* CSP says script-src 'none' */
    GRANTD_LAYOUT_COPY_SCRIPT, /* the OOB page's Copy button; CSP allows its hash only */
    GRANTD_LAYOUT_COPY_FIELDS_SCRIPT /* the console's Copy buttons (button data-copy="ID"
                                        copies element ID); CSP allows its hash only */
};

/* Writes everything up to and including <main> and the product name: doctype,
 * <html lang="LANG">, charset, viewport, <title> (title, then " – PRODUCT" when the issuer
 * has a product name; escaped as text), the theme's stylesheet, and the product name as
 * the first line of the card. */
void grantd_layout_open(struct grantd_html *h, const struct grantd_ui_look *look,
                        const char *title);

/* Writes </main>, the script if asked for, and the closing tags. */
void grantd_layout_close(struct grantd_html *h, enum grantd_layout_script script);

/* The Content-Security-Policy value for a page of this look with or without the copy
 * script. Storage of the theme, never NULL. */
const char *grantd_layout_csp(const struct grantd_ui_look *look,
                              enum grantd_layout_script script);

/* Finishes h into the request arena as resp's body with the given status, sets the HTML
 * content type and the page headers (Cache-Control, Pragma, X-Frame-Options,
 * Referrer-Policy, X-Content-Type-Options, Content-Security-Policy), and frees h. If the
 * page went over its cap the response is instead a small 400 page saying the request is too
 * large. */
void grantd_layout_send(struct grantd_request *req, struct grantd_response *resp, unsigned status,
                        struct grantd_html *h, const struct grantd_ui_look *look,
                        enum grantd_layout_script script);

#endif
