"""The traffic-risk model (Verkeersrisicomodel, issue #10): accident hotspots per gemeente with an
empirical-Bayes risk score, and their matching with residents' reports of unsafe traffic
situations (docs/traffic-risk.md)."""
