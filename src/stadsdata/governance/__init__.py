"""Governance: identity (users, roles, tokens, sessions), the audit log, opgaven and the Datashop."""
