"""Identity and access flows: sign-up, invitations, password reset, magic links, two-factor,
sessions, API keys and OAuth clients. Plain Python over repository functions; no HTTP here."""
