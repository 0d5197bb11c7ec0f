"""Runs the awards service: `python -m services.awards`."""

from services.awards.bootstrap import build_app
from services.awards.config import AwardsSettings
from shared.serve import serve

settings = AwardsSettings()
serve(build_app(settings), settings)
