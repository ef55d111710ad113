/* Refusing forms posted from another site (see same_origin.h). */
#include "oauth/same_origin.h"

#include <string.h>
#include <strings.h>

#include "http/app.h"
#include "ui/pages.h"

/* The length of url's origin (scheme://authority) without a default port. Works on an Origin
 * header value (no path) and on the issuer URL. */
static size_t origin_len(const char *url)
{
    const char *authority = strstr(url, "://");
    if (!authority)
        return strlen(url);
    authority += 3;
    size_t n = (size_t)(authority - url) + strcspn(authority, "/?#");
    if (strncasecmp(url, "https://", 8) == 0 && n > 4 && strncmp(url + n - 4, ":443", 4) == 0)
        return n - 4;
    if (strncasecmp(url, "http://", 7) == 0 && n > 3 && strncmp(url + n - 3, ":80", 3) == 0)
        return n - 3;
    return n;
}

int grantd_cross_site(struct grantd_request *req)
{
    const char *site = grantd_request_header(req, "sec-fetch-site");
    if (site)
        return strcasecmp(site, "same-origin") != 0 && strcasecmp(site, "none") != 0;
    const char *origin = grantd_request_header(req, "origin");
    if (!origin || strcmp(origin, "null") == 0)
        return 0;
    size_t n = origin_len(origin), want = origin_len(req->iss->url);
    return n != want || strncasecmp(origin, req->iss->url, n) != 0;
}

grantd_rc grantd_refuse_cross_site(struct grantd_request *req, struct grantd_refusal *no)
{
    if (!grantd_cross_site(req))
        return GRANTD_OK;
    grantd_rc rc = grantd_refuse_page(no, 403, grantd_ui_say(req, GRANTD_T_cross_site_title),
                                      grantd_ui_say(req, GRANTD_T_cross_site_what));
    no->page_next = grantd_ui_say(req, GRANTD_T_cross_site_next);
    no->page_detail = "403 cross-site: Sec-Fetch-Site or Origin names another site";
    return rc;
}
