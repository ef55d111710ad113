/* The profile's storage: freeing and deep-copying struct grantd_profile and the string
 * lists and strings it and the rest of the configuration hold (config_int.h). The
 * branding part is config_branding.c's. Not here: the setting tables and loading
 * (config.c). */
#include "core/config.h"
#include "core/config_int.h"

#include <stdlib.h>

#include "core/mem.h"

void grantd_cfg_strings_free(char ***list)
{
    for (char **p = *list; p && *p; p++)
        free(*p);
    free(*list);
    *list = NULL;
}

char **grantd_cfg_strings_copy(char *const *list)
{
    size_t n = 0;
    while (list && list[n])
        n++;
    if (!list)
        return NULL;
    char **copy = grantd_xcalloc(n + 1, sizeof(*copy));
    for (size_t i = 0; i < n; i++)
        copy[i] = grantd_xstrdup(list[i]);
    return copy;
}

void grantd_cfg_profile_free(struct grantd_profile *p)
{
    free(p->name);
    free(p->token_body);
    free(p->token_type);
    free(p->access_token_format);
    grantd_cfg_strings_free(&p->paths.authorize);
    grantd_cfg_strings_free(&p->paths.token);
    grantd_cfg_strings_free(&p->paths.introspect);
    grantd_cfg_strings_free(&p->paths.revoke);
    grantd_cfg_strings_free(&p->paths.account);
    grantd_cfg_strings_free(&p->paths.console);
    free(p->console.reenable);
    free(p->console.create_label);
    free(p->console.revoke_label);
    free(p->console.enable_label);
    p->console.reenable = p->console.create_label = NULL;
    p->console.revoke_label = p->console.enable_label = NULL;
    grantd_cfg_strings_free(&p->access_token_aliases);
    for (size_t i = 0; i < GRANTD_CHECK_REASON_COUNT; i++) {
        free(p->api_errors[i].content_type);
        free(p->api_errors[i].body);
        p->api_errors[i].content_type = p->api_errors[i].body = NULL;
    }
    p->name = p->token_body = p->token_type = p->access_token_format = NULL;
    grantd_cfg_branding_free(p);
}

char *grantd_cfg_str_copy(const char *s)
{
    return s ? grantd_xstrdup(s) : NULL;
}

void grantd_cfg_profile_copy(struct grantd_profile *dst, const struct grantd_profile *src)
{
    *dst = *src;
    dst->name = grantd_cfg_str_copy(src->name);
    dst->token_body = grantd_cfg_str_copy(src->token_body);
    dst->token_type = grantd_cfg_str_copy(src->token_type);
    dst->access_token_format = grantd_cfg_str_copy(src->access_token_format);
    dst->paths.authorize = grantd_cfg_strings_copy(src->paths.authorize);
    dst->paths.token = grantd_cfg_strings_copy(src->paths.token);
    dst->paths.introspect = grantd_cfg_strings_copy(src->paths.introspect);
    dst->paths.revoke = grantd_cfg_strings_copy(src->paths.revoke);
    dst->paths.account = grantd_cfg_strings_copy(src->paths.account);
    dst->paths.console = grantd_cfg_strings_copy(src->paths.console);
    dst->console.reenable = grantd_cfg_str_copy(src->console.reenable);
    dst->console.create_label = grantd_cfg_str_copy(src->console.create_label);
    dst->console.revoke_label = grantd_cfg_str_copy(src->console.revoke_label);
    dst->console.enable_label = grantd_cfg_str_copy(src->console.enable_label);
    dst->access_token_aliases = grantd_cfg_strings_copy(src->access_token_aliases);
    for (size_t i = 0; i < GRANTD_CHECK_REASON_COUNT; i++) {
        dst->api_errors[i].content_type = grantd_cfg_str_copy(src->api_errors[i].content_type);
        dst->api_errors[i].body = grantd_cfg_str_copy(src->api_errors[i].body);
    }
    grantd_cfg_branding_copy(dst, src);
}
