"""Bolt listeners: parse a payload, call a service, render a view. Only app assembly imports this."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import (
    approvals,
    digest_lists,
    digests,
    errors,
    events,
    home,
    launches,
    listing,
    requests,
    roadmap,
    settings,
    triage,
)


def register_all(app: AsyncApp) -> None:
    """Attach every listener to the app."""
    features = (requests, listing, triage, settings, roadmap, approvals, home, digest_lists, digests)
    features += (launches,)
    features += (events, errors)
    for feature in features:
        feature.register(app)
