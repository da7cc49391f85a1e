"""The test run's settings: the production settings on a development machine.

config.settings fails closed (no debug, no public keys) unless told otherwise; the suite is a
development machine, so it says so here, before config.settings reads the environment. An
explicit environment (a test of the production refusal, a CI variable) still wins.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("QIANGJI_DEMO", "1")

from config.settings import *  # noqa: F403
