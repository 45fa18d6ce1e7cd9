"""Bolt listeners: parse a payload, call a service, render a view. Only app assembly imports this."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import errors, events
from handlers.digests import commands as digests
from handlers.digests import lists as digest_lists
from handlers.home import tab as home
from handlers.launches import checklist as launches
from handlers.requests import filing as requests
from handlers.requests import listing, triage
from handlers.roadmap import approvals
from handlers.roadmap import commands as roadmap
from handlers.settings import modals as settings


def register_all(app: AsyncApp) -> None:
    """Attach every listener to the app."""
    features = (requests, listing, triage, settings, roadmap, approvals, home, digest_lists, digests)
    features += (launches,)
    features += (events, errors)
    for feature in features:
        feature.register(app)
