"""The playground: pmbot's real app against a Slack stand-in on loopback, used from a web page.

`pmbot playground` runs the same services, listeners, outbox and scheduler as `pmbot serve`. What
is not Slack is here: a sample workspace (`sample`), its Web API (`standin`), the signed requests a
person's clicks become (`bridge`), the page and its JSON/SSE endpoints (`server`), an example to
start from (`seed`) and the process that ties them together (`run`).
"""
