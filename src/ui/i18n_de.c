/* The German page texts (ui/i18n.h), one per row of core/ui_texts.h. Written for
 * people, not translated word by word; a profile may still word any of them its own way
 * (profile.branding.texts.de). */
#include "ui/i18n.h"

const char *const grantd_i18n_de[GRANTD_TEXT_COUNT] = {
    [GRANTD_T_sign_in_title] = "Anmelden",
    [GRANTD_T_sign_in_pre] = "um mit ",
    [GRANTD_T_sign_in_post] = " fortzufahren",
    [GRANTD_T_the_application] = "der Anwendung",
    [GRANTD_T_username] = "Benutzername",
    [GRANTD_T_password] = "Passwort",
    [GRANTD_T_sign_in_button] = "Anmelden",
    [GRANTD_T_not_you] = "Nicht Sie?",
    [GRANTD_T_use_another_account] = "Ein anderes Konto verwenden",
    [GRANTD_T_consent_title] = "Zugriff erlauben",
    [GRANTD_T_an_application] = "Eine Anwendung",
    [GRANTD_T_consent_heading_pre] = "",
    [GRANTD_T_consent_heading_post] = " möchte auf Ihr Konto zugreifen",
    [GRANTD_T_no_permissions] = "Sie verlangt keine besonderen Berechtigungen.",
    [GRANTD_T_permissions] = "Sie verlangt diese Berechtigungen:",
    [GRANTD_T_signed_in_as] = "Angemeldet als",
    [GRANTD_T_account_word] = "Konto",
    [GRANTD_T_not_you_sign_out] = "Nicht Sie? Abmelden",
    [GRANTD_T_sent_to] = "Sie werden weitergeleitet zu",
    [GRANTD_T_code_instead] = "Sie erhalten einen Code, den Sie in die Anwendung kopieren.",
    [GRANTD_T_authorize_button] = "Erlauben",
    [GRANTD_T_cancel_button] = "Abbrechen",
    [GRANTD_T_code_title] = "Autorisierungscode",
    [GRANTD_T_code_copy_pre] = "Kopieren Sie diesen Code in ",
    [GRANTD_T_code_copy_post] = ", um die Anmeldung abzuschließen.",
    [GRANTD_T_code_label] = "Code",
    [GRANTD_T_copy_button] = "Kopieren",
    [GRANTD_T_copied] = "Kopiert.",
    [GRANTD_T_copy_manual] = "Code markiert. Drücken Sie Strg+C (Cmd+C auf einem Mac), um "
        "ihn zu kopieren.",
    [GRANTD_T_code_expires_pre] = "Dieser Code läuft in ",
    [GRANTD_T_code_expires_post] = " ab und gilt nur einmal.",
    [GRANTD_T_second] = "Sekunde",
    [GRANTD_T_seconds] = "Sekunden",
    [GRANTD_T_minutes] = "Minuten",
    [GRANTD_T_error_title] = "Etwas ist schiefgegangen",
    [GRANTD_T_details] = "Angaben für den Support:",
    [GRANTD_T_too_large_title] = "Anfrage zu groß",
    [GRANTD_T_too_large_text] = "Die Anfrage ist zu groß, um sie anzuzeigen. Kehren Sie "
        "zur Anwendung zurück und versuchen Sie es erneut.",
    [GRANTD_T_account_title] = "Ihr Konto",
    [GRANTD_T_authorized_heading] = "Anwendungen, denen Sie Zugriff erlaubt haben",
    [GRANTD_T_no_grants] = "Keine Anwendung kann Ihr Konto nutzen. Wenn Sie einer den "
        "Zugriff erlauben, erscheint sie hier und Sie können ihn widerrufen.",
    [GRANTD_T_grants_intro] = "Jede kann Ihr Konto mit den aufgeführten Berechtigungen "
        "nutzen. Ein Widerruf meldet sie sofort ab; sie muss Sie erneut fragen.",
    [GRANTD_T_authorized_since] = "Erlaubt seit",
    [GRANTD_T_no_specific_permissions] = "Keine besonderen Berechtigungen.",
    [GRANTD_T_revoke_button] = "Zugriff widerrufen",
    [GRANTD_T_sign_out_button] = "Abmelden",
    [GRANTD_T_account_sign_in_sub] = "um die Anwendungen zu sehen und zu verwalten, die "
        "Ihr Konto nutzen können",
    [GRANTD_T_unknown_date] = "einem unbekannten Datum",
    [GRANTD_T_date_day_suffix] = ".",
    [GRANTD_T_month_1] = "Januar",
    [GRANTD_T_month_2] = "Februar",
    [GRANTD_T_month_3] = "März",
    [GRANTD_T_month_4] = "April",
    [GRANTD_T_month_5] = "Mai",
    [GRANTD_T_month_6] = "Juni",
    [GRANTD_T_month_7] = "Juli",
    [GRANTD_T_month_8] = "August",
    [GRANTD_T_month_9] = "September",
    [GRANTD_T_month_10] = "Oktober",
    [GRANTD_T_month_11] = "November",
    [GRANTD_T_month_12] = "Dezember",
    [GRANTD_T_landing_title] = "Anmeldedienst",
    [GRANTD_T_landing_what] = "Dieser Dienst meldet Sie bei Anwendungen an und fragt, "
        "bevor sie Ihr Konto nutzen. Anwendungen bringen Sie zur Anmeldung "
        "hierher; auf dieser Seite ist nichts zu tun.",
    [GRANTD_T_landing_next] = "Sie können sehen, welche Anwendungen Ihr Konto nutzen "
        "können, und jede davon stoppen.",
    [GRANTD_T_go_to_account] = "Zu Ihrem Konto",
    [GRANTD_T_not_found_title] = "Seite nicht gefunden",
    [GRANTD_T_not_found_what] = "Unter dieser Adresse gibt es keine Seite.",
    [GRANTD_T_not_found_next] = "Wenn Sie einem Link aus einer Anwendung gefolgt sind, "
        "kehren Sie dorthin zurück und versuchen Sie es erneut.",
    [GRANTD_T_enter_credentials] = "Geben Sie Ihren Benutzernamen und Ihr Passwort ein.",
    [GRANTD_T_credentials_incorrect] = "Benutzername oder Passwort ist falsch.",
    [GRANTD_T_form_expired] = "Dieses Formular ist abgelaufen. Bitte melden Sie sich erneut an.",
    [GRANTD_T_too_many_tries_pre] =
        "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in ",
    [GRANTD_T_too_many_tries_post] = " erneut.",
    [GRANTD_T_session_ended] = "Ihre Sitzung ist beendet. Melden Sie sich erneut an.",
    [GRANTD_T_choose_application] = "Wählen Sie eine Anwendung, deren Zugriff Sie "
        "widerrufen möchten.",
    [GRANTD_T_not_your_application] = "Diese Anwendung gehört nicht zu denen, denen Sie "
        "Zugriff erlaubt haben.",
    [GRANTD_T_revoked_pre] = "",
    [GRANTD_T_revoked_post] = " kann Ihr Konto nicht mehr nutzen.",
    [GRANTD_T_signed_out] = "Sie sind abgemeldet.",
    [GRANTD_T_form_unreadable_title] = "Das Formular konnte nicht gelesen werden",
    [GRANTD_T_choose_decision] = "Wählen Sie Erlauben oder Abbrechen.",
    [GRANTD_T_account_retry] = "Öffnen Sie Ihre Kontoseite erneut und versuchen Sie es "
        "noch einmal.",
    [GRANTD_T_page_expired_title] = "Diese Seite ist abgelaufen",
    [GRANTD_T_page_expired_what] = "Zu Ihrer Sicherheit funktioniert diese Seite nur eine "
        "begrenzte Zeit und nur im Browserfenster, in dem sie geöffnet wurde.",
    [GRANTD_T_page_expired_next] = "Kehren Sie zur Anwendung zurück und beginnen Sie die "
        "Anmeldung erneut.",
    [GRANTD_T_form_changed_title] = "Dieses Formular wurde verändert",
    [GRANTD_T_form_changed_what] = "Das gesendete Formular ist nicht das, das diese Seite "
                                   "angezeigt hat. Es wurde nichts ausgeführt.",
    [GRANTD_T_cross_site_title] = "Dieses Formular wurde von einer anderen Website gesendet",
    [GRANTD_T_cross_site_what] = "Zu Ihrer Sicherheit nimmt dieser Dienst seine Formulare nur "
                                 "von seinen eigenen Seiten an. Es wurde nichts ausgeführt.",
    [GRANTD_T_cross_site_next] = "Öffnen Sie die Seite dieses Dienstes selbst und versuchen Sie "
                                 "es erneut.",
    [GRANTD_T_account_expired_what] = "Zu Ihrer Sicherheit funktioniert diese Seite nur "
        "eine begrenzte Zeit und nur im Browserfenster, in dem sie geöffnet "
        "wurde. Es wurde nichts geändert.",
    [GRANTD_T_account_expired_next] = "Öffnen Sie Ihre Kontoseite erneut und wiederholen "
        "Sie, was Sie tun wollten.",
    [GRANTD_T_denied_title] = "Sie haben den Zugriff nicht erlaubt",
    [GRANTD_T_denied_what] = "Sie haben Abbrechen gewählt, daher kann die Anwendung Ihr "
        "Konto nicht nutzen. Es wurde nichts mit ihr geteilt.",
    [GRANTD_T_denied_next] = "Sie können diese Seite schließen. Wenn Sie es sich anders "
        "überlegen, beginnen Sie erneut in der Anwendung.",
    [GRANTD_T_request_failed_title] = "Diese Anfrage kann nicht abgeschlossen werden",
    [GRANTD_T_request_failed_pre] = "",
    [GRANTD_T_request_failed_post] = " hat etwas verlangt, das dieser Dienst ihr nicht "
        "geben kann.",
    [GRANTD_T_the_application_subject] = "Die Anwendung",
    [GRANTD_T_app_support_next] = "Kehren Sie zur Anwendung zurück und versuchen Sie es "
        "erneut. Wenn es wieder passiert, wenden Sie sich an den Support der "
        "Anwendung.",
    [GRANTD_T_unknown_client_title] = "Wir kennen die Anwendung nicht, die Sie hierher "
        "geschickt hat",
    [GRANTD_T_unknown_client_what] = "Der Link, dem Sie gefolgt sind, nennt keine "
        "Anwendung, die dieser Dienst kennt, oder die Anwendung wurde "
        "abgeschaltet.",
    [GRANTD_T_bad_redirect_title] = "Dieser Anmeldelink kann nicht verwendet werden",
    [GRANTD_T_bad_redirect_what] = "Die Anwendung wollte Sie an eine Adresse "
        "zurückschicken, die sie nicht registriert hat. Zum Schutz Ihres "
        "Kontos wurde die Anmeldung hier beendet.",
    [GRANTD_T_busy_title] = "Wir sind gerade ausgelastet",
    [GRANTD_T_busy_what] = "Der Dienst hat in diesem Moment zu viel zu tun.",
    [GRANTD_T_internal_title] = "Bei uns ist etwas schiefgegangen",
    [GRANTD_T_internal_what] = "Der Dienst konnte Ihre Anfrage nicht abschließen. Es lag "
        "nicht an Ihnen.",
    [GRANTD_T_wait_and_retry] = "Warten Sie einen Moment, kehren Sie dann zurück und "
        "versuchen Sie es erneut.",
    [GRANTD_T_console_title] = "Entwicklerkonsole",
    [GRANTD_T_console_signed_in_pre] = "Entwicklerkonsole · angemeldet als ",
    [GRANTD_T_console_signed_in_post] = "",
    [GRANTD_T_console_sign_in_title] = "Bei der Entwicklerkonsole anmelden",
    [GRANTD_T_console_sign_in_sub] = "Melden Sie sich an, um Ihre Anwendungen zu "
        "registrieren und zu verwalten.",
    [GRANTD_T_console_your_apps] = "Ihre Anwendungen",
    [GRANTD_T_console_no_apps] = "Sie haben noch keine Anwendung registriert. Registrieren "
        "Sie eine, um ihre Client-ID und ihr Secret zu erhalten.",
    [GRANTD_T_console_register_button] = "Anwendung registrieren",
    [GRANTD_T_console_revoke_button] = "Sperren",
    [GRANTD_T_console_enable_button] = "Freigeben",
    [GRANTD_T_console_active] = "Aktiv",
    [GRANTD_T_console_revoked] = "Gesperrt",
    [GRANTD_T_console_client_id] = "Client-ID",
    [GRANTD_T_console_client_secret] = "Client-Secret",
    [GRANTD_T_console_created_pre] = "erstellt am ",
    [GRANTD_T_console_created_post] = "",
    [GRANTD_T_console_unknown_time] = "einem unbekannten Zeitpunkt",
    [GRANTD_T_console_new_title] = "Neue Anwendung",
    [GRANTD_T_console_name] = "Name",
    [GRANTD_T_console_redirect_uris] = "Weiterleitungs-URIs",
    [GRANTD_T_console_redirect_uris_help] = "Eine pro Zeile, genau so, wie Ihre Anwendung "
        "sie sendet.",
    [GRANTD_T_console_logout_uris] = "Weiterleitungs-URIs nach dem Abmelden",
    [GRANTD_T_console_logout_uris_help] = "Optional, für die Abmeldung mit OpenID Connect: "
        "wohin Ihre Anwendung Personen nach dem Abmelden schicken darf. Eine pro Zeile.",
    [GRANTD_T_console_grant_types] = "Grant-Typen",
    [GRANTD_T_console_scopes] = "Scopes",
    [GRANTD_T_console_client_type] = "Client-Typ",
    [GRANTD_T_console_public] = "Öffentlich (kein Secret; PKCE)",
    [GRANTD_T_console_confidential] = "Vertraulich (hat ein Secret)",
    [GRANTD_T_console_none] = "Keine",
    [GRANTD_T_console_created] = "Erstellt",
    [GRANTD_T_console_rotate_button] = "Secret erneuern",
    [GRANTD_T_console_revoke_note] = "Das Sperren stoppt die Anwendung sofort: Jedes ihrer "
        "Tokens wird abgelehnt und jede Erlaubnis für sie zurückgezogen.",
    [GRANTD_T_console_enable_new_id_note] = "Das Freigeben gibt der Anwendung eine neue "
        "Client-ID und ein neues Secret; alle, die sie genutzt haben, müssen sie erneut "
        "erlauben.",
    [GRANTD_T_console_enable_note] = "Das Freigeben gibt der Anwendung ein neues Secret; "
        "alle, die sie genutzt haben, müssen sie erneut erlauben.",
    [GRANTD_T_console_delete_link] = "Diese Anwendung löschen",
    [GRANTD_T_console_recent_events] = "Letzte Ereignisse",
    [GRANTD_T_console_no_events] = "Noch keine.",
    [GRANTD_T_console_event_by_pre] = "von ",
    [GRANTD_T_console_event_by_post] = "",
    [GRANTD_T_console_event_create] = "Erstellt",
    [GRANTD_T_console_event_secret_rotate] = "Secret erneuert",
    [GRANTD_T_console_event_disable] = "Gesperrt",
    [GRANTD_T_console_event_enable] = "Freigegeben",
    [GRANTD_T_console_event_update] = "Einstellungen geändert",
    [GRANTD_T_console_event_delete] = "Gelöscht",
    [GRANTD_T_console_actor_admin] = "einem Administrator",
    [GRANTD_T_console_actor_operator] = "einem Betreiber",
    [GRANTD_T_console_actor_server] = "dem Server",
    [GRANTD_T_console_delete_title] = "Anwendung löschen",
    [GRANTD_T_console_delete_heading_pre] = "",
    [GRANTD_T_console_delete_heading_post] = " löschen?",
    [GRANTD_T_console_delete_what] = "Die Anwendung und ihre Client-ID werden endgültig "
        "entfernt: Ihre Tokens funktionieren nicht mehr und sie kann nicht wieder "
        "freigegeben werden.",
    [GRANTD_T_console_delete_button] = "Anwendung löschen",
    [GRANTD_T_console_keep] = "Behalten",
    [GRANTD_T_console_copy_manual] = "Markiert. Drücken Sie Strg+C (Cmd+C auf einem Mac), um "
        "es zu kopieren.",
    [GRANTD_T_console_secret_once] = "Kopieren Sie das Secret jetzt und bewahren Sie es "
        "sicher auf: Es wird nur dieses eine Mal angezeigt. Wenn Sie es verlieren, erneuern "
        "Sie das Secret, um ein neues zu erhalten.",
    [GRANTD_T_console_done] = "Ich habe sie kopiert",
    [GRANTD_T_console_go_to_app] = "zur Anwendung",
    [GRANTD_T_console_credentials_gone] = "Zugangsdaten werden nur einmal angezeigt, direkt "
        "nach ihrer Erstellung. Wenn Sie ein Secret verloren haben, erneuern Sie es, um ein "
        "neues zu erhalten.",
    [GRANTD_T_console_ready] = "Ihre Anwendung ist bereit",
    [GRANTD_T_console_new_secret] = "Ihr neues Secret",
    [GRANTD_T_console_previous_secret] = "Das bisherige Secret funktioniert nicht mehr.",
    [GRANTD_T_console_revoked_notice] = "Gesperrt: Die Tokens der Anwendung funktionieren "
        "nicht mehr und sie bekommt keine neuen.",
    [GRANTD_T_console_enabled_title] = "Ihre Anwendung ist wieder freigegeben",
    [GRANTD_T_console_enabled_new_id] = "Sie hat eine neue Client-ID und ein neues Secret; "
        "die bisherigen funktionieren nicht mehr. Alle, die sie genutzt haben, müssen sie "
        "erneut erlauben.",
    [GRANTD_T_console_enabled_new_secret] = "Sie hat ein neues Secret; das bisherige "
        "funktioniert nicht mehr. Alle, die sie genutzt haben, müssen sie erneut erlauben.",
    [GRANTD_T_console_deleted_pre] = "",
    [GRANTD_T_console_deleted_post] = " ist gelöscht.",
    [GRANTD_T_console_not_developer_title] = "Sie können keine Anwendungen registrieren",
    [GRANTD_T_console_not_developer_what] = "Sie sind angemeldet, aber Ihr Konto darf in der "
        "Entwicklerkonsole keine Anwendungen registrieren.",
    [GRANTD_T_console_not_developer_next] = "Bitten Sie das Team des Anbieters, Ihrem Konto "
        "Entwicklerzugang zu geben, und öffnen Sie dann die Konsole erneut.",
    [GRANTD_T_console_app_not_found_title] = "Anwendung nicht gefunden",
    [GRANTD_T_console_app_not_found_what] = "Keine Ihrer Anwendungen hat diese Client-ID.",
    [GRANTD_T_console_app_not_found_next] = "Kehren Sie zu Ihren Anwendungen zurück und "
        "wählen Sie eine aus der Liste.",
    [GRANTD_T_console_address_unreadable] = "Die Adresse konnte nicht gelesen werden",
    [GRANTD_T_console_open_again] = "Öffnen Sie die Entwicklerkonsole erneut.",
    [GRANTD_T_console_open_again_retry] = "Öffnen Sie die Entwicklerkonsole erneut und "
        "versuchen Sie es noch einmal.",
    [GRANTD_T_console_expired_next] = "Öffnen Sie die Entwicklerkonsole erneut und "
        "wiederholen Sie, was Sie tun wollten.",
    [GRANTD_T_console_open_console] = "Entwicklerkonsole öffnen",
    [GRANTD_T_logout_title] = "Abmelden",
    [GRANTD_T_logout_heading_pre] = "Von ",
    [GRANTD_T_logout_heading_post] = " abmelden?",
    [GRANTD_T_logout_asks_pre] = "",
    [GRANTD_T_logout_asks_post] = " bittet Sie, sich abzumelden.",
    [GRANTD_T_logout_stay_button] = "Angemeldet bleiben",
    [GRANTD_T_logout_done_title] = "Sie sind abgemeldet",
    [GRANTD_T_logout_done_what] = "Sie können diese Seite schließen. Um eine Anwendung wieder "
        "zu nutzen, melden Sie sich dort erneut an.",
    [GRANTD_T_logout_still_title] = "Sie sind weiterhin angemeldet",
    [GRANTD_T_logout_still_what] = "Sie haben sich entschieden, angemeldet zu bleiben. Es "
        "wurde nichts geändert.",
    [GRANTD_T_logout_unreadable_title] = "Dieser Abmeldelink kann nicht verwendet werden",
    [GRANTD_T_logout_unreadable_what] = "Der Link ist fehlerhaft: Ein Teil davon ist doppelt "
        "oder nicht lesbar.",
    [GRANTD_T_logout_hint_what] = "Der Link verweist auf eine Anmeldung, die nicht von "
        "diesem Dienst stammt.",
    [GRANTD_T_logout_client_what] = "Die im Link genannte Anwendung ist nicht die, bei der "
        "Sie sich angemeldet haben.",
    [GRANTD_T_logout_unknown_client_what] = "Der Link nennt keine Anwendung, die dieser "
        "Dienst kennt, daher können Sie nicht zu ihr zurückgeleitet werden.",
    [GRANTD_T_logout_bad_redirect_what] = "Die Anwendung wollte Sie zu einer Adresse "
        "zurückschicken, die sie für die Abmeldung nicht registriert hat. Zu Ihrer Sicherheit "
        "wurden Sie nicht dorthin geleitet.",
};
