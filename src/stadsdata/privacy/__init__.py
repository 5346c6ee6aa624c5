"""Privacy: keyed pseudonyms, generalisation of quasi-identifiers, and disclosure control."""
