"""``ghela gdk build``, ``ghela gdk publish`` and ``ghela gdk deployment``.

See :mod:`ghela_tools.packaging`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ghela_cloud.names import DEFAULT_REGION

from ghela_tools.packaging.validation import PackagingError
from ghela_tools.packaging.wheels import ARCHITECTURES
from ghela_tools.runtime.recipes import RECIPE_SUFFIXES, RECIPES_FOLDER, load_recipe


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gdk = subparsers.add_parser("gdk", help="build and publish the Greengrass components (as GDK does)")
    commands = gdk.add_subparsers(dest="gdk_command", metavar="ACTION", required=True)

    build = commands.add_parser("build", help="recipes and zipped artifacts into greengrass-build/")
    build.add_argument(
        "--recipes", type=Path, default=RECIPES_FOLDER, help=f"recipe folder (default: {RECIPES_FOLDER}/)"
    )
    build.add_argument(
        "--out", type=Path, default=Path("greengrass-build"), help="default: greengrass-build/"
    )
    build.add_argument(
        "--component", action="append", help="build only this component (repeatable; default: every recipe)"
    )
    build.add_argument("--bucket", help="fill {BUCKET_NAME} now (default: at publish)")
    build.add_argument("--region", help="fill {REGION} now (default: at publish)")
    build.add_argument("--author", help="fill {COMPONENT_AUTHOR} (default: the recipe's ComponentPublisher)")
    build.add_argument(
        "--arch",
        action="append",
        choices=sorted(ARCHITECTURES.values()),
        help="build the Python environment only for this machine (repeatable; default: all)",
    )
    build.set_defaults(func=_build)

    publish = commands.add_parser("publish", help="upload artifacts to S3 and create the component versions")
    publish.add_argument("--bucket", required=True, help="S3 bucket for the artifacts (created if missing)")
    publish.add_argument("--region", required=True, help="AWS region of the bucket and of Greengrass")
    publish.add_argument("--endpoint-url", help="AWS endpoint (e.g. moto's server) instead of real AWS")
    publish.add_argument(
        "--build-dir", type=Path, default=Path("greengrass-build"), help="default: greengrass-build/"
    )
    publish.set_defaults(func=_publish)

    deployment = commands.add_parser(
        "deployment", help="the deployment document for a thing group (aws greengrassv2 create-deployment)"
    )
    deployment.add_argument("--thing-group", required=True, help="the target thing group's name")
    deployment.add_argument("--out", type=Path, help="write it here (default: standard output)")
    deployment.add_argument(
        "--recipes", type=Path, default=RECIPES_FOLDER, help=f"recipe folder (default: {RECIPES_FOLDER}/)"
    )
    deployment.add_argument(
        "--region", default=DEFAULT_REGION, help=f"its region (default: {DEFAULT_REGION})"
    )
    deployment.add_argument("--account", help="the AWS account id (default: asked of STS)")
    deployment.add_argument(
        "--overrides",
        type=Path,
        help='configuration updates: {"<component>": {"merge": {...}, "reset": ["/pointer"]}}',
    )
    deployment.set_defaults(func=_deployment)


def _build(args: argparse.Namespace) -> int:
    from ghela_tools.packaging.build import build, describe_artifact

    paths = (
        sorted(p for p in args.recipes.iterdir() if p.suffix in RECIPE_SUFFIXES)
        if args.recipes.is_dir()
        else []
    )
    if not paths:
        raise PackagingError(f"no recipes in {args.recipes}")
    if args.component:
        by_name = {load_recipe(path).name: path for path in paths}
        missing = sorted(set(args.component) - set(by_name))
        if missing:
            raise PackagingError(f"no recipe in {args.recipes} for {', '.join(missing)}")
        paths = [by_name[name] for name in args.component]
    try:
        for built in build(
            paths,
            args.out,
            author=args.author,
            bucket=args.bucket,
            region=args.region,
            machines=args.arch or ARCHITECTURES.values(),
        ):
            print(f"built {built.name} {built.version}: {built.recipe}")
            for artifact in built.artifacts:
                print(f"  {artifact.parent}/{describe_artifact(artifact)}")
    except OSError as exc:  # an output folder that cannot be written, a file that went away
        raise PackagingError(f"gdk build failed: {exc}") from None
    return 0


def _publish(args: argparse.Namespace) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from ghela_tools.packaging.publish import Publisher, PublishError

    session = boto3.session.Session(region_name=args.region)
    publisher = Publisher(
        session.client("s3", endpoint_url=args.endpoint_url),
        session.client("greengrassv2", endpoint_url=args.endpoint_url),
        bucket=args.bucket,
        region=args.region,
    )
    try:
        published = publisher.publish(args.build_dir)
        for item in published:
            print(f"published {item.name} {item.version} ({item.status or 'requested'}): {item.arn}")
    except (BotoCoreError, ClientError) as exc:  # no credentials, endpoint down, access denied
        raise PublishError(f"publishing failed: {exc}") from None
    print("\nNext: ghela gdk deployment --thing-group NAME --out deployment.json, then")
    print("aws greengrassv2 create-deployment --cli-input-json file://deployment.json")
    return 0


def _deployment(args: argparse.Namespace) -> int:
    from ghela_tools.packaging.deployment import deployment_document, thing_group_arn
    from ghela_tools.runtime.recipes import load_recipes

    updates = {}
    if args.overrides is not None:
        try:
            updates = json.loads(args.overrides.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            raise PackagingError(f"{args.overrides}: cannot read the overrides: {exc}") from None
        if not isinstance(updates, dict) or not all(isinstance(u, dict) for u in updates.values()):
            shape = '{"<component>": {"merge": ..., "reset": [...]}}'
            raise PackagingError(f"{args.overrides}: expected {shape}")
    account = args.account or _account(args.region)
    document = deployment_document(
        load_recipes(args.recipes), thing_group_arn(args.region, account, args.thing_group), updates
    )
    text = json.dumps(document, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PackagingError(f"cannot write {args.out}: {exc}") from None
    print(f"wrote {args.out}: aws greengrassv2 create-deployment --cli-input-json file://{args.out}")
    return 0


def _account(region: str) -> str:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return boto3.client("sts", region_name=region).get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as exc:
        raise PackagingError(f"cannot ask STS for the account id ({exc}); pass --account") from None
