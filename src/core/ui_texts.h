/* The texts of the HTML pages (issue 13 item 5): one row per text, its name and its built-in
 * English. The name is what a profile overrides (profile.branding.texts.LANG.NAME), so the
 * configuration loader (core/config.c) checks names against this list; the page catalog
 * (ui/i18n.c) builds its enum and its English column from it, and ships the other
 * languages beside it (ui/i18n_de.c, ...). Not here: the pages themselves, the other
 * languages, how a language is chosen (ui/i18n.h).
 *
 * A text that surrounds a value is split into NAME_pre and NAME_post so that a language may
 * put the value anywhere in the sentence; either part may be "". */
#ifndef GRANTD_CORE_UI_TEXTS_H
#define GRANTD_CORE_UI_TEXTS_H

#define GRANTD_UI_TEXTS(X)                                                                       \
    X(sign_in_title, "Sign in")                                                                  \
    X(sign_in_pre, "to continue to ")                                                            \
    X(sign_in_post, "")                                                                          \
    X(the_application, "the application")                                                        \
    X(username, "Username")                                                                      \
    X(password, "Password")                                                                      \
    X(sign_in_button, "Sign in")                                                                 \
    X(not_you, "Not you?")                                                                       \
    X(use_another_account, "Use another account")                                                \
    X(consent_title, "Authorize access")                                                         \
    X(an_application, "An application")                                                          \
    X(consent_heading_pre, "")                                                                   \
    X(consent_heading_post, " wants to access your account")                                     \
    X(no_permissions, "It asks for no specific permissions.")                                    \
    X(permissions, "It asks for these permissions:")                                             \
    X(signed_in_as, "Signed in as")                                                              \
    X(account_word, "account")                                                                   \
    X(not_you_sign_out, "Not you? Sign out")                                                     \
    X(sent_to, "You will be sent to")                                                            \
    X(code_instead, "You will get a code to copy into the application.")                         \
    X(authorize_button, "Authorize")                                                             \
    X(cancel_button, "Cancel")                                                                   \
    X(code_title, "Authorization code")                                                          \
    X(code_copy_pre, "Copy this code into ")                                                     \
    X(code_copy_post, " to finish signing in.")                                                  \
    X(code_label, "Code")                                                                        \
    X(copy_button, "Copy")                                                                       \
    X(copied, "Copied.")                                                                         \
    X(copy_manual, "Code selected. Press Ctrl+C (Cmd+C on a Mac) to copy it.")                   \
    X(code_expires_pre, "This code expires in ")                                                 \
    X(code_expires_post, " and works once.")                                                     \
    X(second, "second")                                                                          \
    X(seconds, "seconds")                                                                        \
    X(minutes, "minutes")                                                                        \
    X(error_title, "Something went wrong")                                                       \
    X(details, "Details for support:")                                                           \
    X(too_large_title, "Request too large")                                                      \
    X(too_large_text, "The request is too large to display. Go back to the application "         \
                      "and try again.")                                                          \
    X(account_title, "Your account")                                                             \
    X(authorized_heading, "Applications you have authorized")                                    \
    X(no_grants, "No application can use your account. When you authorize one, it is "           \
                 "listed here and you can revoke it.")                                           \
    X(grants_intro, "Each one can use your account with the permissions listed. "                \
                    "Revoking signs it out at once; it must ask you again.")                     \
    X(authorized_since, "Authorized since")                                                      \
    X(no_specific_permissions, "No specific permissions.")                                       \
    X(revoke_button, "Revoke access")                                                            \
    X(sign_out_button, "Sign out")                                                               \
    X(account_sign_in_sub, "to see and manage the applications that can use your "               \
                           "account")                                                            \
    X(unknown_date, "an unknown date")                                                           \
    X(date_day_suffix, "")                                                                       \
    X(month_1, "January")                                                                        \
    X(month_2, "February")                                                                       \
    X(month_3, "March")                                                                          \
    X(month_4, "April")                                                                          \
    X(month_5, "May")                                                                            \
    X(month_6, "June")                                                                           \
    X(month_7, "July")                                                                           \
    X(month_8, "August")                                                                         \
    X(month_9, "September")                                                                      \
    X(month_10, "October")                                                                       \
    X(month_11, "November")                                                                      \
    X(month_12, "December")                                                                      \
    X(landing_title, "Sign-in service")                                                          \
    X(landing_what, "This service signs you in to applications and asks before they "            \
                    "use your account. Applications bring you here when you sign in; "           \
                    "there is nothing to do on this page.")                                      \
    X(landing_next, "You can see which applications can use your account, and stop any "         \
                    "of them.")                                                                  \
    X(go_to_account, "Go to your account")                                                       \
    X(not_found_title, "Page not found")                                                         \
    X(not_found_what, "There is no page at this address.")                                       \
    X(not_found_next, "If you followed a link from an application, go back to it and "           \
                      "try again.")                                                              \
    X(enter_credentials, "Enter your username and password.")                                    \
    X(credentials_incorrect, "The username or password is incorrect.")                           \
    X(form_expired, "This form has expired. Please sign in again.")                              \
    X(too_many_tries_pre, "Too many failed sign-in attempts. Please try again in ")              \
    X(too_many_tries_post, ".")                                                                  \
    X(session_ended, "Your session has ended. Sign in again.")                                   \
    X(choose_application, "Choose an application to revoke.")                                    \
    X(not_your_application, "That application is not among those you have authorized.")          \
    X(revoked_pre, "")                                                                           \
    X(revoked_post, " can no longer use your account.")                                          \
    X(signed_out, "You are signed out.")                                                         \
    X(form_unreadable_title, "The form could not be read")                                       \
    X(choose_decision, "Choose Authorize or Cancel.")                                            \
    X(account_retry, "Open your account page again and retry.")                                  \
    X(page_expired_title, "This page has expired")                                               \
    X(page_expired_what, "For your safety, this page only works for a limited time, in "         \
                         "the browser window it was opened in.")                                 \
    X(page_expired_next, "Go back to the application and start signing in again.")               \
    X(form_changed_title, "This form was changed")                                               \
    X(form_changed_what, "The form sent back is not the one this page showed, so nothing "      \
                         "was done.")                                                            \
    X(cross_site_title, "This form was sent from another site")                                  \
    X(cross_site_what, "For your safety, this service only accepts its forms from its own "     \
                       "pages. Nothing was done.")                                               \
    X(cross_site_next, "Open this service's page yourself and try again.")                       \
    X(account_expired_what, "For your safety, this page only works for a limited time, "         \
                            "in the browser window it was opened in. Nothing was changed.")      \
    X(account_expired_next, "Open your account page again and repeat what you wanted "           \
                            "to do.")                                                            \
    X(denied_title, "You did not allow access")                                                  \
    X(denied_what, "You chose Cancel, so the application cannot use your account. "              \
                   "Nothing was shared with it.")                                                \
    X(denied_next, "You can close this page. If you change your mind, start again from "         \
                   "the application.")                                                           \
    X(request_failed_title, "This request can't be completed")                                   \
    X(request_failed_pre, "")                                                                    \
    X(request_failed_post, " asked for something this service cannot give it.")                  \
    X(the_application_subject, "The application")                                                \
    X(app_support_next, "Go back to the application and try again. If it keeps "                 \
                        "happening, contact the application's support.")                         \
    X(unknown_client_title, "We don't recognise the application that sent you here")             \
    X(unknown_client_what, "The link you followed does not name an application this "            \
                           "service knows, or the application has been switched off.")           \
    X(bad_redirect_title, "This sign-in link can't be used")                                     \
    X(bad_redirect_what, "The application asked to send you back to an address it has "          \
                         "not registered. To keep your account safe, signing in stopped "        \
                         "here.")                                                                \
    X(busy_title, "We are busy right now")                                                       \
    X(busy_what, "The service has too much to do at this moment.")                               \
    X(internal_title, "Something went wrong on our side")                                        \
    X(internal_what, "The service could not finish what you asked. It is not something "         \
                     "you did.")                                                                 \
    X(wait_and_retry, "Wait a moment, then go back and try again.")                              \
    X(console_title, "Developer console")                                                        \
    X(console_signed_in_pre, "Developer console · signed in as ")                                \
    X(console_signed_in_post, "")                                                                \
    X(console_sign_in_title, "Sign in to the developer console")                                 \
    X(console_sign_in_sub, "Sign in to register and manage your applications.")                  \
    X(console_your_apps, "Your applications")                                                    \
    X(console_no_apps, "You have not registered an application yet. Register one to get "        \
                       "its Client ID and Secret.")                                              \
    X(console_register_button, "Register application")                                           \
    X(console_revoke_button, "Revoke")                                                           \
    X(console_enable_button, "Enable")                                                           \
    X(console_active, "Active")                                                                  \
    X(console_revoked, "Revoked")                                                                \
    X(console_client_id, "Client ID")                                                            \
    X(console_client_secret, "Client Secret")                                                    \
    X(console_created_pre, "created ")                                                           \
    X(console_created_post, "")                                                                  \
    X(console_unknown_time, "an unknown time")                                                   \
    X(console_new_title, "New application")                                                      \
    X(console_name, "Name")                                                                      \
    X(console_redirect_uris, "Redirect URIs")                                                    \
    X(console_redirect_uris_help, "One per line, exactly as your application sends it.")         \
    X(console_logout_uris, "Post-logout redirect URIs")                                          \
    X(console_logout_uris_help, "Optional, for OpenID Connect sign-out: where your application " \
                                "may send people after they sign out. One per line.")           \
    X(console_grant_types, "Grant types")                                                        \
    X(console_scopes, "Scopes")                                                                  \
    X(console_client_type, "Client type")                                                        \
    X(console_public, "Public (no secret; PKCE)")                                                \
    X(console_confidential, "Confidential (has a secret)")                                       \
    X(console_none, "None")                                                                      \
    X(console_created, "Created")                                                                \
    X(console_rotate_button, "Rotate secret")                                                    \
    X(console_revoke_note, "Revoking stops the application at once: every token it holds "       \
                           "is refused and every authorization of it is withdrawn.")             \
    X(console_enable_new_id_note, "Enabling gives the application a new Client ID and "          \
                                  "Secret; everyone who used it must authorize it again.")       \
    X(console_enable_note, "Enabling gives the application a new secret; everyone who "          \
                           "used it must authorize it again.")                                   \
    X(console_delete_link, "Delete this application")                                            \
    X(console_recent_events, "Recent events")                                                    \
    X(console_no_events, "None yet.")                                                            \
    X(console_event_by_pre, "by ")                                                               \
    X(console_event_by_post, "")                                                                 \
    X(console_event_create, "Created")                                                           \
    X(console_event_secret_rotate, "Secret rotated")                                             \
    X(console_event_disable, "Revoked")                                                          \
    X(console_event_enable, "Enabled")                                                           \
    X(console_event_update, "Settings changed")                                                  \
    X(console_event_delete, "Deleted")                                                           \
    X(console_actor_admin, "an administrator")                                                   \
    X(console_actor_operator, "an operator")                                                     \
    X(console_actor_server, "the server")                                                        \
    X(console_delete_title, "Delete application")                                                \
    X(console_delete_heading_pre, "Delete ")                                                     \
    X(console_delete_heading_post, "?")                                                          \
    X(console_delete_what, "The application and its Client ID are removed for good: its "        \
                           "tokens stop working and it cannot be enabled again.")                \
    X(console_delete_button, "Delete application")                                               \
    X(console_keep, "Keep it")                                                                   \
    X(console_copy_manual, "Selected. Press Ctrl+C (Cmd+C on a Mac) to copy it.")                \
    X(console_secret_once, "Copy the secret now and keep it somewhere safe: it is shown "        \
                           "only this once. If you lose it, rotate the secret to get a "         \
                           "new one.")                                                           \
    X(console_done, "I have copied them")                                                        \
    X(console_go_to_app, "go to the application")                                                \
    X(console_credentials_gone, "Credentials are shown only once, right after they are "         \
                                "made. If you lost a secret, rotate it to get a new one.")       \
    X(console_ready, "Your application is ready")                                                \
    X(console_new_secret, "Your new secret")                                                     \
    X(console_previous_secret, "The previous secret no longer works.")                           \
    X(console_revoked_notice, "Revoked: the application's tokens no longer work and it "         \
                              "can get no new ones.")                                            \
    X(console_enabled_title, "Your application is enabled again")                                \
    X(console_enabled_new_id, "It has a new Client ID and Secret; the previous ones no "         \
                              "longer work. Everyone who used it must authorize it again.")      \
    X(console_enabled_new_secret, "It has a new secret; the previous one no longer "             \
                                  "works. Everyone who used it must authorize it again.")        \
    X(console_deleted_pre, "")                                                                   \
    X(console_deleted_post, " is deleted.")                                                      \
    X(console_not_developer_title, "You cannot register applications")                           \
    X(console_not_developer_what, "You are signed in, but your account is not allowed to "       \
                                  "register applications in the developer console.")             \
    X(console_not_developer_next, "Ask the provider's team to give your account "                \
                                  "developer access, then open the console again.")              \
    X(console_app_not_found_title, "Application not found")                                      \
    X(console_app_not_found_what, "None of your applications has this Client ID.")               \
    X(console_app_not_found_next, "Go back to your applications and choose one from the "        \
                                  "list.")                                                       \
    X(console_address_unreadable, "The address could not be read")                               \
    X(console_open_again, "Open the developer console again.")                                   \
    X(console_open_again_retry, "Open the developer console again and retry.")                   \
    X(console_expired_next, "Open the developer console again and repeat what you wanted "       \
                            "to do.")                                                            \
    X(console_open_console, "Open the developer console")                                        \
    X(logout_title, "Sign out")                                                                  \
    X(logout_heading_pre, "Sign out of ")                                                        \
    X(logout_heading_post, "?")                                                                  \
    X(logout_asks_pre, "")                                                                       \
    X(logout_asks_post, " asks you to sign out.")                                                \
    X(logout_stay_button, "Stay signed in")                                                      \
    X(logout_done_title, "You are signed out")                                                   \
    X(logout_done_what, "You can close this page. To use an application again, sign in "         \
                        "from it.")                                                              \
    X(logout_still_title, "You are still signed in")                                             \
    X(logout_still_what, "You chose to stay signed in. Nothing was changed.")                    \
    X(logout_unreadable_title, "This sign-out link can't be used")                               \
    X(logout_unreadable_what, "The link was not made correctly: a part of it is repeated or "    \
                              "cannot be read.")                                                 \
    X(logout_hint_what, "The link refers to a sign-in that this service did not make.")          \
    X(logout_client_what, "The application named in the link is not the one you signed in "      \
                          "to.")                                                                 \
    X(logout_unknown_client_what, "The link does not name an application this service "          \
                                  "knows, so you cannot be sent back to it.")                    \
    X(logout_bad_redirect_what, "The application asked to send you back to an address it has "   \
                                "not registered for signing out. To keep you safe, you were "    \
                                "not sent there.")

/* Texts the protocol side (oauth/) shows on these pages, through grantd_ui_say (ui/pages.h),
 * are rows of the same list, from enter_credentials on. */

/* The languages grantd ships page texts for (ui/i18n.c): what profile.branding.languages
 * may list, NULL-terminated. A profile's texts override these, they add no language. */
#define GRANTD_UI_LANGUAGES {"en", "de", "nl", NULL}
#define GRANTD_UI_LANGUAGE_COUNT 3

#endif
