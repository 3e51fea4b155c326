"""The Dagster code location of retclip: assets over :mod:`retclip.pipeline`; nothing imports it.

``retclip`` is imported first so that its CPU kernel choice (:mod:`retclip.dispatch`) is made
before any asset loads torch or NumPy in a run worker.
"""

import retclip  # noqa: F401
