/* The Dutch page texts (ui/i18n.h), one per row of core/ui_texts.h. Written for
 * people, not translated word by word; a profile may still word any of them its own way
 * (profile.branding.texts.nl). */
#include "ui/i18n.h"

const char *const grantd_i18n_nl[GRANTD_TEXT_COUNT] = {
    [GRANTD_T_sign_in_title] = "Aanmelden",
    [GRANTD_T_sign_in_pre] = "om verder te gaan naar ",
    [GRANTD_T_sign_in_post] = "",
    [GRANTD_T_the_application] = "de toepassing",
    [GRANTD_T_username] = "Gebruikersnaam",
    [GRANTD_T_password] = "Wachtwoord",
    [GRANTD_T_sign_in_button] = "Aanmelden",
    [GRANTD_T_not_you] = "Bent u dit niet?",
    [GRANTD_T_use_another_account] = "Een ander account gebruiken",
    [GRANTD_T_consent_title] = "Toegang toestaan",
    [GRANTD_T_an_application] = "Een toepassing",
    [GRANTD_T_consent_heading_pre] = "",
    [GRANTD_T_consent_heading_post] = " wil toegang tot uw account",
    [GRANTD_T_no_permissions] = "Ze vraagt geen specifieke rechten.",
    [GRANTD_T_permissions] = "Ze vraagt deze rechten:",
    [GRANTD_T_signed_in_as] = "Aangemeld als",
    [GRANTD_T_account_word] = "account",
    [GRANTD_T_not_you_sign_out] = "Bent u dit niet? Afmelden",
    [GRANTD_T_sent_to] = "U wordt doorgestuurd naar",
    [GRANTD_T_code_instead] = "U krijgt een code om in de toepassing te plakken.",
    [GRANTD_T_authorize_button] = "Toestaan",
    [GRANTD_T_cancel_button] = "Annuleren",
    [GRANTD_T_code_title] = "Autorisatiecode",
    [GRANTD_T_code_copy_pre] = "Kopieer deze code naar ",
    [GRANTD_T_code_copy_post] = " om het aanmelden af te ronden.",
    [GRANTD_T_code_label] = "Code",
    [GRANTD_T_copy_button] = "Kopiëren",
    [GRANTD_T_copied] = "Gekopieerd.",
    [GRANTD_T_copy_manual] = "Code geselecteerd. Druk op Ctrl+C (Cmd+C op een Mac) om hem "
        "te kopiëren.",
    [GRANTD_T_code_expires_pre] = "Deze code verloopt over ",
    [GRANTD_T_code_expires_post] = " en werkt één keer.",
    [GRANTD_T_second] = "seconde",
    [GRANTD_T_seconds] = "seconden",
    [GRANTD_T_minutes] = "minuten",
    [GRANTD_T_error_title] = "Er ging iets mis",
    [GRANTD_T_details] = "Gegevens voor de support:",
    [GRANTD_T_too_large_title] = "Verzoek te groot",
    [GRANTD_T_too_large_text] = "Het verzoek is te groot om te tonen. Ga terug naar de "
        "toepassing en probeer het opnieuw.",
    [GRANTD_T_account_title] = "Uw account",
    [GRANTD_T_authorized_heading] = "Toepassingen die u toegang hebt gegeven",
    [GRANTD_T_no_grants] = "Geen enkele toepassing kan uw account gebruiken. Als u er een "
        "toegang geeft, staat ze hier en kunt u die intrekken.",
    [GRANTD_T_grants_intro] = "Elk ervan kan uw account gebruiken met de vermelde rechten. "
        "Intrekken meldt haar meteen af; ze moet het u opnieuw vragen.",
    [GRANTD_T_authorized_since] = "Toegang sinds",
    [GRANTD_T_no_specific_permissions] = "Geen specifieke rechten.",
    [GRANTD_T_revoke_button] = "Toegang intrekken",
    [GRANTD_T_sign_out_button] = "Afmelden",
    [GRANTD_T_account_sign_in_sub] = "om de toepassingen te zien en te beheren die uw "
        "account kunnen gebruiken",
    [GRANTD_T_unknown_date] = "een onbekende datum",
    [GRANTD_T_date_day_suffix] = "",
    [GRANTD_T_month_1] = "januari",
    [GRANTD_T_month_2] = "februari",
    [GRANTD_T_month_3] = "maart",
    [GRANTD_T_month_4] = "april",
    [GRANTD_T_month_5] = "mei",
    [GRANTD_T_month_6] = "juni",
    [GRANTD_T_month_7] = "juli",
    [GRANTD_T_month_8] = "augustus",
    [GRANTD_T_month_9] = "september",
    [GRANTD_T_month_10] = "oktober",
    [GRANTD_T_month_11] = "november",
    [GRANTD_T_month_12] = "december",
    [GRANTD_T_landing_title] = "Aanmeldservice",
    [GRANTD_T_landing_what] = "Deze service meldt u aan bij toepassingen en vraagt het u "
        "voordat ze uw account gebruiken. Toepassingen brengen u hier wanneer "
        "u zich aanmeldt; op deze pagina hoeft u niets te doen.",
    [GRANTD_T_landing_next] = "U kunt zien welke toepassingen uw account kunnen gebruiken, "
        "en elk ervan stoppen.",
    [GRANTD_T_go_to_account] = "Naar uw account",
    [GRANTD_T_not_found_title] = "Pagina niet gevonden",
    [GRANTD_T_not_found_what] = "Op dit adres staat geen pagina.",
    [GRANTD_T_not_found_next] = "Als u een link uit een toepassing volgde, ga daar dan "
        "terug en probeer het opnieuw.",
    [GRANTD_T_enter_credentials] = "Vul uw gebruikersnaam en wachtwoord in.",
    [GRANTD_T_credentials_incorrect] = "De gebruikersnaam of het wachtwoord klopt niet.",
    [GRANTD_T_form_expired] = "Dit formulier is verlopen. Meld u opnieuw aan.",
    [GRANTD_T_too_many_tries_pre] =
        "Te veel mislukte aanmeldpogingen. Probeer het over ",
    [GRANTD_T_too_many_tries_post] = " opnieuw.",
    [GRANTD_T_session_ended] = "Uw sessie is afgelopen. Meld u opnieuw aan.",
    [GRANTD_T_choose_application] = "Kies een toepassing om de toegang in te trekken.",
    [GRANTD_T_not_your_application] = "Die toepassing hoort niet bij de toepassingen die u "
        "toegang hebt gegeven.",
    [GRANTD_T_revoked_pre] = "",
    [GRANTD_T_revoked_post] = " kan uw account niet meer gebruiken.",
    [GRANTD_T_signed_out] = "U bent afgemeld.",
    [GRANTD_T_form_unreadable_title] = "Het formulier kon niet worden gelezen",
    [GRANTD_T_choose_decision] = "Kies Toestaan of Annuleren.",
    [GRANTD_T_account_retry] = "Open uw accountpagina opnieuw en probeer het nog eens.",
    [GRANTD_T_page_expired_title] = "Deze pagina is verlopen",
    [GRANTD_T_page_expired_what] = "Voor uw veiligheid werkt deze pagina maar een beperkte "
        "tijd, en alleen in het browservenster waarin ze werd geopend.",
    [GRANTD_T_page_expired_next] = "Ga terug naar de toepassing en begin opnieuw met aanmelden.",
    [GRANTD_T_form_changed_title] = "Dit formulier is gewijzigd",
    [GRANTD_T_form_changed_what] = "Het teruggestuurde formulier is niet het formulier dat deze "
                                   "pagina toonde. Er is niets gedaan.",
    [GRANTD_T_cross_site_title] = "Dit formulier is vanaf een andere website verstuurd",
    [GRANTD_T_cross_site_what] = "Voor uw veiligheid accepteert deze dienst zijn formulieren "
                                 "alleen vanaf zijn eigen pagina's. Er is niets gedaan.",
    [GRANTD_T_cross_site_next] = "Open de pagina van deze dienst zelf en probeer het opnieuw.",
    [GRANTD_T_account_expired_what] = "Voor uw veiligheid werkt deze pagina maar een "
        "beperkte tijd, en alleen in het browservenster waarin ze werd "
        "geopend. Er is niets gewijzigd.",
    [GRANTD_T_account_expired_next] = "Open uw accountpagina opnieuw en herhaal wat u "
        "wilde doen.",
    [GRANTD_T_denied_title] = "U hebt geen toegang gegeven",
    [GRANTD_T_denied_what] = "U koos Annuleren, dus de toepassing kan uw account niet "
        "gebruiken. Er is niets met haar gedeeld.",
    [GRANTD_T_denied_next] = "U kunt deze pagina sluiten. Als u van gedachten verandert, "
        "begin dan opnieuw vanuit de toepassing.",
    [GRANTD_T_request_failed_title] = "Dit verzoek kan niet worden afgerond",
    [GRANTD_T_request_failed_pre] = "",
    [GRANTD_T_request_failed_post] = " vroeg iets wat deze dienst haar niet kan geven.",
    [GRANTD_T_the_application_subject] = "De toepassing",
    [GRANTD_T_app_support_next] = "Ga terug naar de toepassing en probeer het opnieuw. "
        "Blijft het gebeuren, neem dan contact op met de support van de "
        "toepassing.",
    [GRANTD_T_unknown_client_title] = "We herkennen de toepassing niet die u hierheen stuurde",
    [GRANTD_T_unknown_client_what] = "De link die u volgde noemt geen toepassing die deze "
        "dienst kent, of de toepassing is uitgeschakeld.",
    [GRANTD_T_bad_redirect_title] = "Deze aanmeldlink kan niet worden gebruikt",
    [GRANTD_T_bad_redirect_what] = "De toepassing vroeg u terug te sturen naar een adres "
        "dat ze niet heeft geregistreerd. Om uw account te beschermen is het "
        "aanmelden hier gestopt.",
    [GRANTD_T_busy_title] = "We hebben het nu erg druk",
    [GRANTD_T_busy_what] = "De dienst heeft op dit moment te veel te doen.",
    [GRANTD_T_internal_title] = "Er ging bij ons iets mis",
    [GRANTD_T_internal_what] = "De dienst kon uw verzoek niet afronden. Het ligt niet aan u.",
    [GRANTD_T_wait_and_retry] = "Wacht even, ga dan terug en probeer het opnieuw.",
    [GRANTD_T_console_title] = "Ontwikkelaarsconsole",
    [GRANTD_T_console_signed_in_pre] = "Ontwikkelaarsconsole · ingelogd als ",
    [GRANTD_T_console_signed_in_post] = "",
    [GRANTD_T_console_sign_in_title] = "Inloggen bij de ontwikkelaarsconsole",
    [GRANTD_T_console_sign_in_sub] = "Log in om uw toepassingen te registreren en te beheren.",
    [GRANTD_T_console_your_apps] = "Uw toepassingen",
    [GRANTD_T_console_no_apps] = "U hebt nog geen toepassing geregistreerd. Registreer er "
        "een om de Client-ID en het Secret te krijgen.",
    [GRANTD_T_console_register_button] = "Toepassing registreren",
    [GRANTD_T_console_revoke_button] = "Intrekken",
    [GRANTD_T_console_enable_button] = "Inschakelen",
    [GRANTD_T_console_active] = "Actief",
    [GRANTD_T_console_revoked] = "Ingetrokken",
    [GRANTD_T_console_client_id] = "Client-ID",
    [GRANTD_T_console_client_secret] = "Client-Secret",
    [GRANTD_T_console_created_pre] = "aangemaakt op ",
    [GRANTD_T_console_created_post] = "",
    [GRANTD_T_console_unknown_time] = "een onbekend tijdstip",
    [GRANTD_T_console_new_title] = "Nieuwe toepassing",
    [GRANTD_T_console_name] = "Naam",
    [GRANTD_T_console_redirect_uris] = "Redirect-URI's",
    [GRANTD_T_console_redirect_uris_help] = "Eén per regel, precies zoals uw toepassing hem "
        "verstuurt.",
    [GRANTD_T_console_logout_uris] = "Redirect-URI's na afmelden",
    [GRANTD_T_console_logout_uris_help] = "Optioneel, voor afmelden met OpenID Connect: "
        "waarheen uw toepassing mensen na het afmelden mag sturen. Eén per regel.",
    [GRANTD_T_console_grant_types] = "Grant-types",
    [GRANTD_T_console_scopes] = "Scopes",
    [GRANTD_T_console_client_type] = "Clienttype",
    [GRANTD_T_console_public] = "Openbaar (geen secret; PKCE)",
    [GRANTD_T_console_confidential] = "Vertrouwelijk (heeft een secret)",
    [GRANTD_T_console_none] = "Geen",
    [GRANTD_T_console_created] = "Aangemaakt",
    [GRANTD_T_console_rotate_button] = "Secret vernieuwen",
    [GRANTD_T_console_revoke_note] = "Intrekken stopt de toepassing meteen: elk token dat ze "
        "heeft wordt geweigerd en elke toestemming voor haar wordt ingetrokken.",
    [GRANTD_T_console_enable_new_id_note] = "Inschakelen geeft de toepassing een nieuwe "
        "Client-ID en een nieuw Secret; iedereen die haar gebruikte, moet haar opnieuw "
        "toestemming geven.",
    [GRANTD_T_console_enable_note] = "Inschakelen geeft de toepassing een nieuw secret; "
        "iedereen die haar gebruikte, moet haar opnieuw toestemming geven.",
    [GRANTD_T_console_delete_link] = "Deze toepassing verwijderen",
    [GRANTD_T_console_recent_events] = "Recente gebeurtenissen",
    [GRANTD_T_console_no_events] = "Nog geen.",
    [GRANTD_T_console_event_by_pre] = "door ",
    [GRANTD_T_console_event_by_post] = "",
    [GRANTD_T_console_event_create] = "Aangemaakt",
    [GRANTD_T_console_event_secret_rotate] = "Secret vernieuwd",
    [GRANTD_T_console_event_disable] = "Ingetrokken",
    [GRANTD_T_console_event_enable] = "Ingeschakeld",
    [GRANTD_T_console_event_update] = "Instellingen gewijzigd",
    [GRANTD_T_console_event_delete] = "Verwijderd",
    [GRANTD_T_console_actor_admin] = "een beheerder",
    [GRANTD_T_console_actor_operator] = "een operator",
    [GRANTD_T_console_actor_server] = "de server",
    [GRANTD_T_console_delete_title] = "Toepassing verwijderen",
    [GRANTD_T_console_delete_heading_pre] = "",
    [GRANTD_T_console_delete_heading_post] = " verwijderen?",
    [GRANTD_T_console_delete_what] = "De toepassing en haar Client-ID worden definitief "
        "verwijderd: haar tokens werken niet meer en ze kan niet opnieuw worden ingeschakeld.",
    [GRANTD_T_console_delete_button] = "Toepassing verwijderen",
    [GRANTD_T_console_keep] = "Behouden",
    [GRANTD_T_console_copy_manual] = "Geselecteerd. Druk op Ctrl+C (Cmd+C op een Mac) om het "
        "te kopiëren.",
    [GRANTD_T_console_secret_once] = "Kopieer het secret nu en bewaar het op een veilige "
        "plek: het wordt alleen deze ene keer getoond. Raakt u het kwijt, vernieuw dan het "
        "secret om een nieuw te krijgen.",
    [GRANTD_T_console_done] = "Ik heb ze gekopieerd",
    [GRANTD_T_console_go_to_app] = "naar de toepassing",
    [GRANTD_T_console_credentials_gone] = "Inloggegevens worden maar één keer getoond, "
        "direct nadat ze zijn gemaakt. Bent u een secret kwijt, vernieuw het dan om een "
        "nieuw te krijgen.",
    [GRANTD_T_console_ready] = "Uw toepassing is klaar",
    [GRANTD_T_console_new_secret] = "Uw nieuwe secret",
    [GRANTD_T_console_previous_secret] = "Het vorige secret werkt niet meer.",
    [GRANTD_T_console_revoked_notice] = "Ingetrokken: de tokens van de toepassing werken "
        "niet meer en ze krijgt geen nieuwe.",
    [GRANTD_T_console_enabled_title] = "Uw toepassing is weer ingeschakeld",
    [GRANTD_T_console_enabled_new_id] = "Ze heeft een nieuwe Client-ID en een nieuw Secret; "
        "de vorige werken niet meer. Iedereen die haar gebruikte, moet haar opnieuw "
        "toestemming geven.",
    [GRANTD_T_console_enabled_new_secret] = "Ze heeft een nieuw secret; het vorige werkt "
        "niet meer. Iedereen die haar gebruikte, moet haar opnieuw toestemming geven.",
    [GRANTD_T_console_deleted_pre] = "",
    [GRANTD_T_console_deleted_post] = " is verwijderd.",
    [GRANTD_T_console_not_developer_title] = "U kunt geen toepassingen registreren",
    [GRANTD_T_console_not_developer_what] = "U bent ingelogd, maar uw account mag geen "
        "toepassingen registreren in de ontwikkelaarsconsole.",
    [GRANTD_T_console_not_developer_next] = "Vraag het team van de aanbieder om uw account "
        "ontwikkelaarstoegang te geven en open de console daarna opnieuw.",
    [GRANTD_T_console_app_not_found_title] = "Toepassing niet gevonden",
    [GRANTD_T_console_app_not_found_what] = "Geen van uw toepassingen heeft deze Client-ID.",
    [GRANTD_T_console_app_not_found_next] = "Ga terug naar uw toepassingen en kies er een "
        "uit de lijst.",
    [GRANTD_T_console_address_unreadable] = "Het adres kon niet worden gelezen",
    [GRANTD_T_console_open_again] = "Open de ontwikkelaarsconsole opnieuw.",
    [GRANTD_T_console_open_again_retry] = "Open de ontwikkelaarsconsole opnieuw en probeer "
        "het nog eens.",
    [GRANTD_T_console_expired_next] = "Open de ontwikkelaarsconsole opnieuw en herhaal wat u "
        "wilde doen.",
    [GRANTD_T_console_open_console] = "Ontwikkelaarsconsole openen",
    [GRANTD_T_logout_title] = "Afmelden",
    [GRANTD_T_logout_heading_pre] = "Afmelden bij ",
    [GRANTD_T_logout_heading_post] = "?",
    [GRANTD_T_logout_asks_pre] = "",
    [GRANTD_T_logout_asks_post] = " vraagt u om u af te melden.",
    [GRANTD_T_logout_stay_button] = "Aangemeld blijven",
    [GRANTD_T_logout_done_title] = "U bent afgemeld",
    [GRANTD_T_logout_done_what] = "U kunt deze pagina sluiten. Meld u opnieuw aan vanuit een "
        "toepassing om die weer te gebruiken.",
    [GRANTD_T_logout_still_title] = "U bent nog steeds aangemeld",
    [GRANTD_T_logout_still_what] = "U hebt gekozen om aangemeld te blijven. Er is niets "
        "gewijzigd.",
    [GRANTD_T_logout_unreadable_title] = "Deze afmeldlink kan niet worden gebruikt",
    [GRANTD_T_logout_unreadable_what] = "De link is niet goed gemaakt: een deel ervan komt "
        "dubbel voor of is onleesbaar.",
    [GRANTD_T_logout_hint_what] = "De link verwijst naar een aanmelding die niet door deze "
        "service is gedaan.",
    [GRANTD_T_logout_client_what] = "De toepassing in de link is niet de toepassing waarbij "
        "u zich hebt aangemeld.",
    [GRANTD_T_logout_unknown_client_what] = "De link noemt geen toepassing die deze service "
        "kent, dus u kunt er niet naar worden teruggestuurd.",
    [GRANTD_T_logout_bad_redirect_what] = "De toepassing wilde u terugsturen naar een adres "
        "dat zij niet voor afmelden heeft geregistreerd. Voor uw veiligheid bent u daar niet "
        "heen gestuurd.",
};
