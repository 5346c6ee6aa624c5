"""The Wmo forecast per wijk (issue #8): population projection, use-rate model, forecast,
validation. Pure functions over pandas DataFrames; ``service.py`` does the I/O."""
