"""The HTTP API: powertools routers per resource, one Lambda handler per resource group.

``handlers.events`` (events and alerts: reads, and writes as IoT jobs), ``handlers.jobs``,
``handlers.device`` and ``handlers.metrics`` are the four Lambda entry points; the local
server calls the same four. ``spec`` builds the OpenAPI document from all routers.
"""
