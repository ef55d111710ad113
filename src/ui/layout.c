/* The shared page frame, the inline stylesheet and script, and the page headers (see
 * layout.h). The stylesheet and script are string literals so that the bytes hashed into the
 * CSP are exactly the bytes written into the page. */
#include "ui/layout.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"

/* System font, a centred card at most 26rem wide, text contrast ≥ 7:1 (WCAG AAA; control
 * borders ≥ 4.5:1), a 3 px focus ring on everything focusable, 44 px touch targets. No
 * style="" attributes anywhere: the CSP would block them. */
#define LAYOUT_STYLE \
    "*{box-sizing:border-box}" \
    "html{color-scheme:light}" \
    "body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;" \
    "padding:1rem;background:#f3f4f6;color:#111827;" \
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}" \
    "main{width:100%;max-width:26rem;background:#fff;border:1px solid #d1d5db;" \
    "border-radius:.5rem;padding:1.5rem;overflow-wrap:anywhere}" \
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
    "color:#fff;background:#1e40af;border:1px solid #1e40af;border-radius:.375rem}" \
    "button:hover{background:#1e3a8a}" \
    ".actions button+button{color:#111827;background:#fff;border-color:#6b7280}" \
    ".actions button+button:hover{background:#f3f4f6}" \
    ":focus{outline:3px solid #1e3a8a;outline-offset:2px}" \
    ".wide{width:100%}.actions{display:flex;gap:.75rem}.actions button{flex:1}" \
    ".error{color:#991b1b;background:#fef2f2;border:1px solid #fca5a5;" \
    "border-radius:.375rem;padding:.5rem .75rem}" \
    "main>:last-child{margin-bottom:0}[hidden]{display:none}" \
    "h2{font-size:1.125rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:0 0 .25rem}" \
    "a{color:#1e40af}a:hover{color:#1e3a8a}" \
    ".label{font-weight:600;margin:0 0 .25rem}" \
    ".code{font:1.125rem/1.4 ui-monospace,Menlo,Consolas,monospace;background:#f9fafb;" \
    "border:1px solid #6b7280;border-radius:.375rem;padding:.5rem .75rem;" \
    "overflow-wrap:anywhere;word-break:break-all;user-select:all}" \
    ".notice{color:#065f46;background:#ecfdf5;border:1px solid #6ee7b7;" \
    "border-radius:.375rem;padding:.5rem .75rem}" \
    ".details{font-size:.875rem;color:#4b5563}" \
    "button.link{min-height:auto;padding:0;font-weight:400;color:#1e40af;background:none;" \
    "border:0;text-decoration:underline}button.link:hover{color:#1e3a8a;background:none}" \
    "button.secondary{color:#111827;background:#fff;border-color:#6b7280}" \
    "button.secondary:hover{background:#f3f4f6}" \
    "button.danger{color:#991b1b;background:#fff;border-color:#991b1b}" \
    "button.danger:hover{background:#fef2f2}" \
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
 * the code as text that one tap selects whole (user-select: all); the script reveals it. Clipboard API first;
 * where it is missing or refused (no secure context, permission) the field is selected and
 * the user is told to press the copy shortcut. Handlers are attached here, never inline:
 * the CSP allows this block by hash and nothing else. */
#define LAYOUT_SCRIPT \
    "(function(){" \
    "var b=document.getElementById('copy'),f=document.getElementById('code')," \
    "s=document.getElementById('copy-status');" \
    "if(!b||!f||!s)return;" \
    "function pick(){var r=document.createRange(),g=window.getSelection();" \
    "r.selectNodeContents(f);g.removeAllRanges();g.addRange(r);}" \
    "function manual(){pick();s.textContent='Code selected. Press Ctrl+C (Cmd+C on a Mac) " \
    "to copy it.';}" \
    "f.addEventListener('focus',pick);" \
    "b.addEventListener('click',function(){" \
    "if(!navigator.clipboard||!navigator.clipboard.writeText){manual();return;}" \
    "navigator.clipboard.writeText(f.textContent).then(function(){s.textContent='Copied.';}," \
    "manual);});" \
    "b.hidden=false;" \
    "})();"

/* The console's Copy buttons: every button with data-copy="ID" copies the text of element
 * ID and reports in element ID-status, as the OOB page's script does; hidden until this
 * runs. */
#define LAYOUT_COPY_FIELDS_SCRIPT \
    "(function(){" \
    "document.querySelectorAll('button[data-copy]').forEach(function(b){" \
    "var f=document.getElementById(b.getAttribute('data-copy'))," \
    "s=document.getElementById(b.getAttribute('data-copy')+'-status');" \
    "if(!f||!s)return;" \
    "function manual(){var r=document.createRange(),g=window.getSelection();" \
    "r.selectNodeContents(f);g.removeAllRanges();g.addRange(r);" \
    "s.textContent='Selected. Press Ctrl+C (Cmd+C on a Mac) to copy it.';}" \
    "b.addEventListener('click',function(){" \
    "if(!navigator.clipboard||!navigator.clipboard.writeText){manual();return;}" \
    "navigator.clipboard.writeText(f.textContent).then(function(){s.textContent='Copied.';}," \
    "manual);});" \
    "b.hidden=false;});" \
    "})();"

#define CSP_HEAD "default-src 'none'; style-src 'sha256-"
#define CSP_TAIL "; img-src 'none'; frame-ancestors 'none'; base-uri 'none'"
/* base64 of a SHA-256 digest is 44 characters */
#define CSP_MAX (sizeof(CSP_HEAD) + sizeof(CSP_TAIL) + 2 * 44 + 64)

static pthread_once_t csp_once = PTHREAD_ONCE_INIT;
static char csp_plain[CSP_MAX];
static char csp_script[CSP_MAX];
static char csp_fields[CSP_MAX];

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

static void hash_b64(const char *s, size_t n, char out[45])
{
    unsigned char digest[GRANTD_SHA256_LEN];
    grantd_sha256(s, n, digest);
    b64_std_encode(digest, sizeof(digest), out);
}

static void csp_init(void)
{
    char style[45], script[45], fields[45];
    hash_b64(LAYOUT_STYLE, sizeof(LAYOUT_STYLE) - 1, style);
    hash_b64(LAYOUT_SCRIPT, sizeof(LAYOUT_SCRIPT) - 1, script);
    hash_b64(LAYOUT_COPY_FIELDS_SCRIPT, sizeof(LAYOUT_COPY_FIELDS_SCRIPT) - 1, fields);
    snprintf(csp_fields, sizeof(csp_fields), "%s%s'; script-src 'sha256-%s'%s", CSP_HEAD, style,
             fields, CSP_TAIL);
    snprintf(csp_plain, sizeof(csp_plain), "%s%s'; script-src 'none'%s", CSP_HEAD, style,
             CSP_TAIL);
    snprintf(csp_script, sizeof(csp_script), "%s%s'; script-src 'sha256-%s'%s", CSP_HEAD, style,
             script, CSP_TAIL);
}

const char *grantd_layout_csp(enum grantd_layout_script script)
{
    pthread_once(&csp_once, csp_init);
    if (script == GRANTD_LAYOUT_COPY_FIELDS_SCRIPT)
        return csp_fields;
    return script == GRANTD_LAYOUT_COPY_SCRIPT ? csp_script : csp_plain;
}

void grantd_layout_open(struct grantd_html *h, const char *title)
{
    grantd_html_lit(h, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>");
    grantd_html_text(h, title);
    grantd_html_lit(h, "</title>\n<style>" LAYOUT_STYLE "</style>\n</head>\n<body>\n<main>\n");
}

void grantd_layout_close(struct grantd_html *h, enum grantd_layout_script script)
{
    grantd_html_lit(h, "</main>\n");
    if (script == GRANTD_LAYOUT_COPY_SCRIPT)
        grantd_html_lit(h, "<script>" LAYOUT_SCRIPT "</script>\n");
    else if (script == GRANTD_LAYOUT_COPY_FIELDS_SCRIPT)
        grantd_html_lit(h, "<script>" LAYOUT_COPY_FIELDS_SCRIPT "</script>\n");
    grantd_html_lit(h, "</body>\n</html>\n");
}

/* The page that replaces one that went over GRANTD_HTML_MAX: constant, so it always fits. */
static void too_large_page(struct grantd_request *req, const char **body, size_t *len)
{
    struct grantd_html h;
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, "Request too large");
    grantd_html_lit(&h, "<h1>Request too large</h1>\n<p>The request is too large to display. "
                        "Go back to the application and try again.</p>\n");
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    if (grantd_html_finish(&h, req->arena, body, len) != GRANTD_OK)
        abort(); /* a constant page over the cap is a programming error */
    grantd_html_free(&h);
}

void grantd_layout_send(struct grantd_request *req, struct grantd_response *resp, unsigned status,
                        struct grantd_html *h, enum grantd_layout_script script)
{
    const char *body;
    size_t len;
    if (grantd_html_finish(h, req->arena, &body, &len) != GRANTD_OK) {
        too_large_page(req, &body, &len);
        status = 400;
        script = GRANTD_LAYOUT_NO_SCRIPT;
    }
    grantd_html_free(h);
    grantd_response_body(resp, status, "text/html; charset=utf-8", body, len);
    grantd_response_header(resp, "X-Frame-Options", "DENY");
    grantd_response_header(resp, "Referrer-Policy", "no-referrer");
    /* X-Content-Type-Options: nosniff comes from http/server.c on every response */
    grantd_response_header(resp, "Content-Security-Policy", grantd_layout_csp(script));
}
