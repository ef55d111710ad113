/* The new-application form as a client body (see console_form.h). */
#include "oauth/console_form.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "admin/rules.h"

const char *grantd_console_box(struct grantd_arena *a, const char *kind, const char *name)
{
    return grantd_arena_printf(a, "%s.%s", kind, name);
}

/* The lines of the redirect URIs box, trimmed, blank ones dropped, as a JSON array. */
static json_t *uri_lines(const char *text)
{
    json_t *arr = json_array();
    while (text && *text) {
        size_t n = strcspn(text, "\r\n");
        const char *s = text, *e = text + n;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > s)
            json_array_append_new(arr, json_stringn(s, (size_t)(e - s)));
        text += n;
        text += strspn(text, "\r\n");
    }
    return arr;
}

const char *grantd_console_form_body(struct grantd_arena *a, const struct grantd_params *form,
                                     const struct grantd_scope_info *scopes,
                                     size_t scope_count)
{
    const char *name = grantd_params_value(form, "name"), *g, *scope = "";
    json_t *grants = json_array();
    unsigned bit;
    for (size_t i = 0; (g = grantd_rules_grant_at(i, &bit)) != NULL; i++)
        if (grantd_params_value(form, grantd_console_box(a, "g", g)))
            json_array_append_new(grants, json_string(g));
    for (size_t i = 0; i < scope_count; i++)
        if (grantd_params_value(form, grantd_console_box(a, "s", scopes[i].name)))
            scope = *scope ? grantd_arena_printf(a, "%s %s", scope, scopes[i].name)
                           : scopes[i].name;
    /* json_string refuses invalid UTF-8 (NULL): the parser then reports the member */
    json_t *client_name = json_string(name ? name : "");
    json_t *body = json_pack("{s:o?,s:o,s:o,s:s}", "client_name", client_name,
                             "redirect_uris", uri_lines(grantd_params_value(form,
                                                                            "redirect_uris")),
                             "grant_types", grants, "scope", scope);
    json_t *logout = uri_lines(grantd_params_value(form, "post_logout_redirect_uris"));
    if (body && json_array_size(logout))
        json_object_set(body, "post_logout_redirect_uris", logout);
    json_decref(logout);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    const char *out = text ? grantd_arena_printf(a, "%s", text) : "{}";
    free(text);
    return out;
}
