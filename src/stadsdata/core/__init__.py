"""Pure domain: dataset contracts, identifiers. Imports nothing else of ours but errors."""
