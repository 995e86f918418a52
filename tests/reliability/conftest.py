"""Reliability tests (issue 17): the input contract, proven by regression and property tests.

The shared strategies and oracles live in ``reliability_strategies.py`` beside this file (the
fuzz benchmark imports them too).
"""

import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: Property tests run a few seconds each in ``make test``; the benchmark runs the large version.
settings.register_profile("reliability", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                 HealthCheck.too_slow])
