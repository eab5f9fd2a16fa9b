"""``ghela provision``, ``ghela api serve``, ``ghela api openapi`` and ``ghela deploy``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ghela_cloud import names


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    provision = subparsers.add_parser("provision", help="create the template's resources in a moto server")
    provision.add_argument(
        "--endpoint-url", required=True, help="the moto server, e.g. http://127.0.0.1:5000"
    )
    provision.add_argument("--region", default=names.DEFAULT_REGION)
    provision.add_argument("--thing-name", default=names.LOCAL_THING)
    provision.add_argument("--json", action="store_true", help="print the resources as JSON")
    provision.set_defaults(func=_provision)

    api = subparsers.add_parser("api", help="the HTTP API: serve it locally, write its OpenAPI document")
    commands = api.add_subparsers(dest="api_command", metavar="COMMAND", required=True)
    serve = commands.add_parser("serve", help="the API and the web page on localhost, AWS in moto")
    serve.add_argument("--moto-url", help="a running moto server (default: start one in this process)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--region", default=names.DEFAULT_REGION)
    serve.add_argument("--thing-name", default=names.LOCAL_THING)
    serve.add_argument("--web-root", type=Path, help="the web page's files (default: cloud/web)")
    serve.set_defaults(func=_serve)
    openapi = commands.add_parser("openapi", help="write the OpenAPI document generated from the code")
    openapi.add_argument("--output", type=Path, help="where (default: cloud/openapi.json)")
    openapi.add_argument("--check", action="store_true", help="only check that the file is current")
    openapi.set_defaults(func=_openapi)

    deploy = subparsers.add_parser("deploy", help="deploy the SAM stack, components and web page to AWS")
    deploy.add_argument("--stage", choices=["dev", "prod"], default="dev")
    deploy.add_argument("--name-prefix", default=names.DEFAULT_PREFIX)
    deploy.add_argument("--region", default=names.DEFAULT_REGION)
    deploy.add_argument("--stack-name", default="", help="default: <name-prefix>-<stage>")
    deploy.add_argument("--alarm-email", default="", help="who gets the heartbeat alarm")
    deploy.add_argument(
        "--devices", default="ghela-office-pi", help="comma-separated thing names of the office devices"
    )
    deploy.add_argument(
        "--only",
        action="append",
        choices=["stack", "components", "web"],
        help="run only this step (repeatable; default: stack, components, web in that order)",
    )
    deploy.set_defaults(func=_deploy)


def _provision(args: argparse.Namespace) -> int:
    from ghela_cloud.local.provision import provision

    resources = provision(args.endpoint_url, region=args.region, thing_name=args.thing_name)
    if args.json:
        print(json.dumps(resources.as_dict(), indent=2))
    else:
        for key, value in resources.as_dict().items():
            print(f"{key:16} {value}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from ghela_cloud.local.provision import provision
    from ghela_cloud.local.server import DEFAULT_WEB_ROOT, LocalApi, LocalApiServer

    moto = None
    url = args.moto_url
    if not url:
        from moto.server import ThreadedMotoServer

        from ghela_cloud.local.ports import free_port

        port = free_port()
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        moto.start()
        url = f"http://127.0.0.1:{port}"
    try:
        resources = provision(url, region=args.region, thing_name=args.thing_name)
        api = LocalApi(resources, web_root=args.web_root or DEFAULT_WEB_ROOT)
        server = LocalApiServer(api, args.host, args.port)
        print(f"web page   {server.url}/")
        print(f"API        {server.url}/api")
        print(f"moto       {url}")
        print(f"sign in    {resources.demo_email} / {resources.demo_password}")
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
    finally:
        if moto is not None:
            moto.stop()
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from ghela_cloud.api.spec import DEFAULT_PATH, openapi_json, write_openapi

    path = args.output or DEFAULT_PATH
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != openapi_json():
            print(f"{path} is out of date: run `ghela api openapi`", file=sys.stderr)
            return 1
        print(f"{path} is current")
        return 0
    print(f"wrote {write_openapi(path)}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    import boto3

    from ghela_cloud.deploy.deploy import Deployer, DeployOptions

    devices = tuple(d.strip() for d in args.devices.split(",") if d.strip())
    options = DeployOptions(
        stage=args.stage,
        name_prefix=args.name_prefix,
        region=args.region,
        stack_name=args.stack_name,
        alarm_email=args.alarm_email,
        devices=devices,
    )
    if args.only:
        options.steps = tuple(step for step in ("stack", "components", "web") if step in args.only)
    Deployer(options, lambda region: boto3.session.Session(region_name=region)).deploy()
    return 0
