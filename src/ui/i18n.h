/* The pages' languages (issue 13 item 5): which language a page is written in, and its texts.
 *
 * A page's language is the first of these that the issuer offers
 * (profile.branding.languages; English alone when unset):
 *   1. ui_locales (OpenID Connect Core §3.1.2.1): space-separated tags, the first offered
 *      wins;
 *   2. Accept-Language (RFC 9110 §12.5.4): the offered language with the highest q-value
 *      (ties: the earlier one in the header); q=0 refuses;
 *   3. the issuer's default: the first language it lists.
 * Tags match by their primary subtag, case-insensitively ("de-AT" and "DE" pick "de"); "*"
 * in Accept-Language picks the default. Both parsers are pure functions of untrusted bytes
 * with a cap, never allocate, and have a libFuzzer target (tests/fuzz/fuzz_locale.c).
 *
 * Texts come from the catalog: the issuer's override for the language
 * (profile.branding.texts), else the shipped text of the language, else English. Not here:
 * colours and the stylesheet (ui/theme.h), the pages (ui/pages.c). */
#ifndef GRANTD_UI_I18N_H
#define GRANTD_UI_I18N_H

#include <stddef.h>

#include "core/config.h"
#include "core/ui_texts.h"

enum grantd_text {
#define GRANTD_TEXT_ENUM(id, english) GRANTD_T_##id,
    GRANTD_UI_TEXTS(GRANTD_TEXT_ENUM)
#undef GRANTD_TEXT_ENUM
    GRANTD_TEXT_COUNT
};

/* Headers and parameters longer than this are looked at only up to it. */
#define GRANTD_LOCALE_INPUT_MAX 1024

/* offered: NULL-terminated language codes as in profile.branding.languages (NULL: {"en"}).
 * Each answers the chosen entry of offered (static or the config's storage), or NULL when
 * the input (NULL: absent) names none of them. */
const char *grantd_locale_from_ui_locales(const char *ui_locales, char *const *offered);
const char *grantd_locale_from_accept_language(const char *header, char *const *offered);

/* The whole negotiation above: never NULL. */
const char *grantd_locale_choose(const char *ui_locales, const char *accept_language,
                                 char *const *offered);

/* The text id in language lang ("en" when lang is NULL or not shipped) with the overrides of
 * branding (NULL: none). Never NULL; static or configuration storage. */
const char *grantd_i18n_text(const struct grantd_profile *branding, const char *lang,
                             enum grantd_text id);

/* Shipped catalogs besides English (ui/i18n_de.c, ui/i18n_nl.c): GRANTD_TEXT_COUNT entries,
 * NULL where a text is not translated (English then shows). */
extern const char *const grantd_i18n_de[GRANTD_TEXT_COUNT];
extern const char *const grantd_i18n_nl[GRANTD_TEXT_COUNT];

#endif
