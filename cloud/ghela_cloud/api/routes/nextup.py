"""/next: what lights next on a device, by the Scheduler's rule applied to the read copy."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from ghela.core.clock import venue_zone
from ghela.core.nextup import next_line, next_up

from ghela_cloud.api.auth import CallerDep
from ghela_cloud.api.eventmodels import NextUpView, NextView
from ghela_cloud.api.params import DeviceQuery, ServicesDep, pick_device
from ghela_cloud.api.views import event_view

router = Router()


@router.get("/next", summary="What lights next: one line, and when (venue time)")
def get_next(caller: CallerDep, services: ServicesDep, device: DeviceQuery = None) -> NextView:
    thing = pick_device(device, services)
    now = services.clock.now()
    events = [view for view in map(event_view, services.events.list_events(thing)) if view is not None]
    up = next_up(events, now)
    zone = venue_zone(services.settings.venue_zone)
    return NextView(
        device=thing,
        next=NextUpView.model_validate(up.model_dump()) if up is not None else None,
        line=next_line(up, now, zone),
        zone=zone.key,
    )
