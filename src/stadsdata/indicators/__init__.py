"""Indicators and dashboards in the style of Waarstaatjegemeente.nl (docs/indicators.md).

Definitions are files (``demo/indicators/``, ``<home>/indicators/``); ``IndicatorService``
computes them with SQL into the catalogued, versioned dataset ``indicatoren`` and answers the
reads of the portal, API and command line in the shapes of ``model.py``.
"""

from stadsdata.indicators.service import IndicatorService

__all__ = ["IndicatorService"]
