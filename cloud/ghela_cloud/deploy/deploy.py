"""``ghela deploy``: what the workflow does on main, from a laptop with AWS credentials.

Steps, each stopping the deploy with one clear line if it fails:

1. preflight: ``sam`` and a ``python3.12`` (the functions' runtime) on PATH, and AWS
   credentials that work (STS GetCallerIdentity)
2. stage the Lambda source (:mod:`.package`), ``sam build``, compile its bytecode,
   ``sam deploy`` (:mod:`.sam`'s commands, the ones CI checks)
3. read the stack's outputs
4. ``ghela gdk build`` and ``ghela gdk publish`` into the stack's artifacts bucket
5. upload the web page with its generated ``config.json``; invalidate CloudFront

Subprocesses go through a :class:`Runner` and AWS through a boto3 session, both handed in.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ghela.core.errors import ConfigurationError, GhelaError

from ghela_cloud import names
from ghela_cloud.deploy import sam
from ghela_cloud.deploy.package import CLOUD_DIR, REPO_DIR, SAM_BUILD_DIR, STAGE_DIR, stage_lambda_source
from ghela_cloud.deploy.web import WEB_DIR, invalidate, upload_web, web_config

STEPS = ("stack", "components", "web")


class DeployError(GhelaError):
    """A deploy step failed; the message says which and what to do."""


class Runner:
    """Runs a command, output going to the terminal; raises DeployError on a non-zero exit."""

    def which(self, program: str) -> str | None:
        return shutil.which(program)

    def runtime_python(self) -> Path | None:
        return sam.find_runtime_python()

    def run(self, argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        print("+ " + " ".join(argv), flush=True)
        result = subprocess.run(list(argv), cwd=cwd, env=env, check=False)
        if result.returncode != 0:
            raise DeployError(
                f"{argv[0]} {argv[1] if len(argv) > 1 else ''} failed (exit {result.returncode})"
            )


@dataclass
class DeployOptions:
    stage: str = "dev"
    name_prefix: str = "ghela"
    region: str = names.DEFAULT_REGION
    stack_name: str = ""
    alarm_email: str = ""
    devices: tuple[str, ...] = ("ghela-office-pi",)
    steps: tuple[str, ...] = STEPS
    web_root: Path = WEB_DIR
    build_dir: Path = STAGE_DIR
    """Where the Lambda source is staged: the template's CodeUri (tests stage elsewhere)."""
    extra_sam_args: list[str] = field(default_factory=list)

    @property
    def stack(self) -> str:
        return self.stack_name or f"{self.name_prefix}-{self.stage}"

    def parameter_overrides(self) -> list[str]:
        return [
            f"Stage={self.stage}",
            f"NamePrefix={self.name_prefix}",
            f"AlarmEmail={self.alarm_email}",
            f"DeviceThingNames={','.join(self.devices)}",
        ]


class Deployer:
    def __init__(
        self,
        options: DeployOptions,
        session_factory: Callable[[str], Any],
        runner: Runner | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        self.options = options
        self._session_factory = session_factory
        self.runner = runner or Runner()
        self.say = say
        self._python: Path | None = None

    def deploy(self) -> dict[str, str]:
        """Run the chosen steps (all by default, in order); returns the stack's outputs."""
        unknown = set(self.options.steps) - set(STEPS)
        if unknown:
            raise ConfigurationError(
                f"unknown deploy step {sorted(unknown)[0]!r} (steps: {', '.join(STEPS)})"
            )
        session = self.preflight()
        if "stack" in self.options.steps:
            self.deploy_stack()
        outputs = self.outputs(session)
        if "components" in self.options.steps:
            self.publish_components(outputs)
        if "web" in self.options.steps:
            self.publish_web(session, outputs)
        self.say(
            f"deployed {self.options.stack}: {outputs.get('WebUrl', '')} (API {outputs.get('ApiUrl', '')})"
        )
        return outputs

    def preflight(self) -> Any:
        if "stack" in self.options.steps and self.runner.which("sam") is None:
            raise DeployError(
                "the AWS SAM CLI (sam) is not installed or not on PATH: "
                "pip install aws-sam-cli, or see https://docs.aws.amazon.com/serverless-application-model/"
            )
        if "stack" in self.options.steps:
            self._python = self.runner.runtime_python()
            if self._python is None:
                raise DeployError(
                    f"sam build needs {sam.LAMBDA_PYTHON} (the functions' runtime) and none was found "
                    "on PATH or under pyenv: install Python 3.12"
                )
        session = self._session_factory(self.options.region)
        try:
            from botocore.exceptions import BotoCoreError, ClientError

            identity = session.client("sts").get_caller_identity()
        except (BotoCoreError, ClientError) as exc:
            raise DeployError(
                f"no usable AWS credentials ({exc}): configure a profile (aws configure / AWS_PROFILE) "
                "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            ) from None
        self.say(f"deploying {self.options.stack} to account {identity['Account']} in {self.options.region}")
        return session

    def deploy_stack(self) -> None:
        stage_lambda_source(self.options.build_dir)
        template = CLOUD_DIR / "template.yaml"
        assert self._python is not None  # preflight found it
        self.runner.run(sam.build_command(template), cwd=CLOUD_DIR, env=sam.environment_with(self._python))
        self.runner.run(sam.bytecode_command(self._python, SAM_BUILD_DIR), cwd=CLOUD_DIR)
        self.runner.run(
            [
                *sam.deploy_command(
                    self.options.stack, self.options.region, self.options.parameter_overrides()
                ),
                *self.options.extra_sam_args,
            ],
            cwd=CLOUD_DIR,
        )

    def outputs(self, session: Any) -> dict[str, str]:
        stacks = session.client("cloudformation").describe_stacks(StackName=self.options.stack)["Stacks"]
        if not stacks:
            raise DeployError(f"stack {self.options.stack} not found after deploying")
        return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}

    def publish_components(self, outputs: dict[str, str]) -> None:
        bucket = outputs.get("ArtifactsBucketName")
        if not bucket:
            raise ConfigurationError("the stack has no ArtifactsBucketName output")
        ghela = [sys.executable, "-m", "ghela.cli"]
        self.runner.run([*ghela, "gdk", "build"], cwd=REPO_DIR)
        self.runner.run(
            [*ghela, "gdk", "publish", "--bucket", bucket, "--region", self.options.region], cwd=REPO_DIR
        )

    def publish_web(self, session: Any, outputs: dict[str, str]) -> None:
        config = web_config(outputs)
        keys = upload_web(session.client("s3"), outputs["WebBucketName"], config, self.options.web_root)
        invalidation = invalidate(session.client("cloudfront"), outputs["WebDistributionId"])
        self.say(f"uploaded {len(keys)} web files; CloudFront invalidation {invalidation}")
