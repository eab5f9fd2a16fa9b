"""/events: the device's upcoming events (read copy) and changes to them (as IoT jobs).

A route that makes a command imports its model when it is first called: the read routes'
cold start does not create the Scheduler's commands (``bench/api.py``).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from ghela.core.clock import venue_zone
from ghela.core.errors import InvalidInput
from ghela.core.messages.changes import AlertSpec
from ghela.core.messages.snapshots import OverrideField
from ghela.core.rules import END_AFTER_START

from ghela_cloud.api.auth import CallerDep, require_admin, require_admin_for_games
from ghela_cloud.api.commandbodies import ACCEPTED, Accepted, AlertBody, CreateEventBody, UpdateEventBody
from ghela_cloud.api.commands import submit
from ghela_cloud.api.eventmodels import EventList, EventView
from ghela_cloud.api.params import DeviceQuery, ServicesDep, pick_device
from ghela_cloud.api.views import event_view, load_event, relevant_until, sort_key

router = Router()

EventId = Annotated[int, Path(ge=1, le=2**53, description="The event's id on the device")]


@router.get("/events", summary="Upcoming events of a device, with their alerts")
def list_events(caller: CallerDep, services: ServicesDep, device: DeviceQuery = None) -> EventList:
    thing = pick_device(device, services)
    now = services.clock.now()
    views = [v for v in map(event_view, services.events.list_events(thing)) if v is not None]
    zone = venue_zone(services.settings.venue_zone)
    upcoming = [v for v in views if (until := relevant_until(v, zone)) is None or until >= now]
    return EventList(device=thing, events=sorted(upcoming, key=sort_key))


@router.get("/events/<event_id>", summary="One event with its alerts")
def get_event(
    event_id: EventId, caller: CallerDep, services: ServicesDep, device: DeviceQuery = None
) -> EventView:
    return load_event(services, pick_device(device, services), event_id)


@router.post("/events", summary="Create a custom event", responses=ACCEPTED)
def create_event(
    body: Annotated[CreateEventBody, Body()],
    caller: CallerDep,
    services: ServicesDep,
    device: DeviceQuery = None,
) -> tuple[Accepted, int]:
    from ghela.core.messages.commands import CreateEvent

    thing = pick_device(device, services)
    alerts = None if body.alerts is None else [AlertSpec(**a.model_dump(by_alias=False)) for a in body.alerts]
    command = CreateEvent(title=body.title, start=body.start, end=body.end, alerts=alerts)
    return submit(command, thing, caller, services), 202


@router.patch(
    "/events/<event_id>", summary="Change or cancel an event (games: admins only)", responses=ACCEPTED
)
def update_event(
    event_id: EventId,
    body: Annotated[UpdateEventBody, Body()],
    caller: CallerDep,
    services: ServicesDep,
    device: DeviceQuery = None,
) -> tuple[Accepted, int]:
    from ghela.core.messages.commands import CancelEvent, FollowSource, UpdateEvent

    thing = pick_device(device, services)
    event = load_event(services, thing, event_id)
    require_admin_for_games(caller, event.kind)
    command: CancelEvent | UpdateEvent | FollowSource
    if body.cancelled:
        command = CancelEvent(event_id=event_id, by=caller.name[:200])
    elif body.follow_source is not None:
        field = None if body.follow_source is True else OverrideField(body.follow_source)
        command = FollowSource(event_id=event_id, field=field, by=caller.name[:200])
    else:
        changes = body.changes()
        start = changes.start or event.start
        if changes.end is not None and start is not None and changes.end <= start:
            raise InvalidInput(END_AFTER_START, field="end")  # the Scheduler's rule and words
        command = UpdateEvent(event_id=event_id, **changes.model_dump(), by=caller.name[:200])
    return submit(command, thing, caller, services), 202


@router.delete("/events/<event_id>", summary="Delete a custom event", responses=ACCEPTED)
def delete_event(
    event_id: EventId, caller: CallerDep, services: ServicesDep, device: DeviceQuery = None
) -> tuple[Accepted, int]:
    from ghela.core.messages.commands import DeleteEvent

    thing = pick_device(device, services)
    event = load_event(services, thing, event_id)
    if event.kind != "custom":
        raise ServiceError(
            409, 'games are cancelled, never deleted: PATCH the event with {"cancelled": true}'
        )
    return submit(DeleteEvent(event_id=event_id), thing, caller, services), 202


@router.post("/events/<event_id>/alerts", summary="Add an alert to an event", responses=ACCEPTED)
def add_alert(
    event_id: EventId,
    body: Annotated[AlertBody, Body()],
    caller: CallerDep,
    services: ServicesDep,
    device: DeviceQuery = None,
) -> tuple[Accepted, int]:
    from ghela.core.messages.commands import AddAlert

    thing = pick_device(device, services)
    load_event(services, thing, event_id)
    command = AddAlert(event_id=event_id, alert=AlertSpec(**body.model_dump(by_alias=False)))
    return submit(command, thing, caller, services), 202


@router.post("/scrape", summary="Scrape the fixture sources now (admins only)", responses=ACCEPTED)
def scrape_now(caller: CallerDep, services: ServicesDep, device: DeviceQuery = None) -> tuple[Accepted, int]:
    from ghela.core.messages.scrape import ScrapeRequest

    thing = pick_device(device, services)
    require_admin(caller, "ask for a scrape")
    return submit(ScrapeRequest(), thing, caller, services), 202
