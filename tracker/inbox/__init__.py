"""The in-app inbox (hộp thư): what each person should know, delivered through the outbox's
"web" channel like any chat reminder."""
