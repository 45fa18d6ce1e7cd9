"""Bolt listeners: parse a payload, call a service, render a view. Only app assembly imports this.

One package per feature; each listener module has `register(app)`, called by `bot.app`.
"""
